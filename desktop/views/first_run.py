"""No store yet: set up a new branch (code, name, first administrator) or open the demo branch."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.store import Store, default_store_path, open_store

from .dialogs import open_file_name, save_file_name
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
        self.setWindowTitle("راه‌اندازی میز شعبه")
        self.setMinimumWidth(520)

        title = QLabel("به میز شعبه خوش آمدید")
        title.setObjectName("title")
        intro = QLabel("هنوز پایگاه داده‌ای برای این شعبه ساخته نشده است. مشخصات شعبه و نخستین "
                       "مدیر سامانه را وارد کنید، یا شعبه نمونه را برای آشنایی باز کنید.")
        intro.setWordWrap(True)
        intro.setObjectName("subtitle")

        self.path = QLineEdit(str(default_store_path()))
        self.path.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        browse = QToolButton()
        browse.setText("…")
        browse.setToolTip("انتخاب محل فایل")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.branch_code = QLineEdit()
        self.branch_code.setPlaceholderText("چهار رقم، مثلاً ۱۰۲۱")
        self.branch_name = QLineEdit()
        self.branch_name.setPlaceholderText("مثلاً شعبه ۲۱ تهران")
        self.username = QLineEdit("admin")
        self.username.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.full_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_again = QLineEdit()
        self.password_again.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        form.addRow("محل پایگاه داده:", path_row)
        form.addRow("کد شعبه:", self.branch_code)
        form.addRow("نام شعبه:", self.branch_name)
        form.addRow("نام کاربری مدیر:", self.username)
        form.addRow("نام و نام خانوادگی مدیر:", self.full_name)
        form.addRow("گذرواژه (دست‌کم ۸ نویسه):", self.password)
        form.addRow("تکرار گذرواژه:", self.password_again)

        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.create_button = QPushButton("ساختن پایگاه داده شعبه")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_store)
        self.demo_button = QPushButton("باز کردن شعبه نمونه")
        self.demo_button.clicked.connect(self.open_demo)
        open_button = QPushButton("باز کردن پایگاه داده موجود…")
        open_button.clicked.connect(self._open_existing)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.demo_button)
        buttons.addWidget(open_button)
        buttons.addStretch(1)

        box = QVBoxLayout(self)
        box.addWidget(title)
        box.addWidget(intro)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addLayout(buttons)
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
        (Operation(self, lambda _job: open_store(path), title="باز کردن پایگاه داده شعبه")
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
