"""The supervisor's count of requests waiting for their decision, on the navigation's
«اصلاح سوابق» entry: «اصلاح سوابق (۳)». Recounted when a committed change touches corrections
(from the change channel), never by polling."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from desktop.domain.roles import allowed
from desktop.domain.text import persian_digits
from desktop.services.changes import ChangeKind, Changes
from desktop.services.corrections import waiting_count

from .context import ViewContext
from .operations import Operation

KEY = "corrections"


class QueueBadge(QObject):
    def __init__(self, ctx: ViewContext, nav: QListWidget) -> None:
        super().__init__(nav)
        self.ctx, self.nav = ctx, nav
        self.count = 0
        self.item = next((nav.item(i) for i in range(nav.count())
                          if nav.item(i).data(Qt.ItemDataRole.UserRole) == KEY), None)
        self.title = self.item.text() if self.item is not None else ""
        ctx.changes.changed.connect(self._on_changes)
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ChangeKind.CORRECTIONS):
            self.refresh()

    def refresh(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        Operation(self.nav, lambda _job: waiting_count(store, actor)).quietly().on_success(self._show).run()

    def _show(self, count: int) -> None:
        self.count = count
        if self.item is not None:
            self.item.setText(f"{self.title} ({persian_digits(count)})" if count else self.title)


def attach(ctx: ViewContext, nav: QListWidget) -> QueueBadge | None:
    """The badge for a role that decides corrections and sees the entry; None otherwise."""
    item: QListWidgetItem | None = next((nav.item(i) for i in range(nav.count())
                                         if nav.item(i).data(Qt.ItemDataRole.UserRole) == KEY), None)
    if item is None or not allowed(ctx.actor.role, "correction.decide"):
        return None
    return QueueBadge(ctx, nav)
