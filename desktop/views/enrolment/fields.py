"""Form pieces shared by the counter screens: a line edit validated as typed with its Persian
message beside it, choice boxes of (code, title), a file picker, and Enter-to-advance."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DomainError
from desktop.domain.text import normalise_text
from desktop.views.dialogs import open_file_name
from desktop.views.messages import ask
from desktop.views.widgets.jalali_date_edit import JalaliDateEdit

Validator = Callable[[str], Any]  # raises DomainError with a Persian `fa`
PAPER_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def error_label(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def reserve_line(label: QLabel) -> QLabel:
    """Keep one line of room for a field's inline error, shown or not, so the fields below do
    not jump as the clerk types (a longer reason may still take a second line)."""
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    label.setMinimumHeight(label.fontMetrics().lineSpacing())
    return label


def show_message(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class ValidatedField(QWidget):
    """A QLineEdit whose value is checked on every keystroke; the Persian reason shows below it.

    An empty field is an error only when `required` and the clerk tries to move on."""

    changed = Signal()

    def __init__(self, validator: Validator | None = None, *, required: bool = False,
                 placeholder: str = "", ltr: bool = False, parent: QWidget | None = None) -> None:
        if isinstance(validator, QWidget):  # a Designer form (uic) passes only the parent
            validator, parent = None, validator
        super().__init__(parent)
        self.validator, self.required, self._error = validator, required, ""
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.setLeftToRight(ltr)
        self.message = reserve_line(error_label(self))
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.edit)
        box.addWidget(self.message)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._check)

    # Setters a Designer form (forms/*.ui, this class promoted) calls for its properties.
    def setPlaceholderText(self, text: str) -> None:  # noqa: N802 - Qt-style, called by uic code
        self.edit.setPlaceholderText(text)

    def setLeftToRight(self, ltr: bool) -> None:  # noqa: N802 - Qt-style, called by uic code
        if ltr:  # identifiers and numbers read left to right even inside RTL forms
            self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
            self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def value(self) -> str:
        try:
            return normalise_text(self.edit.text())
        except DomainError:
            return ""

    def error(self) -> str:
        return self._error

    def problem(self, title: str) -> str:
        """What stops the form moving on: the live error, or a missing required value."""
        if not self._error and self.required and not self.value():
            self._set_error(f"«{title}» لازم است.")
        return self._error

    def _check(self, text: str) -> None:
        error = ""
        if text.strip():
            try:
                normalise_text(text)
                if self.validator is not None:
                    self.validator(text)
            except DomainError as exc:
                error = exc.fa
        self._set_error(error)
        self.changed.emit()

    def _set_error(self, error: str) -> None:
        self._error = error
        show_message(self.message, error)
        self.edit.setProperty("invalid", bool(error))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)


def choice_box(items: list[tuple[str, str]], *, blank: str | None = None) -> QComboBox:
    """A combo of Persian titles carrying codes; `blank` adds a first "not given" entry."""
    return add_choices(QComboBox(), items, blank=blank)


def add_choices(box: QComboBox, items: list[tuple[str, str]], *, blank: str | None = None) -> QComboBox:
    """Fill an existing combo (one a Designer form made) as `choice_box` does."""
    if blank is not None:
        box.addItem(blank, None)
    for code, title in items:
        box.addItem(title, code)
    return box


def choice(box: QComboBox) -> Any:
    return box.currentData()


def set_choice(box: QComboBox, code: Any) -> None:
    index = box.findData(code)
    # A list still being loaded from the store remembers the code (a draft restored early).
    box.setProperty("wantedChoice", None if index >= 0 else code)
    box.setCurrentIndex(max(index, 0))


def fill_choices(box: QComboBox, items: list[tuple[str, str]]) -> None:
    """Fill a choice box loaded from the store, quietly (filling is not an edit of the form),
    choosing the code a draft asked for before the list arrived."""
    wanted = box.property("wantedChoice")
    blocked = box.blockSignals(True)
    try:
        box.clear()
        for code, title in items:
            box.addItem(title, code)
        box.setCurrentIndex(max(box.findData(wanted), 0) if wanted is not None else 0)
        box.setProperty("wantedChoice", None)
    finally:
        box.blockSignals(blocked)


class FilePicker(QWidget):
    """A path typed (keyboard) or chosen with a dialog; only scans and photos are accepted."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = ValidatedField(self._valid_file, ltr=True, placeholder="مسیر فایل (PDF یا تصویر)")
        self.browse = QPushButton("انتخاب…")
        self.browse.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.field, 1)
        row.addWidget(self.browse, 0, Qt.AlignmentFlag.AlignTop)
        self.setFocusProxy(self.field)
        self.field.changed.connect(self.changed)
        self.browse.clicked.connect(self._choose)

    @staticmethod
    def _valid_file(text: str) -> None:
        path = Path(text.strip())
        if path.suffix.lower() not in PAPER_SUFFIXES:
            raise DomainError("فقط فایل PDF یا تصویر (PNG، JPG، TIFF) پذیرفته می‌شود.", "not a scan")
        if not path.is_file():
            raise DomainError("این فایل پیدا نشد.", "no such file")

    def _choose(self) -> None:
        path = open_file_name(self, "انتخاب فایل", "", "اسناد (*.pdf *.png *.jpg *.jpeg *.tif *.tiff)")
        if path:
            self.field.setText(path)

    def path(self) -> Path | None:
        text = self.field.text().strip()
        return Path(text) if text and not self.field.error() else None

    def text(self) -> str:
        return self.field.text()

    def setText(self, text: str) -> None:
        self.field.setText(text)


def confirm(parent: QWidget | None, text: str) -> bool:
    """Ask before anything the clerk could lose (tests replace this with a stub)."""
    return ask(parent, "تایید", text, "بله", "خیر")  # Persian buttons; Enter/Escape: «خیر»


def focus_target(widget: QWidget) -> QWidget:
    if isinstance(widget, ValidatedField):
        return widget.edit
    if isinstance(widget, FilePicker):
        return widget.field.edit
    if isinstance(widget, JalaliDateEdit):
        return widget.edit
    return widget


class EnterAdvances(QObject):
    """Enter in a field moves to the next visible field; Enter in the last one calls `done`.
    Enter on a focused button presses it (plain QWidgets, unlike dialogs, ignore Enter there)."""

    def __init__(self, fields: list[QWidget], done: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fields, self.done = fields, done
        self.targets = [focus_target(f) for f in fields]
        for target in self.targets:
            target.installEventFilter(self)
        for a, b in zip(self.targets, self.targets[1:], strict=False):
            QWidget.setTabOrder(a, b)

    def extend(self, fields: list[QWidget]) -> list[QWidget]:
        """Fields added to the form after it was wired (they follow the last one); returns
        their focus targets."""
        targets = [focus_target(f) for f in fields]
        for target in targets:
            target.installEventFilter(self)
        for a, b in zip(self.targets[-1:] + targets, targets, strict=False):
            QWidget.setTabOrder(a, b)
        self.fields += fields
        self.targets += targets
        return targets

    def remove(self, fields: list[QWidget]) -> None:
        """Fields taken off the form (their widgets are about to be deleted)."""
        for field in fields:
            if field in self.fields:
                i = self.fields.index(field)
                self.targets[i].removeEventFilter(self)
                del self.fields[i], self.targets[i]

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent)
                or event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            return False
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False  # Ctrl+Enter is the screen's "next step" shortcut
        if isinstance(obj, QComboBox) and obj.view().isVisible():
            return False
        if isinstance(obj, QPushButton):
            obj.click()
            return True
        if self._held(obj):
            return True  # an empty required or invalid field: Enter stays, its reason shows
        self.next_after(obj)
        return True

    def _held(self, obj: QObject) -> bool:
        index = self.targets.index(obj) if obj in self.targets else -1
        field = self.fields[index] if index >= 0 else None
        if not isinstance(field, ValidatedField):
            return False
        return bool(field.problem(str(field.property("fieldTitle") or "این فیلد")))

    def next_after(self, obj: QObject) -> None:
        index = self.targets.index(obj) if obj in self.targets else -1
        for target in self.targets[index + 1:]:
            if target.isVisibleTo(target.window()) and target.isEnabled():
                target.setFocus(Qt.FocusReason.TabFocusReason)
                return
        self.done()
