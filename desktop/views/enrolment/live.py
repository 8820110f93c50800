"""Questions a counter form asks the store as the clerk types (who is this number, what does the
rules engine say, which workshop has this code): each runs as a background operation and only the
newest question's answer is shown — an older answer arriving late is dropped, like a generation
counter — so typing never waits on the store and never shows a stale answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.domain.errors import DomainError
from desktop.views.messages import show_error
from desktop.views.operations import Job, Operation

T = TypeVar("T")


class LiveLookup(QObject):
    """One question asked again and again; `answered` fires once the newest one has answered."""

    answered = Signal()

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        self._asked = 0
        self._pending = False

    @property
    def pending(self) -> bool:
        return self._pending

    def ask(self, fn: Callable[[Job], T], deliver: Callable[[T], None],
            refused: Callable[[DomainError], None] | None = None) -> None:
        """Run `fn` off the GUI thread; `deliver` its answer unless a newer question was asked.
        A refusal goes to `refused` (shown beside the field); anything unexpected to a message box."""
        self._asked += 1
        generation, self._pending = self._asked, True

        def done(result: T) -> None:
            if generation == self._asked:
                self._pending = False
                deliver(result)
                self.answered.emit()

        def failed(exc: BaseException) -> None:
            if generation != self._asked:
                return
            self._pending = False
            if isinstance(exc, DomainError) and refused is not None:
                refused(exc)
            else:
                show_error(self.owner, exc)
            self.answered.emit()

        Operation(self.owner, fn).on_success(done).on_failure(failed).run()

    def drop(self) -> None:
        """The question no longer stands (the field was emptied): ignore any answer on its way."""
        self._asked += 1
        if self._pending:
            self._pending = False
            self.answered.emit()


def expected_failure_text(exc: BaseException) -> str | None:
    """The Persian text of a failure a form shows beside itself (a refusal, an unreadable paper);
    None for the unexpected, which goes to a message box (and the log)."""
    if isinstance(exc, DomainError):
        return exc.fa
    if isinstance(exc, OSError):
        return f"فایل خوانده نشد: {exc}"
    return None


def fail_beside(owner: QWidget, show: Callable[[str], Any]) -> Callable[[BaseException], None]:
    """An `on_failure` that shows expected failures with `show` and the unexpected in a box."""

    def failed(exc: BaseException) -> None:
        text = expected_failure_text(exc)
        if text is None:
            show_error(owner, exc)
        else:
            show(text)

    return failed
