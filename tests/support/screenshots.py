"""Drives the real application to take the README screenshots (see app_driver.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

SETTLE_MS = 400  # let fonts, layouts and lazy screens paint before grabbing


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

    dialog.shown.connect(lambda: QTimer.singleShot(SETTLE_MS, fill_and_sign_in))


def shoot_screens(window, folder: Path, on_done: Callable[[], None]) -> None:
    keys = list(window.screen_keys())

    def next_screen() -> None:
        if not keys:
            on_done()
            return
        key = keys.pop(0)
        window.show_screen(key)
        QTimer.singleShot(SETTLE_MS, lambda: (save(window, folder / f"main-{key}.png"), next_screen()))

    QTimer.singleShot(SETTLE_MS, next_screen)
