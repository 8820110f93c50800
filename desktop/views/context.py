"""What every screen is built with: the open store, the signed-in user and the change channel."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.services.actor import Actor
from desktop.services.store import Store

from .changes import ChangeChannel


@dataclass
class ViewContext:
    store: Store
    actor: Actor
    # Screens connect to `changes.changed` to refresh after any committed change, from any screen.
    changes: ChangeChannel = field(default=None)  # type: ignore[assignment]  # made in __post_init__

    def __post_init__(self) -> None:
        if self.changes is None:
            self.changes = ChangeChannel(self.store)
