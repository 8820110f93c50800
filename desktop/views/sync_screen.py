"""The sync screen (Ctrl+8): the state of headquarters sync, «همگام‌سازی اکنون» with progress and
cancel, the history of recent rounds, HQ's refusals (roles with `sync.quarantine`) and the
conflicts HQ told this branch about. It refreshes from the change channel, never by polling."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import allowed
from desktop.domain.text import persian_digits
from desktop.services.actor import Actor
from desktop.services.changes import ChangeKind, Changes
from desktop.services.store import Store
from desktop.services.sync import (
    ConflictRow,
    QuarantinedChange,
    SyncStatus,
    open_conflicts,
    quarantine_list,
    sync_status,
)
from desktop.sync.round import SyncReport

from .context import ViewContext
from .messages import error_text
from .operations import Job, Newest, Operation
from .rtl import VALUE_ALIGNMENT, code_run, ltr_run
from .sync_runner import run_round
from .sync_text import (
    CONFLICT_TEXT,
    ENTITY_TEXT,
    OUTCOME_TEXT,
    STATE_COLOUR,
    STATE_TEXT,
    ago,
    connection_state,
    error_words,
    jalali_time,
)

STAGE_TEXT = {"push": "فرستادن تغییرها به ستاد", "pull": "گرفتن تغییرها از ستاد"}


@dataclass(frozen=True)
class SyncView:
    status: SyncStatus
    quarantine: tuple[QuarantinedChange, ...] | None  # None: the role may not see it
    conflicts: tuple[ConflictRow, ...]


def load_view(store: Store, actor: Actor) -> SyncView:
    quarantine = (tuple(quarantine_list(store, actor)) if allowed(actor.role, "sync.quarantine")
                  else None)
    return SyncView(sync_status(store, actor), quarantine, tuple(open_conflicts(store, actor)))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], tips: list[str] | None = None) -> None:
    """Rows of text; `tips[r]`, when given, is row r's tooltip (e.g. the English detail)."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if tips and tips[r]:
                item.setToolTip(tips[r])
            table.setItem(r, c, item)


def _count(n: int) -> str:
    return persian_digits(n)


class Screen(QWidget):
    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.view: SyncView | None = None
        self._loads: Newest[SyncView] = Newest(self.show_view)
        self.operation: Operation[SyncReport] | None = None
        title = QLabel("همگام‌سازی با ستاد")
        title.setObjectName("title")

        self.facts = {key: QLabel("…") for key in (
            "hq", "state", "last_success", "last_attempt", "last_error", "pending", "quarantined",
            "conflicts", "leases")}
        form = QFormLayout()
        for key, label in (("hq", "ستاد"), ("state", "وضعیت"),
                           ("last_success", "آخرین همگام‌سازی موفق"), ("last_attempt", "آخرین تلاش"),
                           ("last_error", "آخرین خطا"), ("pending", "تغییرهای در صف ارسال"),
                           ("quarantined", "تغییرهای نپذیرفته ستاد"), ("conflicts", "ناسازگاری‌های باز"),
                           ("leases", "شماره‌های باقی‌مانده")):
            self.facts[key].setWordWrap(True)
            self.facts[key].setAlignment(VALUE_ALIGNMENT)  # a number or an address sits by its label
            form.addRow(f"{label}:", self.facts[key])

        self.sync_button = QPushButton("همگام‌سازی اکنون")
        self.sync_button.setObjectName("primary")
        self.sync_button.clicked.connect(self.sync_now)
        self.sync_button.setVisible(allowed(ctx.actor.role, "sync.run"))
        self.result = QLabel("")
        self.result.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.result, 1)

        self.rounds = _table(["زمان", "نتیجه", "فرستاده", "دریافتی", "نپذیرفته", "خطا"])
        self.quarantine = _table(["زمان", "نوع", "شناسه", "عمل", "دلیل ستاد"])
        self.conflicts = _table(["نوع", "کد ملی", "شعبه‌ها", "از"])
        self.quarantine_box = self._box("تغییرهای نپذیرفته ستاد", self.quarantine)
        self.quarantine_box.setVisible(allowed(ctx.actor.role, "sync.quarantine"))

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self._box("دورهای اخیر همگام‌سازی", self.rounds), 2)
        layout.addWidget(self.quarantine_box, 1)
        layout.addWidget(self._box("ناسازگاری‌های باز این شعبه", self.conflicts), 1)
        ctx.changes.changed.connect(self._on_changes)
        self.reload()

    @staticmethod
    def _box(title: str, table: QTableWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(table)
        return box

    # --- loading ---------------------------------------------------------------------------
    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ChangeKind.SYNC, ChangeKind.OUTBOX, ChangeKind.SETTINGS):
            self.reload()

    def reload(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        Operation(self, lambda _job: load_view(store, actor)).quietly().on_success(self._loads.ask()).run()

    def show_view(self, view: SyncView) -> None:
        self.view = view
        s = view.status
        state = connection_state(s)
        self.facts["hq"].setText(ltr_run(s.hq_url) if s.hq_url else "—")
        self.facts["state"].setText(f"<span style='color:{STATE_COLOUR[state]}'>{STATE_TEXT[state]}</span>")
        self.facts["last_success"].setText(
            f"{ago(s.last_success)} ({jalali_time(s.last_success)})" if s.last_success else "هنوز نه")
        self.facts["last_attempt"].setText(jalali_time(s.last_attempt))
        last = s.rounds[0] if s.rounds else None
        self.facts["last_error"].setText(
            error_words(last.outcome, s.last_error) if last and s.last_error else "—")
        self.facts["last_error"].setToolTip(s.last_error or "")
        self.facts["pending"].setText(_count(s.pending))
        self.facts["quarantined"].setText(_count(s.quarantined))
        self.facts["conflicts"].setText(_count(s.conflicts))
        self.facts["leases"].setText(f"شماره تامین اجتماعی: {_count(s.lease.ssn_left)} — "
                                     f"شماره موقت مرکزی: {_count(s.lease.central_left)}")
        _fill(self.rounds, [[jalali_time(r.started_at), OUTCOME_TEXT.get(r.outcome, r.outcome),
                             _count(r.pushed), _count(r.pulled), _count(r.quarantined),
                             error_words(r.outcome, r.error)] for r in s.rounds],
              tips=[r.error or "" for r in s.rounds])
        if view.quarantine is not None:
            _fill(self.quarantine, [[jalali_time(q.at), ENTITY_TEXT.get(q.entity, ltr_run(q.entity)),
                                     code_run(q.entity_id), ltr_run(q.op), q.reason_fa]
                                    for q in view.quarantine],
                  tips=[q.reason_en for q in view.quarantine])
        _fill(self.conflicts, [[CONFLICT_TEXT.get(c.kind, ltr_run(c.kind)), code_run(c.national_code or ""),
                                "، ".join(code_run(b) for b in c.branches), jalali_time(c.created_at)]
                               for c in view.conflicts])

    # --- sync now --------------------------------------------------------------------------
    def sync_now(self) -> None:
        if self.operation is not None:
            return
        store, actor = self.ctx.store, self.ctx.actor

        def work(job: Job) -> SyncReport:
            return run_round(store, actor, job,
                             progress=lambda stage, n: job.progress(n, 0, STAGE_TEXT.get(stage, stage)))

        self.sync_button.setEnabled(False)
        self.result.setText("در حال همگام‌سازی…")
        self.operation = Operation(self, work, title="همگام‌سازی با ستاد") \
            .with_progress(cancellable=True).on_success(self._done).on_failure(self._failed) \
            .on_cancelled(self._cancelled).on_finished(self._finished)
        self.operation.run()

    def _done(self, report: SyncReport) -> None:
        self.result.setText(f"همگام‌سازی انجام شد: {_count(report.pushed)} تغییر فرستاده شد، "
                            f"{_count(report.pulled)} تغییر دریافت شد، {_count(report.quarantined)} "
                            f"تغییر پذیرفته نشد.")

    def _failed(self, exc: BaseException) -> None:
        # Offline is normal: said on the screen, never in a box that stops the clerk.
        self.result.setText(error_text(exc))

    def _cancelled(self) -> None:
        self.result.setText("همگام‌سازی لغو شد؛ آنچه فرستاده شده بود محفوظ است و بقیه در دور بعد می‌رود.")

    def _finished(self) -> None:
        self.operation = None
        self.sync_button.setEnabled(True)
        self.reload()
