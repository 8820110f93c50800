"""Dependants at the counter (افراد تبعی, SPEC §3): the request on one side, the rules engine's
verdict on the other — recomputed as the clerk types — then registration (SSN + central
temporary number). A second tab lists links due to end soon and records an end.

The engine, the look-ups and the registration run off the GUI thread; while a registration runs
its button is disabled, so Enter pressed twice registers once."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.dependants import Verdict
from desktop.domain.errors import Refused
from desktop.domain.text import persian_digits
from desktop.services.dependants import DependantResult, add_dependant
from desktop.views.context import ViewContext

from .enrolment.dependant_form import DependantForm, paper_inputs
from .enrolment.drafts_ui import DraftBar, DraftKeeper
from .enrolment.due_list import DueList
from .enrolment.fields import confirm, error_label, show_message
from .enrolment.live import expected_failure_text
from .enrolment.outcome import summary_html
from .messages import show_error
from .operations import Operation
from .rtl import code_run


class Screen(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: DependantResult | None = None
        self.registering = False
        self._offered_drafts = False
        self.form = DependantForm(ctx)
        self.bar = DraftBar(ctx, "dependant")
        self.keeper = DraftKeeper(ctx, "dependant", self._draft_payload, self)
        self.bar.exclude = lambda: self.keeper.draft_id
        self.register_button = QPushButton("ثبت فرد تبعی و تخصیص شماره (Ctrl+Enter)")
        self.register_button.setObjectName("primary")
        self.register_button.setAutoDefault(True)
        self.new_button = QPushButton("درخواست تازه (Ctrl+N)")
        self.message = error_label()
        self.outcome = QLabel()
        self.due = DueList(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._request_tab(), "ثبت فرد تبعی")
        self.tabs.addTab(self.due, "پایان‌های نزدیک")
        box = QVBoxLayout(self)
        box.addWidget(self.bar)
        box.addWidget(self.tabs, 1)
        self._wire()
        self.form.focus_first()

    def _request_tab(self) -> QWidget:
        verdict_box = QGroupBox("پاسخ قواعد (بی‌درنگ)")
        side = QVBoxLayout(verdict_box)
        side.addWidget(self.form.note)
        side.addStretch(1)
        side.addWidget(self.outcome)
        buttons = QHBoxLayout()
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        side.addLayout(buttons)
        side.addWidget(self.message)
        self.form.note.setWordWrap(True)
        self.form.note.setMinimumWidth(380)
        # The form scrolls inside the tab: paper-date rows appearing never grow the window past
        # the screen (issue 9 item 8).
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(self.form)
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addWidget(self.form_scroll, 3)
        row.addWidget(verdict_box, 2)
        return tab

    def _wire(self) -> None:
        self.form.changed.connect(self.keeper.touch)
        self.form.verdict_changed.connect(self._refresh_button)
        self.form.advance.connect(self.register_button.setFocus)
        self.register_button.clicked.connect(self.register)
        self.new_button.clicked.connect(self.start_over)
        self.bar.resume.connect(self.resume)
        self.bar.listed.connect(self._offer_drafts)
        self.keeper.saved.connect(lambda _id: self.bar.show_drafts())
        for keys, slot in (("Ctrl+Return", self.register), ("Ctrl+Enter", self.register),
                           ("Ctrl+N", self.start_over), ("Ctrl+S", self.keeper.save_now),
                           ("F5", self.due.refresh)):
            QShortcut(QKeySequence(keys), self, slot)
        self._refresh_button()

    def _refresh_button(self) -> None:
        self.register_button.setEnabled(
            not self.registering and bool(self.form.verdict and self.form.verdict.eligible))

    def register(self) -> None:
        """Register off the GUI thread (papers read there too); one registration at a time."""
        if self.registering or (self.result is not None and not self.register_button.isEnabled()):
            return  # under way, or just registered and nothing changed since
        problem = self.form.problem()
        if problem:
            show_message(self.message, problem)
            return
        args, options = self.form.request()
        papers, slot = [dict(p) for p in self.form.papers], self.keeper.slot
        store, actor = self.ctx.store, self.ctx.actor

        def work(_job: object) -> DependantResult:
            result = add_dependant(store, actor, *args, papers=paper_inputs(papers, with_data=True), **options)
            slot.discard(store, actor)  # registered: the draft goes, even if the screen closed meanwhile
            return result

        self.registering = True
        self._refresh_button()
        show_message(self.message, "در حال ثبت…")
        (Operation(self, work)
         .on_success(self._registered)
         .on_failure(lambda exc: self._refused(args[2], exc))
         .on_finished(self._register_finished)
         .run())

    def _refused(self, relation: str, exc: BaseException) -> None:
        if isinstance(exc, Refused):  # the store changed since the live check: the engine's reasons
            self.form.show_refusal(_refused_verdict(relation, exc))
            show_message(self.message, "ثبت نشد؛ دلایل در کادر آمده است.")
            return
        text = expected_failure_text(exc)
        show_message(self.message, text or "")
        if text is None:
            show_error(self, exc)

    def _register_finished(self) -> None:
        self.registering = False
        if self.result is None:
            self._refresh_button()
            if self.register_button.isEnabled():
                self.register_button.setFocus()  # disabling it moved the focus away

    def _registered(self, result: DependantResult) -> None:
        self.result = result
        show_message(self.message, "")
        self.keeper.detach()
        r = result
        self.outcome.setText(summary_html([
            ("ثبت شد:", "✔"), ("شماره تامین اجتماعی:", code_run(r.ssn)),
            ("شماره موقت متمرکز:", code_run(r.central_temporary) if r.central_temporary else ""),
            ("مدارک بایگانی‌شده:", persian_digits(len(r.papers))),
        ]))
        self.register_button.setEnabled(False)
        self.new_button.setFocus()

    # --- drafts ----------------------------------------------------------------------------
    def _draft_payload(self) -> tuple[dict[str, Any], str]:
        title = " ← ".join(persian_digits(x) for x in (self.form.candidate.text(), self.form.main.text()) if x)
        return self.form.values(), title or "فرد تبعی"

    def _offer_drafts(self, count: int) -> None:
        """On opening, drafts left unfinished take the focus (Enter resumes the newest) — unless
        the clerk has started typing meanwhile."""
        if self._offered_drafts or not count:
            return  # a draft still being written by a screen just closed is offered when it lands
        if self.keeper.revision == 0:
            self._offered_drafts = True
            self.bar.resume_button.setFocus()

    def resume(self, draft_id: uuid.UUID) -> None:
        self.keeper.resume(self, draft_id, self._restore)

    def _restore(self, values: dict[str, Any]) -> None:
        self.result = None
        self.outcome.setText("")
        self.form.restore(values)
        self.bar.show_drafts()
        self.form.focus_first()

    def start_over(self) -> None:
        if self.registering:
            return  # the registration under way decides what comes next
        if self.result is None and self.keeper.dirty and not confirm(self, "فرم نیمه‌کاره کنار گذاشته شود؟ (پیش‌نویس آن می‌ماند)"):
            return
        self.keeper.save_now()
        self.keeper.draft_id, self.result = None, None
        self.keeper.paused = True
        self.form.reset()
        self.keeper.paused, self.keeper.dirty = False, False
        self.outcome.setText("")
        self.bar.show_drafts()
        self._refresh_button()
        self.form.focus_first()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.keeper.save_now()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.keeper.save_now()
        super().closeEvent(event)


def _refused_verdict(relation: str, exc: Refused) -> Verdict:
    return Verdict(relation=relation, eligible=False, reasons=tuple(exc.reasons))
