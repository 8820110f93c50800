"""No store yet: set up a new branch (code, name, first administrator) or open the demo branch."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtWidgets import QDialog, QWidget

from desktop.services.store import Store, default_store_path, open_store

from .dialogs import open_file_name, save_file_name
from .forms.first_run_ui import Ui_FirstRun
from .messages import error_text
from .operations import Job, Operation

DEMO_BRANCH = "1021"
DEMO_PERSONS = 2000


def demo_store_path() -> Path:
    return Path(platformdirs.user_data_dir("branch-desk", appauthor=False)) / "demo-branch.sqlite"


def build_demo_store(path: Path, job: Job, *, persons: int = DEMO_PERSONS) -> Path:
    """Create the demo branch and fill it (an operation's worker; closes its own store)."""
    from desktop.services.admin import init_store
    from desktop.services.demo import DEMO_ADMIN_PASSWORD, fill_demo
    from desktop.services.users import find_actor

    # The demo branch, and only it, has the documented demo users (admin/admin1234, …).
    store = init_store(path, DEMO_BRANCH, "شعبه نمونه", admin_password=DEMO_ADMIN_PASSWORD)
    try:
        def report(done: int, total: int, stage: str = "") -> None:
            job.raise_if_cancelled()
            job.progress(done, total, f"ساختن داده نمونه: {stage}")

        fill_demo(store, find_actor(store, "admin"), persons=persons, seed=1, progress=report)
    finally:
        store.close()
    return path


class FirstRunDialog(QDialog):
    """On accept, `self.store` is the open store the user set up or chose."""

    def __init__(self, parent: QWidget | None = None, *, demo_path: Path | None = None) -> None:
        super().__init__(parent)
        self.store: Store | None = None
        self.demo_path = demo_path or demo_store_path()
        # The static layout is forms/first_run.ui (compiled by pyside6-uic at build time).
        self.form = Ui_FirstRun()
        self.form.setupUi(self)
        f = self.form
        self.path, self.branch_code, self.branch_name = f.path, f.branch_code, f.branch_name
        self.username, self.full_name = f.username, f.full_name
        self.password, self.password_again = f.password, f.password_again
        self.error, self.create_button, self.demo_button = f.formError, f.create_button, f.demo_button
        self.path.setText(str(default_store_path()))
        self.error.hide()
        f.browse.clicked.connect(self._browse)
        self.create_button.clicked.connect(self.create_store)
        self.demo_button.clicked.connect(self.open_demo)
        f.open_button.clicked.connect(self._open_existing)
        self.branch_code.setFocus()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def create_store(self) -> None:
        from desktop.services.setup import set_up_branch

        if self.password.text() != self.password_again.text():
            self._fail("گذرواژه و تکرار آن یکی نیستند.")
            return
        facts = (self.path.text().strip(), self.branch_code.text(), self.branch_name.text(),
                 self.username.text(), self.full_name.text(), self.password.text())
        self.setEnabled(False)
        (Operation(self, lambda _job: set_up_branch(*facts), title="ساختن پایگاه داده شعبه")
         .on_success(self._opened)
         .on_failure(lambda exc: self._fail(error_text(exc)))
         .on_finished(lambda: self.setEnabled(True))
         .run())

    def _opened(self, store: Store) -> None:
        self.store = store
        self.accept()

    def open_demo(self) -> None:
        if self.demo_path.exists():
            self._open(self.demo_path)
            return
        self.demo_button.setEnabled(False)
        path = self.demo_path
        self.task = (Operation(self, lambda job: build_demo_store(path, job), title="ساختن شعبه نمونه")
                     .with_progress(cancellable=True)
                     .on_success(self._open).on_failure(self._demo_failed)
                     .on_cancelled(self._demo_cancelled)
                     .run())

    def _demo_failed(self, exc: BaseException) -> None:
        self.demo_button.setEnabled(True)
        self._remove_demo()
        self._fail(error_text(exc))

    def _demo_cancelled(self) -> None:
        self.demo_button.setEnabled(True)
        self._remove_demo()
        self._fail("ساختن شعبه نمونه متوقف شد.")

    def _remove_demo(self) -> None:
        # A half-built demo must not be taken for a finished one next time.
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.demo_path}{suffix}").unlink(missing_ok=True)

    def _open(self, path: Path | str) -> None:
        (Operation(self, lambda _job: open_store(path, for_application=True), title="باز کردن پایگاه داده شعبه")
         .on_success(self._opened)
         .on_failure(self._open_failed)
         .run())

    def _open_failed(self, exc: BaseException) -> None:
        self.demo_button.setEnabled(True)
        self._fail(error_text(exc))

    def _browse(self) -> None:
        name = save_file_name(self, "محل پایگاه داده شعبه", self.path.text(), "SQLite (*.sqlite)")
        if name:
            self.path.setText(name)

    def _open_existing(self) -> None:
        name = open_file_name(self, "باز کردن پایگاه داده شعبه", "", "SQLite (*.sqlite)")
        if name:
            self._open(name)
