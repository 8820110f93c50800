"""What every screen is built with: the open store, the signed-in user and the change channel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QMetaMethod, QObject, Signal

from desktop.services.actor import Actor
from desktop.services.store import Store

from .changes import ChangeChannel


@dataclass(frozen=True)
class ScreenRequest:
    """Open a screen of the main window, for a person when `person_id` is given (e.g. the person
    file's «درخواست اصلاح سوابق» opens the corrections screen with that person chosen)."""

    key: str  # navigation.SCREENS key
    person_id: uuid.UUID | None = None
    person_label: str = ""  # name and SSN as the file shows them, for the page to name the person
    item: uuid.UUID | None = None  # one thing on that screen to show, e.g. a correction request


class Navigator(QObject):
    """Screens and windows ask for another screen here; the main window listens. Without a main
    window (a screen tested alone) nobody listens and nothing happens."""

    requested = Signal(object)  # ScreenRequest

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent or QCoreApplication.instance())  # owned by Qt, like the change channel

    def open(self, request: ScreenRequest) -> bool:
        """Ask for the screen; False when no main window listens (nothing was opened)."""
        signal = QMetaMethod.fromSignal(self.requested)
        if not self.isSignalConnected(signal):
            return False
        self.requested.emit(request)
        return True


@dataclass
class ViewContext:
    store: Store
    actor: Actor
    # Screens connect to `changes.changed` to refresh after any committed change, from any screen.
    changes: ChangeChannel = field(default=None)  # type: ignore[assignment]  # made in __post_init__
    navigator: Navigator = field(default=None)  # type: ignore[assignment]  # made in __post_init__

    def __post_init__(self) -> None:
        if self.changes is None:
            self.changes = ChangeChannel(self.store)
        if self.navigator is None:
            self.navigator = Navigator()
