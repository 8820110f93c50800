"""The corrections screen (اصلاح سوابق, Ctrl+4; SPEC §5.2).

- «درخواست اصلاح» (clerks and supervisors): find a person by national code or SSN (or arrive
  from their file), pick a monthly line of the individual account, and file the request form.
- «در انتظار تصمیم من» (supervisors): the open requests they may decide — never their own —
  with the decision panel beside them (correction_decision.py); the count is on the tab and in
  the navigation (views/corrections_badge.py).
- «همه درخواست‌ها»: every request and its state; the person file's ledger link lands here.
- «بررسی درستی دفتر» (supervisors): `ledger verify`, naming the first bad entry.
Everything runs through `Operation`; the lists reload from the change channel.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.corrections import FIELD_TITLES, STATUS_TITLES
from desktop.domain.errors import DomainError
from desktop.domain.jalali import MONTHS_FA
from desktop.domain.roles import allowed
from desktop.domain.text import persian_digits
from desktop.services.account import Account, AccountLine, account_of
from desktop.services.actor import Actor
from desktop.services.changes import ChangeKind, Changes
from desktop.services.corrections import CorrectionView, FiledRequest, list_corrections
from desktop.services.ledger import LedgerReport, verify_ledger
from desktop.services.store import Store

from .context import ScreenRequest, ViewContext
from .correction_decision import DecisionPanel
from .correction_form import CorrectionRequestForm
from .messages import error_text
from .operations import Newest, Operation
from .person_file_parts import money, table
from .rtl import VALUE_ALIGNMENT, code_run


def find_account(store: Store, actor: Actor, text: str) -> Account:
    """A national code, else an SSN (both are ten digits)."""
    try:
        return account_of(store, actor, national_code=text)
    except DomainError:
        return account_of(store, actor, ssn=text)


def line_rows(lines: tuple[AccountLine, ...]) -> list[tuple[str, ...]]:
    return [(persian_digits(x.year), MONTHS_FA[x.month - 1], persian_digits(x.days), money(x.wage),
             persian_digits(x.rate), x.job or "—", code_run(x.workshop_code) if x.workshop_code else "—",
             "اصلاحیه" if x.supersedes else "سند ماهانه") for x in lines]


def request_rows(views: tuple[CorrectionView, ...]) -> list[tuple[str, ...]]:
    return [(persian_digits(v.period), v.person_name, code_run(v.national_code or "—"),
             "، ".join(FIELD_TITLES.get(f, f) for f, _o, _n in v.changes), v.requested_by_name or v.requested_by,
             persian_digits(v.requested_at), STATUS_TITLES.get(v.status, v.status)) for v in views]


def refill(target: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    """New rows in a table made by `person_file_parts.table`, keeping its widget (and focus)."""
    target.blockSignals(True)
    target.clearContents()
    target.clearSpans()
    target.setRowCount(max(len(rows), 1))
    if not rows:
        target.setSpan(0, 0, 1, target.columnCount())
        target.setItem(0, 0, QTableWidgetItem("موردی ثبت نشده است."))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            item.setTextAlignment(VALUE_ALIGNMENT)
            target.setItem(r, c, item)
    target.blockSignals(False)


REQUEST_HEADERS = ("دوره", "شخص", "کد ملی", "اجزا", "درخواست‌کننده", "زمان", "وضعیت")


class Screen(QWidget):
    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        role = ctx.actor.role
        self.can_decide = allowed(role, "correction.decide")
        self.account: Account | None = None
        self._list_loads: Newest[tuple[tuple[CorrectionView, ...], tuple[CorrectionView, ...]]] = \
            Newest(self._show_lists)
        self.queue: tuple[CorrectionView, ...] = ()
        self.requests: tuple[CorrectionView, ...] = ()
        self.pending_item: uuid.UUID | None = None
        self.form: CorrectionRequestForm
        self.queue_panel: DecisionPanel
        self.all_panel: DecisionPanel
        title = QLabel("اصلاح سوابق — دفتر اصلاح سند بیمه‌ای")
        title.setObjectName("title")
        self.verify_button = QPushButton("بررسی درستی دفتر")
        self.verify_button.clicked.connect(self.verify)
        self.verify_button.setVisible(self.can_decide)
        self.verify_result = QLabel("")
        self.verify_result.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.verify_result, 2)
        top.addWidget(self.verify_button)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._request_tab(), "درخواست اصلاح")
        if self.can_decide:
            self.tabs.addTab(self._queue_tab(), "در انتظار تصمیم من")
        self.tabs.addTab(self._all_tab(), "همه درخواست‌ها")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        ctx.changes.changed.connect(self._on_changes)
        self.reload_lists()
        if self.can_decide:
            self.tabs.setCurrentIndex(1)  # a supervisor's day starts at the queue

    # --- building --------------------------------------------------------------------------
    def _request_tab(self) -> QWidget:
        page = QWidget()
        self.lookup = QLineEdit()
        self.lookup.setPlaceholderText("کد ملی یا شماره تامین اجتماعی")
        self.lookup.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.lookup.returnPressed.connect(self.find_person)
        find = QPushButton("نمایش حساب انفرادی")
        find.clicked.connect(self.find_person)
        self.person_label = QLabel("")
        self.person_label.setTextFormat(Qt.TextFormat.RichText)
        row = QHBoxLayout()
        row.addWidget(QLabel("شخص:"))
        row.addWidget(self.lookup, 1)
        row.addWidget(find)
        row.addWidget(self.person_label, 2)
        self.lines = table(("سال", "ماه", "روز", "دستمزد", "نرخ", "شغل", "کارگاه", "سند"), [], min_rows=6)
        self.lines.itemSelectionChanged.connect(self._line_picked)
        self.lines.activated.connect(lambda _index: self.form.first_field().setFocus())
        self.form = CorrectionRequestForm(self.ctx)
        self.form.filed.connect(self._filed)
        self.filed_note = QLabel("")
        self.filed_note.setStyleSheet("color: #1e8449")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.lines)
        split.addWidget(self.form)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(QLabel("سطرهای جاری حساب انفرادی (سطری را برگزینید و Enter بزنید):"))
        layout.addWidget(split, 1)
        layout.addWidget(self.filed_note)
        return page

    def _queue_tab(self) -> QWidget:
        self.queue_table = table(REQUEST_HEADERS, [], min_rows=4)
        self.queue_table.itemSelectionChanged.connect(
            lambda: self._picked(self.queue_table, self.queue, self.queue_panel))
        self.queue_table.activated.connect(lambda _i: self.queue_panel.first_field().setFocus())
        self.queue_panel = DecisionPanel(self.ctx)
        return self._split(self.queue_table, self.queue_panel)

    def _all_tab(self) -> QWidget:
        self.all_table = table(REQUEST_HEADERS, [], min_rows=4)
        self.all_table.itemSelectionChanged.connect(
            lambda: self._picked(self.all_table, self.requests, self.all_panel))
        self.all_panel = DecisionPanel(self.ctx)
        for button in (self.all_panel.approve_button, self.all_panel.reject_button, self.all_panel.reason):
            button.setVisible(self.can_decide)
        return self._split(self.all_table, self.all_panel)

    @staticmethod
    def _split(listing: QWidget, panel: QWidget) -> QSplitter:
        split = QSplitter(Qt.Orientation.Vertical)
        listing.setMaximumHeight(230)  # a few rows at a glance; the decision needs the room
        split.addWidget(listing)
        split.addWidget(panel)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        return split

    def first_field(self) -> QWidget:
        if self.can_decide and self.tabs.currentIndex() == 1:
            return self.queue_table
        return self.lookup

    # --- loading ---------------------------------------------------------------------------
    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ChangeKind.CORRECTIONS, ChangeKind.ACCOUNTS, ChangeKind.USERS):
            self.reload_lists()
            if self.account is not None:
                self.load_person(self.account.person_id)

    def reload_lists(self) -> None:
        store, actor, decide = self.ctx.store, self.ctx.actor, self.can_decide

        def load(_job: object) -> tuple[tuple[CorrectionView, ...], tuple[CorrectionView, ...]]:
            queue = list_corrections(store, actor, waiting_for_me=True) if decide else ()
            return queue, tuple(reversed(list_corrections(store, actor, "all")))

        Operation(self, load).quietly().on_success(self._list_loads.ask()).run()

    def _show_lists(self, lists: tuple[tuple[CorrectionView, ...], tuple[CorrectionView, ...]]) -> None:
        self.queue, self.requests = lists
        if self.can_decide:
            self._fill(self.queue_table, self.queue, self.queue_panel)
            self.tabs.setTabText(1, f"در انتظار تصمیم من ({persian_digits(len(self.queue))})")
        self._fill(self.all_table, self.requests, self.all_panel)
        if self.pending_item is not None:
            self.show_request(self.pending_item)

    def _fill(self, target: QTableWidget, views: tuple[CorrectionView, ...], panel: DecisionPanel) -> None:
        shown = panel.detail.view.id if panel.detail else None
        refill(target, request_rows(views))
        ids = [v.id for v in views]
        if shown in ids:
            target.setCurrentCell(ids.index(shown), 0)
            panel.load(shown)
        elif shown is not None:
            panel.show_detail(None)

    def _picked(self, target: QTableWidget, views: tuple[CorrectionView, ...], panel: DecisionPanel) -> None:
        rows = {i.row() for i in target.selectedIndexes()}
        if len(rows) == 1 and (row := rows.pop()) < len(views):
            panel.load(views[row].id)

    # --- the request tab -------------------------------------------------------------------
    def find_person(self) -> None:
        store, actor, text = self.ctx.store, self.ctx.actor, self.lookup.text()
        Operation(self, lambda _job: find_account(store, actor, text)).on_success(self.show_account) \
            .on_failure(lambda exc: self.person_label.setText(
                f"<span style='color:#b03a2e'>{error_text(exc)}</span>")).run()

    def load_person(self, person_id: uuid.UUID) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        Operation(self, lambda _job: account_of(store, actor, person_id=person_id)).quietly() \
            .on_success(self.show_account).run()

    def show_account(self, account: Account) -> None:
        self.account = account
        self.person_label.setText(f"<b>{account.full_name}</b> — شماره تامین اجتماعی {code_run(account.ssn)}")
        refill(self.lines, line_rows(account.monthly))
        self.form.set_line(None)

    def _line_picked(self) -> None:
        rows = {i.row() for i in self.lines.selectedIndexes()}
        monthly = self.account.monthly if self.account else ()
        if len(rows) == 1 and (row := rows.pop()) < len(monthly):
            self.form.set_line(monthly[row])

    def pick_line(self, line_id: uuid.UUID) -> None:
        monthly = self.account.monthly if self.account else ()
        for row, line in enumerate(monthly):
            if line.line_id == line_id:
                self.lines.setCurrentCell(row, 0)

    def _filed(self, filed: FiledRequest) -> None:
        self.filed_note.setText(f"درخواست ثبت شد ({code_run(filed.id.hex[:8])}) و در صف تصمیم سرپرست است.")

    # --- arriving from elsewhere -----------------------------------------------------------
    def preselect(self, request: ScreenRequest) -> None:
        """From a person file: that person's account on the request tab, or — from its ledger
        link — the request itself on the list of all requests."""
        item = getattr(request, "item", None)
        if item is not None:
            self.tabs.setCurrentIndex(self.tabs.count() - 1)
            self.show_request(item)
        elif request.person_id is not None:
            self.tabs.setCurrentIndex(0)
            self.load_person(request.person_id)
            self.lines.setFocus()

    def show_request(self, request_id: uuid.UUID) -> None:
        ids = [v.id for v in self.requests]
        if request_id in ids:
            self.pending_item = None
            self.all_table.setCurrentCell(ids.index(request_id), 0)
            self.all_panel.load(request_id)
        else:
            self.pending_item = request_id  # the list is still loading

    # --- the ledger ------------------------------------------------------------------------
    def verify(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        self.verify_button.setEnabled(False)
        (Operation(self, lambda _job: verify_ledger(store, actor), title="بررسی دفتر اصلاح")
         .on_success(self._verified)
         .on_finished(lambda: self.verify_button.setEnabled(True))
         .run())

    def _verified(self, report: LedgerReport) -> None:
        bad = report.first_bad
        if bad is None:
            self.verify_result.setText(f"<span style='color:#1e8449'>دفتر سالم است: "
                                       f"{persian_digits(report.entries)} ردیف.</span>")
        else:
            self.verify_result.setText(f"<span style='color:#b03a2e'>دفتر آسیب دیده است؛ نخستین ردیف نادرست "
                                       f"{persian_digits(bad.seq)}: {bad.fa}</span>")
