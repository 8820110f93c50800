"""Administration: users (create with a role, reset password, unlock, deactivate) and the
outside authorities that send inquiries (add, correct name or group, deactivate, reactivate).
Everything goes through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import ROLES
from desktop.domain.vocabulary import AUTHORITY_GROUPS
from desktop.services import authorities, users
from desktop.services.authorities import AuthorityRow
from desktop.services.changes import ChangeKind, Changes

from .context import ViewContext
from .focus import EnterMovesOn
from .forms.authority_edit_ui import Ui_AuthorityEdit
from .messages import ask, error_text
from .operations import Operation
from .rtl import code_run


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    # Arrows move between rows; Tab leaves the table for the actions and the form (not trapped
    # walking cell by cell).
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))


class _Panel(QWidget):
    """Shared message line: service refusals in red, confirmations in green."""

    # Which committed changes make this panel's list stale.
    watches: tuple[ChangeKind, ...] = ()

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.message = QLabel()
        self.message.setWordWrap(True)
        ctx.changes.changed.connect(self._on_changes)

    def attempt(self, work: Callable[[], object], done: str,
                then: Callable[[], None] | None = None) -> Operation[object]:
        """Run a service call in the background; the list refreshes from the change channel."""
        def succeeded(_result: object) -> None:
            self.say(done)
            if then is not None:
                then()

        return (Operation(self, lambda _job: work())
                .on_success(succeeded)
                .on_failure(lambda exc: self.say(error_text(exc), error=True))
                .run())

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(*self.watches):
            self.reload()

    def load(self, fetch: Callable[[], list[Any]], show: Callable[[list[Any]], None]) -> None:
        Operation(self, lambda _job: fetch()).on_success(show).run()

    def say(self, text: str, *, error: bool = False) -> None:
        self.message.setObjectName("formError" if error else "formInfo")
        self.message.style().unpolish(self.message)  # re-apply the object-name rule
        self.message.style().polish(self.message)
        self.message.setText(text)

    def reload(self) -> None:
        raise NotImplementedError


class UsersPanel(_Panel):
    watches = (ChangeKind.USERS,)

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__(ctx)
        self.table = _table(["نام کاربری", "نام و نام خانوادگی", "نقش", "وضعیت"])
        self.username = QLineEdit()
        self.username.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for code, title in ROLES.items():
            self.role.addItem(title, code)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        create = QPushButton("افزودن کاربر")
        create.clicked.connect(self.create_user)
        form = QFormLayout()
        form.addRow("نام کاربری (لاتین):", self.username)
        form.addRow("نام و نام خانوادگی:", self.full_name)
        form.addRow("نقش:", self.role)
        form.addRow("گذرواژه نخستین:", self.password)
        form.addRow("", create)
        group = QGroupBox("کاربر تازه")
        group.setLayout(form)

        reset = QPushButton("تعیین گذرواژه تازه…")
        reset.clicked.connect(self.reset_password)
        unlock = QPushButton("باز کردن قفل")
        unlock.clicked.connect(lambda: self._on_selected(users.unlock_user, "قفل حساب «{}» باز شد."))
        deactivate = QPushButton("غیرفعال کردن")
        deactivate.clicked.connect(self.deactivate)
        actions = QHBoxLayout()
        for button in (reset, unlock, deactivate):
            actions.addWidget(button)
        actions.addStretch(1)

        box = QVBoxLayout(self)
        box.addWidget(self.table, 1)
        box.addLayout(actions)
        box.addWidget(self.message)
        box.addWidget(group)
        self.enter = EnterMovesOn([self.username, self.full_name, self.role, self.password],
                                  self.create_user, self)
        self.reload()

    def first_field(self) -> QWidget:
        return self.username

    def reload(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        self.load(lambda: users.list_users(store, actor), self._show)

    def _show(self, rows: list[Any]) -> None:
        self.rows = rows
        _fill(self.table, [[u.username, u.full_name, u.role_title,
                            "غیرفعال" if not u.active else ("قفل" if u.locked() else "فعال")]
                           for u in self.rows])

    def selected(self) -> str | None:
        row = self.table.currentRow()
        if row < 0:
            self.say("نخست یک کاربر را در فهرست برگزینید.", error=True)
            return None
        return self.rows[row].username

    def create_user(self) -> None:  # not `create`: that is QWidget.create, which Qt calls
        store, actor = self.ctx.store, self.ctx.actor
        facts = (self.username.text(), self.full_name.text(), self.role.currentData(), self.password.text())

        def clear() -> None:
            for field in (self.username, self.full_name, self.password):
                field.clear()

        self.attempt(lambda: users.create_user(store, actor, *facts),
                     f"کاربر «{facts[0].strip()}» افزوده شد.", clear)

    def _on_selected(self, action, done: str) -> None:
        name, store, actor = self.selected(), self.ctx.store, self.ctx.actor
        if name:
            self.attempt(lambda: action(store, actor, name), done.format(name))

    def reset_password(self) -> None:
        name = self.selected()
        if not name:
            return
        password, ok = QInputDialog.getText(self, "گذرواژه تازه", f"گذرواژه تازه برای «{name}»:",
                                            QLineEdit.EchoMode.Password)
        store, actor = self.ctx.store, self.ctx.actor
        if ok:
            self.attempt(lambda: users.reset_password(store, actor, name, password),
                         f"گذرواژه «{name}» تغییر کرد.")

    def deactivate(self) -> None:
        name, store, actor = self.selected(), self.ctx.store, self.ctx.actor
        if name and ask(self, "غیرفعال کردن کاربر", f"حساب «{name}» غیرفعال شود؟", "غیرفعال شود"):
            self.attempt(lambda: users.deactivate_user(store, actor, name), f"حساب «{name}» غیرفعال شد.")


class AuthoritiesPanel(_Panel):
    """The list with its state, actions on the chosen row (edit, deactivate, reactivate) and the
    form for a new authority. A deactivated one stays listed: old letters still name it."""

    watches = (ChangeKind.AUTHORITIES,)

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__(ctx)
        self.rows: list[AuthorityRow] = []
        self.table = _table(["کد", "نام مرجع", "گروه", "وضعیت"])
        self.code = QLineEdit()
        self.code.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.name = QLineEdit()
        self.group = _group_combo()
        add = QPushButton("افزودن مرجع")
        add.clicked.connect(self.add)
        form = QFormLayout()
        form.addRow("کد مرجع:", self.code)
        form.addRow("نام مرجع:", self.name)
        form.addRow("گروه:", self.group)
        form.addRow("", add)
        group = QGroupBox("مرجع تازه")
        group.setLayout(form)

        self.edit_button = QPushButton("ویرایش نام و گروه…")
        self.edit_button.clicked.connect(self.edit)
        self.deactivate_button = QPushButton("غیرفعال کردن")
        self.deactivate_button.clicked.connect(self.deactivate)
        self.reactivate_button = QPushButton("فعال کردن دوباره")
        self.reactivate_button.clicked.connect(self.reactivate)
        actions = QHBoxLayout()
        for button in (self.edit_button, self.deactivate_button, self.reactivate_button):
            actions.addWidget(button)
        actions.addStretch(1)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()

        box = QVBoxLayout(self)
        box.addWidget(self.table, 1)
        box.addLayout(actions)
        box.addWidget(self.message)
        box.addWidget(group)
        self.enter = EnterMovesOn([self.code, self.name, self.group], self.add, self)
        self.reload()

    def first_field(self) -> QWidget:
        return self.code

    def reload(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        self.load(lambda: authorities.list_authorities(store, actor), self._show)

    def _show(self, rows: list[AuthorityRow]) -> None:
        chosen = self.chosen()
        self.rows = rows
        _fill(self.table, [[a.code, a.name, a.group_title, "فعال" if a.active else "غیرفعال"] for a in rows])
        for r, a in enumerate(rows):  # a deactivated authority stays listed, greyed
            cells = [self.table.item(r, c) for c in range(self.table.columnCount())] if not a.active else []
            for cell in cells:
                if cell is not None:
                    cell.setForeground(QColor("#7f8c8d"))
        codes = [a.code for a in rows]
        if chosen is not None and chosen.code in codes:  # the row acted on stays chosen
            self.choose(chosen.code)
        self._selection_changed()

    def choose(self, code: str) -> None:
        """Make the authority of `code` the chosen row (an explicit selection command: selectRow
        decides from the event being handled, and may select nothing outside a click)."""
        codes = [a.code for a in self.rows]
        if code in codes:
            flags = QItemSelectionModel.SelectionFlag
            self.table.setCurrentCell(codes.index(code), 0, flags.ClearAndSelect | flags.Rows)

    def chosen(self) -> AuthorityRow | None:
        row = self.table.currentRow() if self.table.selectionModel().hasSelection() else -1
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selection_changed(self) -> None:
        chosen = self.chosen()
        self.edit_button.setEnabled(chosen is not None)
        self.deactivate_button.setEnabled(chosen is not None and chosen.active)
        self.reactivate_button.setEnabled(chosen is not None and not chosen.active)

    def add(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        facts = (self.code.text(), self.name.text(), self.group.currentData())

        def clear() -> None:
            self.code.clear()
            self.name.clear()

        self.attempt(lambda: authorities.add_authority(store, actor, *facts),
                     f"مرجع «{facts[1].strip()}» افزوده شد.", clear)

    def edit_dialog(self) -> AuthorityEditDialog | None:
        chosen = self.chosen()
        if chosen is None:
            self.say("نخست یک مرجع را در فهرست برگزینید.", error=True)
            return None
        return AuthorityEditDialog(self.ctx, chosen, self._edited, self)

    def edit(self) -> None:
        dialog = self.edit_dialog()
        if dialog is not None:
            dialog.open()

    def _edited(self, name: str, changed: list[str]) -> None:
        self.say(f"مرجع «{name}» ویرایش شد." if changed else "تغییری داده نشد.")

    def deactivate(self) -> None:
        chosen, store, actor = self.chosen(), self.ctx.store, self.ctx.actor
        if chosen is None:
            self.say("نخست یک مرجع را در فهرست برگزینید.", error=True)
            return
        question = (f"مرجع «{chosen.name}» غیرفعال شود؟\nاز این پس برای آن استعلام یا گواهی تازه‌ای "
                    "صادر نمی‌شود؛ نامه‌های پیشین به همان نام می‌مانند.")
        if ask(self, "غیرفعال کردن مرجع", question, "غیرفعال شود"):
            self.attempt(lambda: authorities.deactivate_authority(store, actor, chosen.code),
                         f"مرجع «{chosen.name}» غیرفعال شد.")

    def reactivate(self) -> None:
        chosen, store, actor = self.chosen(), self.ctx.store, self.ctx.actor
        if chosen is None:
            self.say("نخست یک مرجع را در فهرست برگزینید.", error=True)
            return
        self.attempt(lambda: authorities.reactivate_authority(store, actor, chosen.code),
                     f"مرجع «{chosen.name}» دوباره فعال شد.")


def _group_combo() -> QComboBox:
    return _fill_groups(QComboBox())


def _fill_groups(combo: QComboBox) -> QComboBox:
    for code, title in AUTHORITY_GROUPS.items():
        combo.addItem(title, code)
    return combo


class AuthorityEditDialog(QDialog):
    """Correct the name or group of one authority (its code stays). The service's refusal shows
    on the dialog's message line; it closes only once the change is committed."""

    def __init__(self, ctx: ViewContext, row: AuthorityRow,
                 done: Callable[[str, list[str]], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.row, self._done = ctx, row, done
        # The static layout is forms/authority_edit.ui (compiled by pyside6-uic at build time);
        # the group list comes from the vocabulary.
        self.form = Ui_AuthorityEdit()
        self.form.setupUi(self)
        self.setWindowTitle(f"ویرایش مرجع {row.code}")
        self.form.code.setText(code_run(row.code))
        self.name, self.group, self.message = self.form.name, self.form.group, self.form.formError
        self.name.setText(row.name)
        _fill_groups(self.group)
        self.group.setCurrentIndex(self.group.findData(row.group))
        buttons = self.form.buttons
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("ثبت تغییر")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("انصراف")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def accept(self) -> None:
        store, actor, code = self.ctx.store, self.ctx.actor, self.row.code
        name, group = self.name.text(), self.group.currentData()
        self.setEnabled(False)  # Enter twice must not write twice
        (Operation(self, lambda _job: authorities.edit_authority(store, actor, code, name=name, group=group))
         .on_success(self._saved)
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .on_finished(lambda: self.setEnabled(True))
         .run())

    def _saved(self, changed: list[str]) -> None:
        self._done(self.name.text().strip(), changed)
        super().accept()


class Screen(QWidget):
    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.users = UsersPanel(ctx)
        self.authorities = AuthoritiesPanel(ctx)
        tabs = QTabWidget()
        tabs.addTab(self.users, "کاربران")
        tabs.addTab(self.authorities, "مراجع بیرونی")
        # Changing tab puts the cursor in that tab's form, not on the tab bar.
        self.tabs = tabs
        tabs.currentChanged.connect(self._tab_changed)
        title = QLabel("مدیریت")
        title.setObjectName("title")
        box = QVBoxLayout(self)
        box.addWidget(title)
        box.addWidget(tabs, 1)

    def first_field(self) -> QWidget:
        return self.tabs.currentWidget().first_field()  # type: ignore[attr-defined]  # a _Panel

    def _tab_changed(self, _index: int) -> None:
        self.first_field().setFocus()
