"""The sign-in dialog: username, password, Persian errors (wrong password, lockout)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.text import persian_digits

from .messages import error_text
from .operations import Operation

if TYPE_CHECKING:  # kept out of start-up: the store may still be opening in the background
    from desktop.services.actor import Actor
    from desktop.services.store import Store

    from .pending_store import PendingStore


class SignInDialog(QDialog):
    shown = Signal()

    def __init__(self, store: Store | PendingStore, parent: QWidget | None = None, *, username: str = "") -> None:
        super().__init__(parent)
        self.source = store
        self.store: Store | None = None if hasattr(store, "result") else store
        self.actor: Actor | None = None
        self.setWindowTitle("ورود به میز شعبه")
        self.setMinimumWidth(400)

        title = QLabel("میز شعبه")
        title.setObjectName("title")
        branch = QLabel(f"شعبه {persian_digits(store.branch_code)} — {store.branch_name}")
        branch.setObjectName("subtitle")
        self.username = QLineEdit(username)
        self.username.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("نام کاربری:", self.username)
        form.addRow("گذرواژه:", self.password)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("ورود", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        buttons.addButton("انصراف", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)

        box = QVBoxLayout(self)
        box.addWidget(title)
        box.addWidget(branch)
        box.addSpacing(8)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(buttons)
        (self.password if username else self.username).setFocus()

    def try_sign_in(self) -> None:
        if not self.username.text().strip() or not self.password.text():
            self._fail("نام کاربری و گذرواژه را وارد کنید.")
            return
        username, password, source = self.username.text(), self.password.text(), self.source

        def check(_job: object) -> tuple[Store, Actor]:
            from desktop.services.users import sign_in

            # A pending store is usually open by now; if not, this worker waits for it.
            store = source.result() if hasattr(source, "result") else source
            return store, sign_in(store, username, password)

        self.ok.setEnabled(False)
        (Operation(self, check)
         .on_success(self._signed_in)
         .on_failure(lambda exc: self._fail(error_text(exc)))
         .on_finished(lambda: self.ok.setEnabled(True))
         .run())

    def _signed_in(self, result: tuple[Store, Actor]) -> None:
        self.store, self.actor = result
        self.accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.password.clear()
        self.password.setFocus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self.shown.emit()
