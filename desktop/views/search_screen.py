"""Person search screen (جستجوی اشخاص): one box, results as the clerk types.

Typing is debounced (250 ms of quiet), the first page is fetched on a pool thread and only the
newest query's answer is shown, so the window never waits on the store; later pages are keyset
pages fetched as the table scrolls. Enter or double-click opens the person file.
"""

from __future__ import annotations

import itertools
import time
import uuid

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.text import persian_digits
from desktop.services.search import SearchPage, search_people

from .context import ViewContext
from .person_file import PersonFileDialog, open_person_file
from .person_table_model import PersonTableModel

DEBOUNCE_MS = 250


class _Answer(QObject):
    ready = Signal(int, str, object, float)  # generation, text, SearchPage or exception, seconds


class _SearchJob(QRunnable):
    def __init__(self, ctx: ViewContext, generation: int, text: str, answer: _Answer) -> None:
        super().__init__()
        self.ctx, self.generation, self.text, self.answer = ctx, generation, text, answer

    def run(self) -> None:
        started = time.perf_counter()
        try:
            result: object = search_people(self.ctx.store, self.ctx.actor, self.text)
        except Exception as exc:  # noqa: BLE001 - shown on the GUI thread
            result = exc
        self.answer.ready.emit(self.generation, self.text, result, time.perf_counter() - started)


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
        self._answer = _Answer(self)
        self._answer.ready.connect(self._on_answer)
        self.model = PersonTableModel(self._next_page, self)
        self._build()

    def _build(self) -> None:
        self.query = QLineEdit()
        self.query.setPlaceholderText("کد ملی، شماره تامین اجتماعی، شماره بیمه یا نام و نام خانوادگی…")
        self.query.setClearButtonEnabled(True)
        self.query.setMinimumHeight(34)
        self.status = QLabel("برای جستجو تایپ کنید.")
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
        layout.addWidget(self.table)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self.search_now)
        self.query.textChanged.connect(lambda _t: self._debounce.start())
        self.query.returnPressed.connect(self._enter_in_box)
        self.table.activated_row.connect(self.open_row)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        # Widget context: Down must still move the cursor once the table has focus.
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.query, activated=self._to_results,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.setFocusProxy(self.query)

    # --- searching -----------------------------------------------------------------------
    def search_now(self) -> None:
        self._debounce.stop()
        text = self.query.text()
        self._current = next(self._generation)
        if not text.strip():
            self.model.clear()
            self.status.setText("برای جستجو تایپ کنید.")
            return
        self.status.setText("در حال جستجو…")
        QThreadPool.globalInstance().start(_SearchJob(self.ctx, self._current, text, self._answer))

    def _on_answer(self, generation: int, text: str, result: object, seconds: float) -> None:
        if generation != self._current:  # an older query answered late: the clerk typed on
            return
        if not isinstance(result, SearchPage):
            self.model.clear()
            self.status.setText(getattr(result, "fa", None) or f"خطا در جستجو: {result}")
            return
        self.model.show_page(text, result)
        self.last_seconds = seconds
        self.status.setText(result.message or self._summary(result, seconds))
        if self.model.rowCount():
            self.table.selectRow(0)

    def _summary(self, page: SearchPage, seconds: float) -> str:
        if not page.hits:
            return "کسی با این مشخصات پیدا نشد."
        count = persian_digits(len(page.hits)) + ("+" if page.next_cursor is not None else "")
        return f"{count} نفر ({persian_digits(round(seconds * 1000))} میلی‌ثانیه) — Enter پرونده را باز می‌کند."

    def _next_page(self, text: str, after: int | None) -> SearchPage:
        return search_people(self.ctx.store, self.ctx.actor, text, after=after)

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
        try:
            dialog = open_person_file(self.ctx, person_id, self)
        except Exception as exc:  # noqa: BLE001 - e.g. the person left the store meanwhile
            QMessageBox.warning(self, "پرونده شخص", getattr(exc, "fa", None) or str(exc))
            return None
        self.opened.append(dialog)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self.opened.remove(d) if d in self.opened else None)
        return dialog
