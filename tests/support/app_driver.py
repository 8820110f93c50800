"""The real application, driven: for the README screenshots and the benchmarks, not shipped.

    python -m tests.support.app_driver --exit-on-sign-in --db STORE
        prints `SIGNIN_SHOWN <time.time()>` when the sign-in dialog becomes visible and exits
        at once (bench/startup.py);
    python -m tests.support.app_driver --screenshots DIR --login USER:PASSWORD --db STORE
        signs in, saves a PNG of the sign-in dialog and of every screen the user may open,
        then quits (tests/views/test_screenshots.py, bench/app_memory.py); with
        `--screens sync,search` only those screens (same file names, main-KEY.png).

Every other argument goes to the application as `branch-desk` would get it. Run from the
repository root (the `tests` package must be importable).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from desktop.app import Shell, run_gui


def _exit_on_show() -> None:
    print(f"SIGNIN_SHOWN {time.time():.6f}", flush=True)
    os._exit(0)  # the measurement ends here; tearing Qt down would only add noise


def driven_shell(options: argparse.Namespace) -> type[Shell]:
    class DrivenShell(Shell):
        def sign_in_created(self, dialog) -> None:
            if options.exit_on_sign_in:
                dialog.shown.connect(_exit_on_show)
            if options.screenshots:
                from tests.support.screenshots import drive_sign_in

                drive_sign_in(dialog, options.screenshots, options.login)

        def main_window_shown(self, window) -> None:
            if options.screenshots:
                from tests.support.screenshots import shoot_screens

                keys = [k for k in options.screens.split(",") if k] or None
                shoot_screens(window, options.screenshots, on_done=self.app.quit, keys=keys)

    return DrivenShell


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app_driver")
    parser.add_argument("--exit-on-sign-in", action="store_true")
    parser.add_argument("--screenshots", type=Path, help="folder for the PNGs")
    parser.add_argument("--login", default="", help="USER:PASSWORD to sign in with")
    parser.add_argument("--screens", default="", help="comma-separated screen keys (default: all)")
    options, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return run_gui(rest, driven_shell(options))


if __name__ == "__main__":
    sys.exit(main())
