"""Drafts on screen: a keeper that autosaves the form (debounced on each change, every few
seconds while dirty, and on close) and a bar that offers to resume or discard old drafts."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.domain.errors import DomainError
from desktop.domain.jalali import format_jalali
from desktop.domain.text import persian_digits
from desktop.services.drafts import DraftSummary, discard_draft, list_drafts, load_draft, save_draft
from desktop.views.context import ViewContext

from .fields import confirm

Collect = Callable[[], tuple[dict[str, Any], str]]  # → (payload, title)


class DraftKeeper(QObject):
    saved = Signal(object)  # the draft id

    def __init__(self, ctx: ViewContext, kind: str, collect: Collect, parent: QObject | None = None, *,
                 debounce_ms: int = 1500, every_ms: int = 8000) -> None:
        super().__init__(parent)
        self.ctx, self.kind, self.collect = ctx, kind, collect
        self.draft_id: uuid.UUID | None = None
        self.dirty = False
        self.paused = False  # while a draft is being restored its own changes are not news
        self.debounce = QTimer(self, singleShot=True, interval=debounce_ms)
        self.debounce.timeout.connect(self.save_now)
        self.ticker = QTimer(self, interval=every_ms)
        self.ticker.timeout.connect(self.save_now)
        self.ticker.start()

    def touch(self) -> None:
        if self.paused:
            return
        self.dirty = True
        self.debounce.start()

    def save_now(self) -> None:
        if not self.dirty:
            return
        payload, title = self.collect()
        try:
            self.draft_id = save_draft(self.ctx.store, self.ctx.actor, self.kind, payload,
                                       title=title, draft_id=self.draft_id)
        except DomainError:
            return  # a draft that cannot be kept must not stop the clerk's work
        self.dirty = False
        self.saved.emit(self.draft_id)

    def adopt(self, draft_id: uuid.UUID) -> dict[str, Any]:
        self.draft_id, self.dirty = draft_id, False
        return load_draft(self.ctx.store, self.ctx.actor, draft_id)

    def resume(self, owner: QWidget, draft_id: uuid.UUID, restore: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        """Switch the form to a saved draft: ask before dropping unsaved work, keep the current
        form as its own draft, and restore without the restoring itself counting as a change."""
        if self.dirty and not confirm(owner, "فرم فعلی کنار گذاشته و پیش‌نویس باز شود؟"):
            return None
        self.save_now()
        payload = self.adopt(draft_id)
        self.paused = True
        try:
            restore(payload)
        finally:
            self.paused = False
        return payload

    def forget(self) -> None:
        """The form was submitted or thrown away: its draft goes too."""
        self.debounce.stop()
        if self.draft_id is not None:
            with contextlib.suppress(DomainError):
                discard_draft(self.ctx.store, self.ctx.actor, self.draft_id)
        self.draft_id, self.dirty = None, False


class DraftBar(QFrame):
    """'You have unfinished drafts': pick one, resume it (Enter) or discard it."""

    resume = Signal(object)
    discarded = Signal(object)

    def __init__(self, ctx: ViewContext, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.kind = ctx, kind
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("DraftBar { background: #fff8e1; border: 1px solid #e0c46c; border-radius: 6px; }")
        self.label = QLabel()
        self.drafts = QComboBox()
        self.resume_button = QPushButton("ادامه پیش‌نویس")
        self.resume_button.setObjectName("primary")
        self.discard_button = QPushButton("حذف پیش‌نویس")
        for button in (self.resume_button, self.discard_button):
            button.setAutoDefault(True)  # Enter presses a focused button, outside dialogs too
        row = QHBoxLayout(self)
        for w in (self.label, self.drafts, self.resume_button, self.discard_button):
            row.addWidget(w)
        row.addStretch(1)
        self.resume_button.clicked.connect(lambda: self._emit(self.resume))
        self.discard_button.clicked.connect(self._discard)
        self.refresh()

    def refresh(self, exclude: uuid.UUID | None = None) -> list[DraftSummary]:
        try:
            drafts = [d for d in list_drafts(self.ctx.store, self.ctx.actor, self.kind) if d.id != exclude]
        except DomainError:
            drafts = []
        self.drafts.clear()
        for d in drafts:
            when = f"{format_jalali(d.updated_at.date(), persian=True)} {persian_digits(d.updated_at.strftime('%H:%M'))}"
            self.drafts.addItem(f"{d.title or 'بی‌عنوان'} — {when}", d.id)
        self.label.setText(f"{persian_digits(len(drafts))} پیش‌نویس ناتمام دارید:")
        self.setVisible(bool(drafts))
        return drafts

    def _emit(self, signal: Signal) -> None:
        if self.drafts.currentData() is not None:
            signal.emit(self.drafts.currentData())

    def _discard(self) -> None:
        from .fields import confirm

        draft_id = self.drafts.currentData()
        if draft_id is None or not confirm(self, "این پیش‌نویس برای همیشه حذف شود؟"):
            return
        with contextlib.suppress(DomainError):
            discard_draft(self.ctx.store, self.ctx.actor, draft_id)
        self.discarded.emit(draft_id)
        self.refresh()
