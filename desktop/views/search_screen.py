"""Person search screen (جستجوی اشخاص): one box, results as the clerk types.

Typing is debounced (250 ms of quiet); every page is fetched by a background operation and
only the newest query's answer is shown, so the window never waits on the store; later pages
are keyset pages fetched as the table scrolls. A change committed anywhere in the application
(an enrolment, a new number, an ended relationship) re-runs the query on screen. Enter or
double-click opens the person file.

A valid national code that finds nobody here is asked of headquarters (briefly, off the GUI
thread; offline says nothing more): someone enrolled at another branch is shown as such, with
«آوردن پرونده از ستاد» to bring the person in — the search then finds them here.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import identifiers
from desktop.domain.errors import DomainError
from desktop.domain.roles import allowed
from desktop.domain.text import persian_digits
from desktop.services.central_record import (
    CentralRecord,
    ask_headquarters,
)
from desktop.services.changes import ChangeKind, Changes
from desktop.services.search import SearchPage, search_people

from .central_bring import bring_button, bring_central_person
from .context import ViewContext
from .messages import error_text
from .operations import Operation
from .person_file import PersonFileDialog, open_person_file
from .person_table_model import PersonTableModel
from .rtl import code_run

DEBOUNCE_MS = 250


class SearchTable(QTableView):
    """Enter opens the selected person (QTableView would otherwise only move the cursor)."""

    activated_row = Signal(int)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001 - QKeyEvent
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated_row.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class Screen(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.opened: list[PersonFileDialog] = []
        self._generation = itertools.count(1)
        self._current = 0
        self.model = PersonTableModel(self._request_page, self)
        self._build()
        ctx.changes.changed.connect(self._on_changes)

    def _build(self) -> None:
        self.query = QLineEdit()
        self.query.setPlaceholderText("کد ملی، شماره تامین اجتماعی، شماره بیمه یا نام و نام خانوادگی…")
        self.query.setClearButtonEnabled(True)
        self.query.setMinimumHeight(34)
        self.status = QLabel("برای جستجو تایپ کنید.")
        self.central: CentralRecord | None = None
        self.bring = bring_button()
        self.bring.clicked.connect(self._bring)
        self.table = SearchTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(28)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.status)
        layout.addWidget(self.bring)
        layout.addWidget(self.table)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.query.textChanged.connect(lambda _t: self._debounce.start())
        self.query.returnPressed.connect(self._enter_in_box)
        self.table.activated_row.connect(self.open_row)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        # Widget context: Down must still move the cursor once the table has focus.
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.query)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(self._to_results)
        self.setFocusProxy(self.query)

    # --- searching -----------------------------------------------------------------------
    def search_now(self) -> None:
        self._debounce.stop()
        text = self.query.text()
        self._current = next(self._generation)
        self.central = None
        self.bring.hide()
        if not text.strip():
            self.model.clear()
            self.status.setText("برای جستجو تایپ کنید.")
            return
        self.status.setText("در حال جستجو…")
        generation, store, actor = self._current, self.ctx.store, self.ctx.actor

        def first_page(_job: object) -> tuple[SearchPage, float]:
            started = time.perf_counter()
            return search_people(store, actor, text), time.perf_counter() - started

        (Operation(self, first_page)
         .on_success(lambda answer: self._on_answer(generation, text, *answer))
         .on_failure(lambda exc: self._on_failed(generation, exc))
         .run())

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._current:
            self.model.clear()
            self.status.setText(error_text(exc))

    def _on_answer(self, generation: int, text: str, result: SearchPage, seconds: float) -> None:
        if generation != self._current:  # an older query answered late: the clerk typed on
            return
        self.model.show_page(text, result)
        self.last_seconds = seconds
        self.status.setText(result.message or self._summary(result, seconds))
        if self.model.rowCount():
            self.table.selectRow(0)
        elif not result.hits:
            self._ask_headquarters(generation, text)

    def _ask_headquarters(self, generation: int, text: str) -> None:
        try:
            code = identifiers.national_code(text.strip())
        except DomainError:
            return  # a name or another number: nothing HQ is asked about
        store, actor = self.ctx.store, self.ctx.actor
        (Operation(self, lambda _job: ask_headquarters(store, actor, code))
         .on_success(lambda record: self._show_central(generation, record))
         .on_failure(lambda _exc: None)  # the counter carries on with what the branch has
         .run())

    def _show_central(self, generation: int, record: CentralRecord) -> None:
        if generation != self._current or not record.found:
            return
        self.central = record
        self.status.setText(
            f"در این شعبه نیست. {record.full_name} در شعبه {code_run(record.branch)} نام‌نویسی شده "
            f"است؛ شماره تامین اجتماعی: {code_run(record.ssn)}.")
        self.bring.setVisible(allowed(self.ctx.actor.role, "person.enrol"))

    def _bring(self) -> None:
        bring_central_person(self, self.ctx, self.central, self.bring, lambda _brought: self.search_now(),
                             lambda exc: self.status.setText(error_text(exc)))

    def _summary(self, page: SearchPage, seconds: float) -> str:
        if not page.hits:
            return "کسی با این مشخصات پیدا نشد."
        count = persian_digits(len(page.hits)) + ("+" if page.next_cursor is not None else "")
        return f"{count} نفر ({persian_digits(round(seconds * 1000))} میلی‌ثانیه) — Enter پرونده را باز می‌کند."

    def _request_page(self, text: str, after: int | None, deliver: Callable[[SearchPage], None]) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        (Operation(self, lambda _job: search_people(store, actor, text, after=after))
         .on_success(deliver)
         .on_failure(self._page_failed)
         .run())

    def _page_failed(self, exc: BaseException) -> None:
        self.model.fetch_failed()
        self.status.setText(error_text(exc))

    def _on_changes(self, changes: Changes) -> None:
        """Someone enrolled, numbered or ended something: what is on screen may be stale."""
        if self.query.text().strip() and changes.touches(
                ChangeKind.PERSONS, ChangeKind.NUMBERS, ChangeKind.RELATIONSHIPS):
            self.search_now()

    # --- opening ---------------------------------------------------------------------------
    def _enter_in_box(self) -> None:
        if self._debounce.isActive() or self.model.rowCount() == 0:
            self.search_now()
        else:
            self._to_results()

    def _to_results(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)

    def open_row(self, row: int) -> PersonFileDialog | None:
        if not 0 <= row < self.model.rowCount():
            return None
        return self.open_person(self.model.person_id(row))

    def open_person(self, person_id: uuid.UUID) -> PersonFileDialog | None:
        dialog = open_person_file(self.ctx, person_id, self)
        self.opened.append(dialog)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self.opened.remove(d) if d in self.opened else None)
        return dialog
