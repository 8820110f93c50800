"""Dependants at the counter (افراد تبعی, SPEC §3): the request on one side, the rules engine's
verdict on the other — recomputed as the clerk types — then registration (SSN + central
temporary number). A second tab lists links due to end soon and records an end."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.dependants import Verdict
from desktop.domain.errors import DomainError, Refused
from desktop.domain.text import persian_digits
from desktop.services.dependants import DependantResult, add_dependant
from desktop.views.context import ViewContext

from .enrolment.dependant_form import DependantForm, verdict_html
from .enrolment.drafts_ui import DraftBar, DraftKeeper
from .enrolment.due_list import DueList
from .enrolment.fields import confirm, error_label, show_message
from .enrolment.outcome import summary_html


class Screen(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: DependantResult | None = None
        self.form = DependantForm(ctx)
        self.bar = DraftBar(ctx, "dependant")
        self.keeper = DraftKeeper(ctx, "dependant", self._draft_payload, self)
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
        if self.bar.drafts.count():
            self.bar.resume_button.setFocus()

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
        tab = QWidget()
        row = QHBoxLayout(tab)
        row.addWidget(self.form, 3)
        row.addWidget(verdict_box, 2)
        return tab

    def _wire(self) -> None:
        self.form.changed.connect(self.keeper.touch)
        self.form.changed.connect(self._refresh_button)
        self.form.advance.connect(self.register_button.setFocus)
        self.register_button.clicked.connect(self.register)
        self.new_button.clicked.connect(self.start_over)
        self.bar.resume.connect(self.resume)
        for keys, slot in (("Ctrl+Return", self.register), ("Ctrl+Enter", self.register),
                           ("Ctrl+N", self.start_over), ("Ctrl+S", self.keeper.save_now),
                           ("F5", self.due.refresh)):
            QShortcut(QKeySequence(keys), self, slot)
        self._refresh_button()

    def _refresh_button(self) -> None:
        self.register_button.setEnabled(bool(self.form.verdict and self.form.verdict.eligible))

    def register(self) -> None:
        problem = self.form.problem()
        if problem:
            show_message(self.message, problem)
            return
        args, options = self.form.request()
        try:
            papers = self.form.paper_inputs(with_data=True)
            self.result = add_dependant(self.ctx.store, self.ctx.actor, *args, papers=papers, **options)
        except Refused as exc:  # the store changed since the live check: show the engine's reasons
            self.form.note.setText(verdict_html(_refused_verdict(args[2], exc)))
            show_message(self.message, "ثبت نشد؛ دلایل در کادر آمده است.")
            return
        except (DomainError, OSError) as exc:
            show_message(self.message, getattr(exc, "fa", None) or f"فایل خوانده نشد: {exc}")
            return
        show_message(self.message, "")
        self.keeper.forget()
        self.bar.refresh()
        r = self.result
        self.outcome.setText(summary_html([
            ("ثبت شد:", "✔"), ("شماره تامین اجتماعی:", persian_digits(r.ssn)),
            ("شماره موقت متمرکز:", persian_digits(r.central_temporary)),
            ("مدارک بایگانی‌شده:", persian_digits(len(r.papers))),
        ]))
        self.register_button.setEnabled(False)
        self.new_button.setFocus()

    # --- drafts ----------------------------------------------------------------------------
    def _draft_payload(self) -> tuple[dict[str, Any], str]:
        title = " ← ".join(persian_digits(x) for x in (self.form.candidate.text(), self.form.main.text()) if x)
        return self.form.values(), title or "فرد تبعی"

    def resume(self, draft_id: uuid.UUID) -> None:
        if self.keeper.resume(self, draft_id, self.form.restore) is None:
            return
        self.bar.refresh(exclude=draft_id)
        self._refresh_button()
        self.form.focus_first()

    def start_over(self) -> None:
        if self.result is None and self.keeper.dirty and not confirm(self, "فرم نیمه‌کاره کنار گذاشته شود؟ (پیش‌نویس آن می‌ماند)"):
            return
        self.keeper.save_now()
        self.keeper.draft_id, self.result = None, None
        self.keeper.paused = True
        self.form.reset()
        self.keeper.paused, self.keeper.dirty = False, False
        self.outcome.setText("")
        self.bar.refresh()
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
