"""The look of the application: the bundled Persian font, Persian locale, RTL, one calm stylesheet.

Only the font shipped in desktop/resources/fonts is used, never a system font, so every counter
renders Persian the same way (joined letters, same digit shapes) whatever is installed.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from desktop.bundled import FONTS as FONT_DIR
from desktop.bundled import RESOURCES, resource_missing

ICON_PATH = RESOURCES / "icon.svg"
# A styled QSpinBox loses Fusion's arrows: the day-count box draws these instead.
ARROW_UP, ARROW_DOWN = (str(RESOURCES / f"arrow-{way}.svg").replace("\\", "/") for way in ("up", "down"))
FONT_FAMILY = "Vazirmatn"
FONT_POINT_SIZE = 10

ACCENT = "#1f6f78"
STYLESHEET = f"""
QWidget {{ color: #1d2733; }}
QMainWindow, QDialog {{ background: #f5f7f8; }}
QLineEdit, QComboBox, QPlainTextEdit, QTextEdit, QSpinBox {{
    background: #ffffff; border: 1px solid #c5cdd3; border-radius: 6px; padding: 4px 6px;
    selection-background-color: {ACCENT};
}}
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border: 1px solid {ACCENT}; }}
QLineEdit[invalid="true"] {{ border: 1px solid #b3261e; background: #fff6f5; }}
QLabel#fieldError, QLabel#formError {{ color: #b3261e; }}
QLabel#formInfo {{ color: #1e6b3a; }}
QLabel#title {{ font-size: 15pt; font-weight: bold; color: {ACCENT}; }}
QLabel#subtitle {{ color: #5b6770; }}
QPushButton, QToolButton {{
    background: #ffffff; border: 1px solid #b8c2c9; border-radius: 6px; padding: 5px 14px;
}}
QPushButton:hover, QToolButton:hover {{ background: #eef4f5; }}
QPushButton:focus {{ border: 1px solid {ACCENT}; }}
QPushButton:default, QPushButton#primary {{ background: {ACCENT}; color: #ffffff; border: 1px solid {ACCENT}; }}
QPushButton:disabled, QPushButton:default:disabled, QPushButton#primary:disabled {{
    color: #9aa5ad; background: #f0f2f3; border: 1px solid #d5dadd;
}}
QListWidget#navigation {{
    background: #e9eef0; border: none; padding: 6px; outline: none;
}}
QListWidget#navigation::item {{ padding: 0 12px; border-radius: 6px; margin: 1px 0; }}
QListWidget#navigation::item:selected {{ background: {ACCENT}; color: #ffffff; }}
QListWidget#navigation::item:hover:!selected {{ background: #dde6e9; }}
QTableWidget, QTableView {{
    background: #ffffff; border: 1px solid #d3d9dd; gridline-color: #e6eaed;
    selection-background-color: #cfe5e7; selection-color: #1d2733;
}}
QHeaderView::section {{ background: #eef1f3; border: none; border-bottom: 1px solid #d3d9dd; padding: 5px; }}
QStatusBar {{ background: #e9eef0; color: #33414c; }}
QStatusBar QLabel {{ padding: 0 10px; }}
QTabWidget::pane {{ border: 1px solid #d3d9dd; border-radius: 6px; background: #fbfcfc; }}
QTabBar::tab {{ padding: 6px 16px; }}
QTabBar::tab:selected {{ color: {ACCENT}; font-weight: bold; }}
QGroupBox {{ border: 1px solid #d3d9dd; border-radius: 6px; margin-top: 14px; padding-top: 8px; }}
QGroupBox::title {{ subcontrol-origin: margin; subcontrol-position: top right; padding: 0 8px; }}
QProgressBar {{ border: 1px solid #c5cdd3; border-radius: 6px; text-align: center; background: #fff; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 5px; }}
QSpinBox::up-button, QSpinBox::down-button {{ width: 18px; border-left: 1px solid #c5cdd3; }}
QSpinBox::up-arrow {{ image: url("{ARROW_UP}"); width: 10px; height: 6px; }}
QSpinBox::down-arrow {{ image: url("{ARROW_DOWN}"); width: 10px; height: 6px; }}
"""


def persian_locale() -> QLocale:
    return QLocale(QLocale.Language.Persian, QLocale.Country.Iran)


def load_fonts() -> str:
    """Register the bundled TTFs; returns the family name. Fails loudly if they are missing."""
    families: list[str] = []
    for ttf in sorted(FONT_DIR.glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(ttf))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    if not families:
        raise resource_missing([FONT_DIR / "Vazirmatn-Regular.ttf"])  # exit 8, said in Persian
    return FONT_FAMILY if FONT_FAMILY in families else families[0]


def app_icon() -> QIcon:
    return QIcon(str(ICON_PATH))


def apply_theme(app: QApplication) -> None:
    family = load_fonts()
    font = QFont(family, FONT_POINT_SIZE)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    app.setFont(font)
    QLocale.setDefault(persian_locale())
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    app.setStyle("Fusion")  # the same widgets on every platform, so the stylesheet reads the same
    app.setStyleSheet(STYLESHEET)
    app.setWindowIcon(app_icon())
    app.setApplicationName("branch-desk")
    app.setApplicationDisplayName("میز شعبه")
