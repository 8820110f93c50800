"""Drives the real application to take the README screenshots (see app_driver.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

# Before grabbing, let fonts, layouts and lazy screens paint: at least SETTLE_MS, then until no
# background operation (a screen loading its rows) is still to deliver — a fixed 400 ms per
# screen was 5 s of a test that waits for nothing most of that time.
SETTLE_MS = 120
POLL_MS = 30
LONGEST_MS = 10_000


def when_settled(action: Callable[[], None]) -> None:
    """Run `action` on the GUI thread once the screen has settled (or after LONGEST_MS)."""
    from desktop.views import operations

    waited = SETTLE_MS
    quiet = 0

    def poll() -> None:
        nonlocal waited, quiet
        QApplication.processEvents()
        quiet = quiet + 1 if operations.running() == 0 else 0
        if quiet >= 2 or waited >= LONGEST_MS:  # idle on two polls in a row: results delivered
            action()
            return
        waited += POLL_MS
        QTimer.singleShot(POLL_MS, poll)

    QTimer.singleShot(SETTLE_MS, poll)


def save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(path)):
        raise OSError(f"could not save {path}")


def drive_sign_in(dialog, folder: Path, login: str) -> None:
    username, _, password = login.partition(":")

    def fill_and_sign_in() -> None:
        dialog.username.setText(username)
        dialog.password.setText(password)
        save(dialog, folder / "sign-in.png")
        dialog.try_sign_in()

    dialog.shown.connect(lambda: when_settled(fill_and_sign_in))


def shoot_screens(window, folder: Path, on_done: Callable[[], None], keys: list[str] | None = None) -> None:
    keys = [k for k in window.screen_keys() if keys is None or k in keys]

    def next_screen() -> None:
        if not keys:
            on_done()
            return
        key = keys.pop(0)
        window.show_screen(key)
        when_settled(lambda: (save(window, folder / f"main-{key}.png"), next_screen()))

    when_settled(next_screen)
