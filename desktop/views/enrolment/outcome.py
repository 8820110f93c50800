"""The last two steps of a counter flow: confirm what will be written, then show the numbers."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..rtl import code_run, esc, rtl_html, rtl_table
from .fields import EnterAdvances, error_label, show_message
from .pages import StepPage


def summary_html(rows: list[tuple[str, str]]) -> str:
    """Label on the right, its value beside it on the left (rtl.py: Qt lays tables LTR)."""
    cells = [[esc(k), f"<b>{esc(v)}</b>"] for k, v in rows if v]
    return rtl_html(rtl_table(cells, attrs="", cell_style=("padding:3px 10px;color:#5b6770",
                                                         "padding:3px 10px")))


class ConfirmPage(StepPage):
    """Everything the clerk entered, once more, and the one button that writes it (Enter)."""

    submit = Signal()

    def __init__(self, ctx, title: str, button: str, parent: QWidget | None = None) -> None:
        self.title = title
        super().__init__(ctx, parent)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.form.addRow(self.summary)
        self.submit_button = QPushButton(button)
        self.submit_button.setObjectName("primary")
        self.form.addRow(self.submit_button)
        self.error = error_label()
        self.form.addRow(self.error)
        self.open_file = QPushButton("باز کردن پرونده شخص")
        self.open_file.hide()
        self.form.addRow(self.open_file)
        self.submit_button.clicked.connect(self.submit)
        self.enter = EnterAdvances([self.submit_button], self.submit.emit, self)

    def show_summary(self, rows: list[tuple[str, str]]) -> None:
        self.summary.setText(summary_html(rows))
        show_message(self.error, "")
        self.open_file.hide()


class DonePage(QWidget):
    """The numbers just given, large, and what to do next (print, open the file, start again)."""

    title = "پایان: شماره‌ها"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("ثبت شد")
        heading.setObjectName("title")
        self.numbers = QLabel()
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.numbers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info = QLabel()
        self.info.setObjectName("formInfo")
        self.info.setWordWrap(True)
        self.print_button = QPushButton("چاپ برگه نام‌نویسی (Ctrl+P)")
        self.print_button.setObjectName("primary")
        self.open_file = QPushButton("پرونده شخص")
        self.again = QPushButton("نام‌نویسی تازه (Ctrl+N)")
        buttons = QHBoxLayout()
        for b in (self.print_button, self.open_file, self.again):
            buttons.addWidget(b)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addWidget(self.numbers)
        box.addLayout(buttons)
        box.addWidget(self.info)
        box.addStretch(1)
        self.enter = EnterAdvances([self.print_button, self.open_file, self.again], lambda: None, self)

    def show_numbers(self, rows: list[tuple[str, str]]) -> None:
        # The numbers are identifiers: one left-to-right run each, labels on the right.
        big = [[esc(k), f"<b>{html.escape(code_run(v))}</b>"] for k, v in rows]
        self.numbers.setText(rtl_html(rtl_table(
            big, attrs="", cell_style=("padding:4px 12px", "padding:4px 12px;font-size:16pt"))))
        self.info.setText("")
        self.print_button.setFocus()
