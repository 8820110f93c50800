"""The sign-in dialog: username, password, Persian errors (wrong password, lockout)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget

from desktop.domain.text import persian_digits

from .forms.sign_in_ui import Ui_SignIn
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
        # The static layout is forms/sign_in.ui (compiled by pyside6-uic at build time).
        self.form = Ui_SignIn()
        self.form.setupUi(self)
        self.form.subtitle.setText(f"شعبه {persian_digits(store.branch_code)} — {store.branch_name}")
        self.username, self.password, self.error = self.form.username, self.form.password, self.form.formError
        self.username.setText(username)
        self.error.hide()
        self.ok = self.form.ok
        self.ok.clicked.connect(self.try_sign_in)
        self.form.cancel.clicked.connect(self.reject)
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
