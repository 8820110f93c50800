"""Builds the QApplication and walks the user in: store → sign-in → main window.

Start-up is kept lean: screens are imported when first opened, and nothing heavy is imported
before the sign-in dialog shows. Tools that drive the real application (the README screenshots,
the start-up and memory benchmarks) subclass `Shell` and use its two hooks; they live in
tests/support/app_driver.py, outside the shipped package.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: start-up imports Qt and the screens when they are needed
    from PySide6.QtWidgets import QApplication

    from desktop.domain.errors import DomainError
    from desktop.services.actor import Actor
    from desktop.services.store import Store
    from desktop.views.main_window import MainWindow
    from desktop.views.pending_store import PendingStore
    from desktop.views.sign_in import SignInDialog


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="branch-desk")
    parser.add_argument("--db", type=Path, help="branch store to open")
    parser.add_argument("--demo", action="store_true", help="open (or build) the demo branch")
    args, _qt_args = parser.parse_known_args(argv)
    return args


def run_gui(argv: list[str], shell_class: type[Shell] | None = None) -> int:
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    from desktop.views.dialogs import install_qt_translations
    from desktop.views.gui_gc import collect_on_gui_thread
    from desktop.views.messages import install_exception_hook
    from desktop.views.theme import apply_theme

    args = parse_args(argv)
    existing = QApplication.instance()  # pytest-qt's, when a test drives the program
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    broken = installation_problem()
    if broken is not None:
        return report_broken_installation(broken)
    prepare_user_folders()
    apply_theme(app)
    install_qt_translations(app)  # Qt's own dialogs and standard buttons in Persian
    install_exception_hook()
    collect_on_gui_thread()
    app.setQuitOnLastWindowClosed(False)  # signing out closes the window but not the program
    shell = (shell_class or Shell)(app, args)
    if not shell.start():
        return 1
    code = app.exec()
    # Pool threads finish before Qt is torn down, so none touches a deleted object at exit.
    QThreadPool.globalInstance().waitForDone(10_000)
    return code


def installation_problem() -> DomainError | None:
    """A missing font, icon or migration (issue 13): said before any window, never a traceback."""
    from desktop.bundled import check_installation
    from desktop.domain.errors import DomainError

    try:
        check_installation()
    except DomainError as exc:
        return exc
    return None


def prepare_user_folders() -> None:
    """First run on a machine: the per-user data folder (where the stores go) exists from the
    start. It is the user's: removing the package never touches it. The letter preview needs
    poppler's pdftoppm (a dependency of the .deb); without it the program still runs and says so."""
    import contextlib
    import shutil

    import platformdirs

    # A read-only profile: the first-run dialog asks where the store goes anyway.
    with contextlib.suppress(OSError):
        Path(platformdirs.user_data_dir("branch-desk", appauthor=False)).mkdir(parents=True, exist_ok=True)
    if shutil.which("pdftoppm") is None:
        print("توجه: برنامه pdftoppm (بستهٔ poppler-utils) نصب نیست؛ پیش‌نمایش نامه‌ها ممکن نیست "
              "(چاپ و ذخیرهٔ PDF کار می‌کند).\nnote: pdftoppm (poppler-utils) is not installed: no "
              "letter preview (printing and saving PDFs work)", file=sys.stderr)


def report_broken_installation(exc: DomainError) -> int:
    from PySide6.QtWidgets import QMessageBox

    print(f"خطا: {exc.fa}\nerror: {exc.en}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":  # nobody could close a box there
        QMessageBox.critical(None, "میز شعبه", f"{exc.fa}\n\n{exc.en}")
    return exc.exit_code


class Shell:
    """The flow between windows; keeps the open store for the whole session."""

    def __init__(self, app: QApplication, args: argparse.Namespace) -> None:
        self.app = app
        self.args = args
        # Pending (opening in the background) until signing in hands over the open store.
        self.store: Store | PendingStore | None = None
        self.window: MainWindow | None = None

    def start(self) -> bool:
        from desktop.views.last_store import last_store

        path = self.args.db or (None if self.args.demo else last_store())
        if self.args.demo:
            from desktop.views.first_run import demo_store_path

            path = demo_store_path() if demo_store_path().exists() else None
        if path is not None:
            self.store = self._pending(path) or self._open(path)
            if self.store is None:
                return False
        else:
            from desktop.views.first_run import FirstRunDialog

            dialog = FirstRunDialog()
            if self.args.demo:
                dialog.open_demo()
            if dialog.exec() != dialog.DialogCode.Accepted or dialog.store is None:
                return False
            self.store = dialog.store
        from desktop.views.last_store import remember_store

        remember_store(self.store.path)
        return self.sign_in()

    def _pending(self, path: Path) -> PendingStore | None:
        """Show sign-in at once and open the store meanwhile (see services/store_peek.py)."""
        from desktop.services.store_peek import peek_store
        from desktop.views.pending_store import PendingStore

        peek = peek_store(path)
        return PendingStore(peek.path, peek.branch_code, peek.branch_name) if peek else None

    def _open(self, path: Path) -> Store | None:
        from PySide6.QtWidgets import QMessageBox

        from desktop.domain.errors import DomainError
        from desktop.services.store import open_store

        try:
            return open_store(path, for_application=True)
        except DomainError as exc:
            QMessageBox.critical(None, "میز شعبه", exc.fa)
            return None

    def sign_in(self) -> bool:
        from desktop.views.sign_in import SignInDialog

        assert self.store is not None, "start() opens a store before anyone signs in"
        dialog = SignInDialog(self.store)
        self.sign_in_created(dialog)
        accepted = dialog.exec() == dialog.DialogCode.Accepted
        actor = dialog.actor if accepted else None
        if dialog.store is not None:
            self.store = dialog.store  # the opened store replaces the pending one
        if actor is None:
            if dialog.store is not None:
                dialog.store.close()
            return False
        self.main_window_shown(self.open_main(actor))
        return True

    def sign_in_created(self, dialog: SignInDialog) -> None:
        """Hook: the sign-in dialog exists and is about to be shown (nothing to do here)."""

    def main_window_shown(self, window: MainWindow) -> None:
        """Hook: the main window is open after a sign-in (nothing to do here)."""

    def open_main(self, actor: Actor) -> MainWindow:
        from desktop.services.store import Store
        from desktop.views.context import ViewContext
        from desktop.views.main_window import MainWindow

        assert isinstance(self.store, Store), "a successful sign-in leaves the opened store"
        window = MainWindow(ViewContext(self.store, actor))
        window.signedOut.connect(self._signed_out)
        window.closed.connect(lambda signing_out: signing_out or self.app.quit())
        window.show()
        self.window = window
        return window

    def _signed_out(self) -> None:
        from PySide6.QtCore import QTimer

        # Let the main window close first; a new session starts from the sign-in dialog.
        QTimer.singleShot(0, lambda: self.sign_in() or self.app.quit())

