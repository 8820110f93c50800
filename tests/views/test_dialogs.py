"""Issue 9 item 3: Qt's standard dialogs speak Persian, the safe answer is the default, and
paths in file dialogs read left to right."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLineEdit, QMessageBox

from desktop.views import dialogs
from desktop.views.enrolment.fields import confirm


@pytest.fixture
def persian_qt(qapp) -> Iterator[None]:  # noqa: ANN001 - pytest-qt's qapp
    assert dialogs.install_qt_translations(qapp)
    yield
    for translator in dialogs._translators:  # leave the other tests Qt's defaults
        qapp.removeTranslator(translator)
    dialogs._translators.clear()


def test_standard_buttons_are_persian_once_qt_translations_are_installed(persian_qt):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert sorted(b.text() for b in box.buttons()) == sorted(["تأیید", "انصراف"])


# The real start-up in a child process: a shell that, instead of opening a store, says what
# Qt's Cancel button reads, then ends the program.
_START_UP = """
import sys
from desktop.app import Shell, run_gui
from PySide6.QtWidgets import QDialogButtonBox

class Probe(Shell):
    def start(self):
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        sys.stdout.buffer.write(box.buttons()[0].text().encode())
        return False

run_gui([], Probe)
"""


def test_the_start_up_installs_them(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BRANCH_DESK_CONFIG_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", _START_UP], capture_output=True, env=env, timeout=120)
    assert done.stdout.decode() == "انصراف", done.stderr.decode()


def test_file_dialog_is_persian_with_paths_left_to_right(qtbot, persian_qt):
    dialog = dialogs.file_dialog(None, "ذخیره نامه", "/tmp/certificate-1.pdf", "PDF (*.pdf)", save=True)
    qtbot.addWidget(dialog)
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert dialog.labelText(QFileDialog.DialogLabel.Accept) == "ذخیره"
    assert dialog.labelText(QFileDialog.DialogLabel.Reject) == "انصراف"
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None and name.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert dialog.layoutDirection() == QApplication.layoutDirection()  # the rest stays RTL


def test_a_question_has_persian_buttons_and_enter_gives_the_safe_answer(qtbot, persian_qt):
    seen: list[list[str]] = []

    def answer_with_enter() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        seen.append(sorted(b.text() for b in box.buttons()))
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(100, answer_with_enter)
    assert confirm(None, "این پیش‌نویس برای همیشه حذف شود؟") is False
    assert seen == [sorted(["بله", "خیر"])]
