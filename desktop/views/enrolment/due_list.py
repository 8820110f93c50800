"""Dependant links due to end in the next N days — by their stored end or by rule (20th
birthdays, 18th without the form, trial orders, service ends; services/dependant_due.py) —
with the action that records an end and its reason. The list is read off the GUI thread, when
first shown and again whenever the change channel says relationships or dependants changed
(a dependant registered or ended on any screen) — no timer, no polling."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.dependants import END_REASONS
from desktop.domain.jalali import parse_jalali
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import RELATIONS
from desktop.services.changes import ChangeKind
from desktop.services.dependants import due_to_end, end_dependency
from desktop.views.operations import Operation, RefreshWhenShown
from desktop.views.widgets.jalali_date_edit import JalaliDateEdit

from .fields import choice, choice_box, error_label, show_message
from .live import fail_beside

# What Qt passes a model as a cell's address (the stubs type the overridden methods so).
Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("فرد تبعی", "کد ملی", "نسبت", "بیمه‌شده اصلی", "پایان", "روز مانده", "دلیل")


class DueModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        r = self.rows[index.row()]
        cells = (r["dependant"]["name"], persian_digits(r["dependant"]["national_code"] or ""),
                 RELATIONS.get(r["relation"], r["relation"]), r["main_insured"]["name"],
                 persian_digits(r["end"]), persian_digits(r["days_left"]), _reason_text(r))
        return cells[index.column()]


def _reason_text(row: dict[str, Any]) -> str:
    """An end the rules give (no stored end, or a later one) says so: nothing recorded it yet."""
    return f"{row['end_reason_fa']} (بنا بر قاعده)" if row.get("by_rule") else row["end_reason_fa"]


class DueList(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.days = QSpinBox()
        self.days.setRange(1, 365)
        self.days.setValue(30)
        self.days.setSuffix(" روز آینده")
        self.refresh_button = QPushButton("نمایش (F5)")
        self.model = DueModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.reason = choice_box(list(END_REASONS.items()))
        self.end_date = JalaliDateEdit()
        self.note = QLineEdit()
        self.note.setPlaceholderText("توضیح (اختیاری)")
        self.end_button = QPushButton("ثبت پایان ارتباط")
        self.message = error_label()
        self.info = QLabel()
        self.info.setObjectName("formInfo")
        top = QHBoxLayout()
        for w in (QLabel("پایان‌های"), self.days, self.refresh_button):
            top.addWidget(w)
        top.addStretch(1)
        action = QHBoxLayout()
        for field in (QLabel("دلیل:"), self.reason, QLabel("تاریخ پایان:"), self.end_date, self.note,
                      self.end_button):
            action.addWidget(field)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        box.addLayout(action)
        box.addWidget(self.message)
        box.addWidget(self.info)
        self.refresh_button.clicked.connect(self.refresh)
        self.end_button.clicked.connect(self.end_selected)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self._asked = 0
        self.loaded = False  # listed at least once (the tab is listed when first shown)
        self.done_text = ""  # what the last action did, shown above the count
        self.live = RefreshWhenShown(self, ctx.changes.changed,
                                     (ChangeKind.RELATIONSHIPS, ChangeKind.DEPENDANTS),
                                     lambda: self.refresh())

    def refresh(self) -> None:
        """List again off the GUI thread; only the newest listing is shown, the selected link
        stays selected."""
        self._asked += 1
        generation, store, actor, within = self._asked, self.ctx.store, self.ctx.actor, self.days.value()

        def listed(rows: list[dict[str, Any]]) -> None:
            if generation == self._asked:
                self._show_rows(rows)

        def failed(exc: BaseException) -> None:
            if generation == self._asked:
                fail_beside(self, lambda text: show_message(self.message, text))(exc)

        Operation(self, lambda _job: due_to_end(store, actor, within)).on_success(listed).on_failure(failed).run()

    def _show_rows(self, rows: list[dict[str, Any]]) -> None:
        current = self.table.currentIndex()
        chosen = self.model.rows[current.row()]["relationship_id"] if current.isValid() else None
        self.model.set_rows(rows)
        for i, row in enumerate(rows):
            if chosen is not None and row["relationship_id"] == chosen:
                self.table.selectRow(i)
        self.loaded = True
        show_message(self.message, "")
        count = f"{persian_digits(len(rows))} ارتباط تبعی در این بازه پایان می‌یابد."
        self.info.setText(f"{self.done_text} {count}".strip())
        self.done_text = ""

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            row = self.model.rows[current.row()]
            self.end_date.setDate(parse_jalali(row["end"]))
            if row.get("end_reason") in END_REASONS:
                self.reason.setCurrentIndex(self.reason.findData(row["end_reason"]))

    def end_selected(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            show_message(self.message, "ابتدا یک ردیف را انتخاب کنید.")
            return
        day = self.end_date.date()
        if day is None:
            show_message(self.message, "تاریخ پایان را وارد کنید.")
            return
        row = self.model.rows[index.row()]
        store, actor = self.ctx.store, self.ctx.actor
        link, reason, note = row["relationship_id"], choice(self.reason), self.note.text()

        def ended(_result: object) -> None:
            # The list itself follows from the change channel (this is a relationship change).
            self.done_text = f"پایان ارتباط {row['dependant']['name']} ثبت شد."
            self.info.setText(self.done_text)
            self.note.setText("")

        self.end_button.setEnabled(False)  # one click, one end
        show_message(self.message, "")
        (Operation(self, lambda _job: end_dependency(store, actor, link, reason, day, note))
         .on_success(ended)
         .on_failure(fail_beside(self, lambda text: show_message(self.message, text)))
         .on_finished(lambda: self.end_button.setEnabled(True))
         .run())
