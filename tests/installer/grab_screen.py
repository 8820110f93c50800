"""Saves a PNG of an X display's whole screen once a window has appeared on it: run with
DISPLAY set, `python grab_screen.py OUT.png [TIMEOUT_S]`; exits 3 if the screen stayed empty.

The installed application is a frozen binary no test can reach inside, so its window is seen the
way a person sees it: on the screen. Xvfb's bare root window is a single colour; a mapped window
makes the screen hold more than one."""

from __future__ import annotations

import sys
import time

from PySide6.QtGui import QGuiApplication, QImage


def colours(image: QImage) -> int:
    small = image.scaled(160, 100)
    return len({small.pixel(x, y) for x in range(small.width()) for y in range(small.height())})


def main(out: str, timeout_s: float) -> int:
    app = QGuiApplication([sys.argv[0], "-platform", "xcb"])
    deadline = time.monotonic() + timeout_s
    shown_since: float | None = None
    while time.monotonic() < deadline:
        image = app.primaryScreen().grabWindow(0).toImage()
        if colours(image) > 20:
            # Let fonts and layouts paint: wait until two grabs a second apart agree.
            if shown_since is not None and time.monotonic() - shown_since > 1.5:
                return 0 if image.save(out) else 4
            shown_since = shown_since or time.monotonic()
        time.sleep(0.25)
    return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 30))
