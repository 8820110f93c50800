"""A store being opened by a background operation while the sign-in dialog is already on screen."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from .operations import Operation

if TYPE_CHECKING:
    from desktop.services.store import Store


def _open(path: Path) -> Store:
    from desktop.services.store import open_store  # kept out of start-up's import time

    return open_store(path, for_application=True)


class PendingStore:
    """Has the branch facts now; `result()` waits for the open store (or raises its error).

    `result()` blocks, so it is called only from another operation's worker (signing in)."""

    def __init__(self, path: Path, branch_code: str, branch_name: str) -> None:
        self.path, self.branch_code, self.branch_name = path, branch_code, branch_name
        self._future: Future[Store] = Future()
        (Operation(None, self._run)
         .on_failure(lambda _exc: None)  # the error is the future's, shown when signing in
         .run())

    def _run(self, _job: object) -> None:
        try:
            self._future.set_result(_open(self.path))
        except BaseException as exc:  # noqa: BLE001 - raised again by result() where it is shown
            self._future.set_exception(exc)

    def done(self) -> bool:
        return self._future.done()

    def result(self) -> Store:
        return self._future.result()
