"""The desktop's change channel: the store's change feed as a Qt signal on the GUI thread.

The feed calls `_relay` on whichever thread committed; emitting from there to receivers that
live on the GUI thread is a queued connection, so every screen's slot runs on the GUI thread.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QCoreApplication, QObject, Signal

from desktop.services.changes import Changes
from desktop.services.store import Store


class ChangeChannel(QObject):
    changed = Signal(object)  # Changes

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        # Owned by Qt (the application unless told otherwise), never by a Python reference: the
        # store's feed calls `_relay` on the committing worker thread, and a Python reference
        # dropped there must not be the one that destroys this QObject.
        super().__init__(parent or QCoreApplication.instance())
        self._unsubscribe = store.changes.subscribe(self._relay)
        self.destroyed.connect(lambda _obj=None, stop=self._unsubscribe: stop())

    def _relay(self, changes: Changes) -> None:
        with contextlib.suppress(RuntimeError):  # the channel was deleted on the GUI thread meanwhile
            self.changed.emit(changes)

    def close(self) -> None:
        """Stop relaying and let Qt delete the channel (on the GUI thread)."""
        self._unsubscribe()
        self.deleteLater()
