"""Qt's standard dialogs in Persian (issue 9 item 3).

Qt ships its own Persian translations (`qtbase_fa.qm` in PySide6's translations folder): loaded
at start-up, the print dialog, the input dialogs and the standard buttons (OK, Cancel, Yes, No)
speak Persian. The file dialogs are Qt's own (never the platform's, which would follow the
desktop's language), with Persian labels and their paths left to right — a path is read
«/home/clerk/letters/certificate.pdf», never mirrored around its slashes.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLineEdit, QWidget

_translators: list[QTranslator] = []  # kept alive for the application's life


def install_qt_translations(app: QApplication) -> bool:
    """Load Qt's Persian translations into `app`; False when PySide6 ships none (never fatal:
    the application's own texts are Persian regardless)."""
    if _translators:
        return True
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if not translator.load(QLocale(QLocale.Language.Persian, QLocale.Country.Iran), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    _translators.append(translator)
    return True


_LABELS = {
    QFileDialog.DialogLabel.LookIn: "پوشه:",
    QFileDialog.DialogLabel.FileName: "نام فایل:",
    QFileDialog.DialogLabel.FileType: "نوع فایل:",
    QFileDialog.DialogLabel.Reject: "انصراف",
}


def file_dialog(parent: QWidget | None, title: str, start: str, filters: str, *, save: bool) -> QFileDialog:
    """Qt's own file dialog, in Persian, paths left to right (not shown: `exec()` it)."""
    dialog = QFileDialog(parent, title, start, filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile if save else QFileDialog.FileMode.ExistingFile)
    for label, text in _LABELS.items():
        dialog.setLabelText(label, text)
    dialog.setLabelText(QFileDialog.DialogLabel.Accept, "ذخیره" if save else "باز کردن")
    for widget in dialog.findChildren(QLineEdit) + dialog.findChildren(QComboBox):
        if widget.objectName() in ("fileNameEdit", "lookInCombo"):
            widget.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    return dialog


def _chosen(dialog: QFileDialog) -> str:
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return ""
    return dialog.selectedFiles()[0]


def save_file_name(parent: QWidget | None, title: str, start: str, filters: str) -> str:
    """The path the clerk chose to save to, or "" when they cancelled."""
    return _chosen(file_dialog(parent, title, start, filters, save=True))


def open_file_name(parent: QWidget | None, title: str, start: str, filters: str) -> str:
    """The existing file the clerk chose, or "" when they cancelled."""
    return _chosen(file_dialog(parent, title, start, filters, save=False))
