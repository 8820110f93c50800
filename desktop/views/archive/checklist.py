"""The checklist: which papers the person's records require (the questionnaire and photo at
enrolment; per dependant the papers the rules engine names) and which the dossier holds —
missing ones highlighted, each with a button to add it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.text import persian_digits

from ..rtl import code_run
from .dossier_tree import MISSING_BACKGROUND, MISSING_FOREGROUND
from .source import ShownChecklist, ShownRequirement

HEADERS = ("سند لازم", "برای", "وضعیت", "شناسه", "چرا")
PRESENT, MISSING = "موجود", "نیست"


class ChecklistPanel(QWidget):
    add_for = Signal(object)  # ShownRequirement: the clerk asked to add a paper that meets it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.requirements: list[ShownRequirement] = []
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        header = self.table.horizontalHeader()
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)  # a long identifier: elided
        header.resizeSection(3, 130)
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)  # why: the rest
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.add_button = QPushButton("افزودن سند انتخاب‌شده…")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self._add_selected)
        self.table.itemSelectionChanged.connect(self._refresh_button)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self._add_selected())
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.add_button)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.table, 1)
        box.addLayout(row)
        self._refresh_button()

    def show_checklist(self, checklist: ShownChecklist | None) -> None:
        self.requirements = list(checklist.requirements) if checklist else []
        self.table.setRowCount(len(self.requirements))
        for row, need in enumerate(self.requirements):
            cells = (need.kind_title, need.whom, PRESENT if need.present else MISSING,
                     code_run(need.identifier) if need.identifier else "—", need.why)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(need.why)
                if not need.present:
                    item.setBackground(QBrush(MISSING_BACKGROUND))
                    item.setForeground(QBrush(MISSING_FOREGROUND))
                self.table.setItem(row, column, item)
        missing = self.missing()
        self.summary.setText(
            "" if checklist is None else
            "همه مدارک لازم در پرونده هست." if not missing else
            f"{persian_digits(len(missing))} سند از {persian_digits(len(self.requirements))} سند لازم "
            "در پرونده نیست (با رنگ قرمز).")
        self._refresh_button()

    def missing(self) -> list[ShownRequirement]:
        return [need for need in self.requirements if not need.present]

    def first_missing(self) -> str | None:
        missing = self.missing()
        return missing[0].kind if missing else None

    def is_highlighted(self, row: int) -> bool:
        item = self.table.item(row, 0)
        return item is not None and item.background().color() == MISSING_BACKGROUND

    def _selected(self) -> ShownRequirement | None:
        row = self.table.currentRow()
        return self.requirements[row] if 0 <= row < len(self.requirements) else None

    def _refresh_button(self) -> None:
        self.add_button.setEnabled(self._selected() is not None)

    def _add_selected(self) -> None:
        need = self._selected()
        if need is not None:
            self.add_for.emit(need)
