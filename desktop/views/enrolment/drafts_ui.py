"""Drafts on screen: a keeper that autosaves the form (debounced on each change, every few
seconds while dirty, and on hide/close) and a bar that offers to resume or discard old drafts.

Every save, load, listing and discard runs as a background operation. The form is read on the
GUI thread when a save is asked for; the writing is ordered by a `DraftSlot` the workers share,
so a draft is never lost: saves of one form run one at a time, an older snapshot never overwrites
a newer one, a save asked for as the screen closes still completes after the screen is gone, and
once the form was submitted or thrown away no late save brings its draft back. The bar lists the
drafts again whenever the change channel says drafts changed."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.domain.errors import DomainError
from desktop.domain.jalali import format_jalali
from desktop.domain.text import persian_digits
from desktop.services.actor import Actor
from desktop.services.changes import ChangeKind, Changes
from desktop.services.drafts import DraftSummary, discard_draft, list_drafts, load_draft, save_draft
from desktop.services.store import Store
from desktop.views.context import ViewContext
from desktop.views.messages import show_error
from desktop.views.operations import Operation

from .fields import confirm

Collect = Callable[[], tuple[dict[str, Any], str]]  # → (payload, title)


class DraftSlot:
    """The one draft a form writes to, shared with the worker threads that write it."""

    def __init__(self, draft_id: uuid.UUID | None = None) -> None:
        self._lock = threading.Lock()
        self.draft_id = draft_id
        self._written = 0  # the form revision last written
        self._closed = False

    def save(self, store: Store, actor: Actor, kind: str, payload: dict[str, Any], title: str,
             revision: int) -> uuid.UUID | None:
        with self._lock:
            if self._closed or revision <= self._written:
                return self.draft_id  # a newer snapshot is already written, or the form is done
            self.draft_id = save_draft(store, actor, kind, payload, title=title, draft_id=self.draft_id)
            self._written = revision
            return self.draft_id

    def discard(self, store: Store, actor: Actor) -> None:
        """Close the slot (saves still queued write nothing) and delete its draft, if written."""
        with self._lock:
            self._closed = True
            if self.draft_id is not None:
                with contextlib.suppress(DomainError):  # already discarded (e.g. from the bar)
                    discard_draft(store, actor, self.draft_id)


class DraftKeeper(QObject):
    saved = Signal(object)  # the draft id, once a save has landed

    def __init__(self, ctx: ViewContext, kind: str, collect: Collect, parent: QWidget, *,
                 debounce_ms: int = 1500, every_ms: int = 8000) -> None:
        super().__init__(parent)
        self.ctx, self.kind, self.collect, self.owner = ctx, kind, collect, parent
        self.slot = DraftSlot()
        self.revision = 0  # bumped by every edit of the form
        self._asked = 0  # the newest revision a save was started for
        self._saved = 0  # the newest revision known written
        self._told_failure = False
        self.paused = False  # while a draft is being restored its own changes are not news
        self.debounce = QTimer(self, singleShot=True, interval=debounce_ms)
        self.debounce.timeout.connect(self.save_now)
        self.ticker = QTimer(self, interval=every_ms)  # a retry for a save that failed
        self.ticker.timeout.connect(self.save_now)
        self.ticker.start()

    # --- state ---------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """The form holds edits not yet known to be written."""
        return self.revision > self._saved

    @dirty.setter
    def dirty(self, value: bool) -> None:
        if value:
            self.revision += 1
        else:
            self._asked = self._saved = self.revision

    @property
    def draft_id(self) -> uuid.UUID | None:
        return self.slot.draft_id

    @draft_id.setter
    def draft_id(self, value: uuid.UUID | None) -> None:
        """Start writing to another draft (None: a new one, made on the next save)."""
        self.slot = DraftSlot(value)

    def touch(self) -> None:
        if self.paused:
            return
        self.dirty = True
        self.debounce.start()

    # --- saving ----------------------------------------------------------------------------
    def save_now(self) -> None:
        """Write the form as it is now, off the GUI thread (also on hide/close: the write
        completes even if the screen is deleted meanwhile)."""
        if self.revision <= self._asked:
            return  # nothing new since the last save was started
        self.debounce.stop()
        payload, title = self.collect()
        slot, revision, kind = self.slot, self.revision, self.kind
        store, actor = self.ctx.store, self.ctx.actor
        self._asked = revision
        (Operation(self.owner, lambda _job: slot.save(store, actor, kind, payload, title, revision))
         .on_success(lambda draft_id: self._landed(slot, revision, draft_id))
         .on_failure(lambda exc: self._failed(slot, exc))
         .run())

    def _landed(self, slot: DraftSlot, revision: int, draft_id: uuid.UUID | None) -> None:
        if slot is not self.slot:
            return  # the form moved on to another draft meanwhile
        self._saved = max(self._saved, revision)
        if draft_id is not None:
            self.saved.emit(draft_id)

    def _failed(self, slot: DraftSlot, exc: BaseException) -> None:
        # A draft that cannot be kept must not stop the clerk's work: the ticker tries again.
        if slot is self.slot:
            self._asked = self._saved
        if not isinstance(exc, DomainError) and not self._told_failure:
            self._told_failure = True  # once, not every few seconds
            show_error(self.owner, exc)

    # --- switching drafts ------------------------------------------------------------------
    def resume(self, owner: QWidget, draft_id: uuid.UUID,
               restore: Callable[[dict[str, Any]], None]) -> bool:
        """Switch the form to a saved draft: ask before dropping unsaved work, keep the current
        form as its own draft, load the other off the GUI thread and restore it without the
        restoring itself counting as a change. False when the clerk said no."""
        if self.dirty and not confirm(owner, "فرم فعلی کنار گذاشته و پیش‌نویس باز شود؟"):
            return False
        self.save_now()
        store, actor = self.ctx.store, self.ctx.actor
        Operation(owner, lambda _job: load_draft(store, actor, draft_id)) \
            .on_success(lambda payload: self._adopt(draft_id, payload, restore)).run()
        return True

    def _adopt(self, draft_id: uuid.UUID, payload: dict[str, Any],
               restore: Callable[[dict[str, Any]], None]) -> None:
        self.debounce.stop()
        self.draft_id = draft_id
        self.paused = True
        try:
            restore(payload)
        finally:
            self.paused = False
        self.dirty = False

    def detach(self) -> DraftSlot:
        """The form was submitted: the next edit starts a new draft. Returns the old slot (its
        draft is discarded by whoever submitted the form, in the same worker)."""
        self.debounce.stop()
        slot = self.slot
        self.draft_id = None
        self.dirty = False
        return slot

    def forget(self) -> None:
        """The form was thrown away: its draft goes too (after any save still under way)."""
        slot = self.detach()
        store, actor = self.ctx.store, self.ctx.actor
        Operation(self.owner, lambda _job: slot.discard(store, actor)).run()


class DraftBar(QFrame):
    """'You have unfinished drafts': pick one, resume it (Enter) or discard it. The draft the
    form is writing to right now (`exclude`) is not offered."""

    resume = Signal(object)
    discarded = Signal(object)
    listed = Signal(int)  # how many drafts are offered, after each listing

    def __init__(self, ctx: ViewContext, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.kind = ctx, kind
        self.exclude: Callable[[], uuid.UUID | None] = lambda: None
        self._asked = 0
        self._all: list[DraftSummary] = []
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
        self.hide()  # until the first listing says there is something to offer
        ctx.changes.changed.connect(self._on_changes)
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ChangeKind.DRAFTS):
            self.refresh()

    def refresh(self) -> None:
        """List the user's drafts again (off the GUI thread; only the newest listing is shown)."""
        self._asked += 1
        generation, store, actor, kind = self._asked, self.ctx.store, self.ctx.actor, self.kind

        def listed(drafts: list[DraftSummary]) -> None:
            if generation == self._asked:
                self._all = drafts
                self.show_drafts()

        def failed(exc: BaseException) -> None:
            if generation == self._asked and not isinstance(exc, DomainError):
                show_error(self, exc)

        Operation(self, lambda _job: list_drafts(store, actor, kind)) \
            .on_success(listed).on_failure(failed).run()

    def show_drafts(self) -> list[DraftSummary]:
        """Show the last listing, without the form's own draft (also when that draft's id has
        just become known)."""
        current = self.exclude()
        drafts = [d for d in self._all if d.id != current]
        chosen = self.drafts.currentData()
        self.drafts.clear()
        for d in drafts:
            when = f"{format_jalali(d.updated_at.date(), persian=True)} {persian_digits(d.updated_at.strftime('%H:%M'))}"
            self.drafts.addItem(f"{d.title or 'بی‌عنوان'} — {when}", d.id)
        if chosen is not None and self.drafts.findData(chosen) >= 0:
            self.drafts.setCurrentIndex(self.drafts.findData(chosen))
        self.label.setText(f"{persian_digits(len(drafts))} پیش‌نویس ناتمام دارید:")
        self.setVisible(bool(drafts))
        self.listed.emit(len(drafts))
        return drafts

    def _emit(self, signal: SignalInstance) -> None:
        if self.drafts.currentData() is not None:
            signal.emit(self.drafts.currentData())

    def _discard(self) -> None:
        draft_id = self.drafts.currentData()
        if draft_id is None or not confirm(self, "این پیش‌نویس برای همیشه حذف شود؟"):
            return
        store, actor = self.ctx.store, self.ctx.actor

        def gone(_result: object = None) -> None:
            self.discarded.emit(draft_id)  # the listing follows from the change channel

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DomainError):  # discarded elsewhere meanwhile: nothing to do
                self.refresh()
            else:
                show_error(self, exc)

        Operation(self, lambda _job: discard_draft(store, actor, draft_id)) \
            .on_success(gone).on_failure(failed).run()
