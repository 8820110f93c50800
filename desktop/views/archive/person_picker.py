"""The person search box of the archive screen: the same box and service as «جستجوی اشخاص»
(debounced, answered off the GUI thread, newest query wins), with a short result list; choosing
a row (Enter, click or double-click) emits `chosen`."""

from __future__ import annotations

import itertools
import uuid

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services.search import SearchPage, search_people

from ..context import ViewContext
from ..messages import error_text
from ..operations import Operation
from ..person_table_model import PersonTableModel
from ..rtl import code_run
from ..search_screen import DEBOUNCE_MS, SearchTable


class PersonPicker(QWidget):
    chosen = Signal(object, str)  # person id, «name — SSN» label

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._generation = itertools.count(1)
        self._current = 0
        self.model = PersonTableModel(self._request_page, self)
        self.query = QLineEdit()
        self.query.setPlaceholderText("کد ملی، شماره تامین اجتماعی، شماره بیمه یا نام و نام خانوادگی…")
        self.query.setClearButtonEnabled(True)
        self.query.setMinimumHeight(34)
        self.status = QLabel("شخص را بیابید تا پرونده اسناد او باز شود.")
        self.table = SearchTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setMaximumHeight(150)
        self.table.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.query)
        box.addWidget(self.status)
        box.addWidget(self.table)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.query.textChanged.connect(lambda _t: self._debounce.start())
        self.query.returnPressed.connect(self._enter)
        self.table.activated_row.connect(self.choose_row)
        self.table.clicked.connect(lambda index: self.choose_row(index.row()))
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.query)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(self.table.setFocus)
        self.setFocusProxy(self.query)

    def search_now(self) -> None:
        self._debounce.stop()
        text = self.query.text()
        self._current = generation = next(self._generation)
        if not text.strip():
            self.model.clear()
            self.table.hide()
            return
        store, actor = self.ctx.store, self.ctx.actor
        (Operation(self, lambda _job: search_people(store, actor, text))
         .on_success(lambda page: self._answer(generation, text, page))
         .on_failure(lambda exc: self._failed(generation, exc))
         .run())

    def _answer(self, generation: int, text: str, page: SearchPage) -> None:
        if generation != self._current:
            return
        self.model.show_page(text, page)
        self.table.setVisible(bool(page.hits))
        self.status.setText(page.message or ("کسی با این مشخصات پیدا نشد." if not page.hits else
                                             "Enter یا کلیک پرونده اسناد شخص را باز می‌کند."))
        if page.hits:
            self.table.selectRow(0)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._current:
            self.status.setText(error_text(exc))

    def _request_page(self, text: str, after: int | None, deliver) -> None:  # noqa: ANN001
        store, actor = self.ctx.store, self.ctx.actor
        (Operation(self, lambda _job: search_people(store, actor, text, after=after))
         .on_success(deliver).on_failure(lambda _exc: self.model.fetch_failed()).run())

    def _enter(self) -> None:
        self._debounce.stop()
        if self.model.rowCount():
            self.choose_row(max(self.table.currentIndex().row(), 0))
        else:
            self.search_now()

    def choose_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        hit = self.model.hit(row)
        self.table.hide()
        self.status.setText("")
        self.chosen.emit(hit.person_id, person_label(hit.full_name, hit.ssn))

    def person_id_at(self, row: int) -> uuid.UUID:
        return self.model.person_id(row)


def person_label(name: str, ssn: str) -> str:
    return f"{name} — شماره تامین اجتماعی {code_run(ssn)}"
