"""A store being opened on a background thread while the sign-in dialog is already on screen."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.services.store import Store


class PendingStore:
    """Has the branch facts now; `result()` waits for the open store (or raises its error)."""

    def __init__(self, path: Path, branch_code: str, branch_name: str) -> None:
        self.path, self.branch_code, self.branch_name = path, branch_code, branch_name
        self._store: Store | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._open, name="open-store", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        try:
            from desktop.services.store import open_store

            self._store = open_store(self.path)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the GUI thread by result()
            self._error = exc

    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self) -> Store:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._store is not None
        return self._store
