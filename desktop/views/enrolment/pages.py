"""The base of a step page: a form of fields, Enter to advance, values for drafts."""

from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.jalali import format_jalali
from desktop.views.context import ViewContext
from desktop.views.widgets.jalali_date_edit import JalaliDateEdit

from ..designed import take_rows
from .fields import EnterAdvances, FilePicker, ValidatedField, choice, set_choice
from .live import LiveLookup

# The widgets a form page holds, each read and written by read_widget / write_widget.
FormField = ValidatedField | FilePicker | JalaliDateEdit | QComboBox | QCheckBox
FieldT = TypeVar("FieldT", bound=FormField)


class StepPage(QWidget):
    """One step of a guided flow. `values()`/`restore()` feed drafts; `problem()` says in Persian
    what stops the clerk moving on ("" when nothing does). Questions the page asks the store as
    the clerk types are `lookup()`s: while one is unanswered the page is `waiting()`, and a move
    on asked for meanwhile happens once the answers are in (Enter is never lost)."""

    changed = Signal()
    advance = Signal()
    title = ""
    scrollable = False  # a long form: its fields scroll inside the page

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.named: dict[str, FormField] = {}
        self.labels: dict[str, str] = {}
        outer = QVBoxLayout(self)
        heading = QLabel(self.title)
        heading.setObjectName("title")
        outer.addWidget(heading)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setVerticalSpacing(10)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        holder = QWidget()
        holder.setLayout(self.form)
        holder.setMinimumWidth(520)
        holder.setMaximumWidth(680)  # a form across a wide screen is hard to read
        self.scroll_area: QScrollArea | None = None
        if self.scrollable:
            # A long form scrolls inside its page, never grows the window past the screen;
            # the field the keyboard moves into is scrolled into view (eventFilter).
            self.scroll_area = QScrollArea()
            self.scroll_area.setWidgetResizable(True)
            self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
            self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.scroll_area.setWidget(holder)
            outer.addWidget(self.scroll_area, 1)
        else:
            outer.addWidget(holder, 0, Qt.AlignmentFlag.AlignLeading)
        self.note = QLabel()
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        if not self.scrollable:
            outer.addStretch(1)
        self.enter: EnterAdvances | None = None
        self.lookups: list[LiveLookup] = []
        self._advance_wanted = False
        self.changed.connect(self._forget_advance)

    def add(self, key: str, label: str, widget: FieldT, *, row: int | None = None) -> FieldT:
        """A field under `label`, at the end of the form or at form row `row`."""
        if row is None:
            self.form.addRow(label, widget)
        else:
            self.form.insertRow(row, label, widget)
        self.named[key], self.labels[key] = widget, label
        widget.setProperty("fieldTitle", label.rstrip(":"))  # named in «… لازم است.»
        signal = getattr(widget, "changed", None) or getattr(widget, "dateChanged", None)
        if isinstance(widget, QComboBox):
            signal = widget.currentIndexChanged
        if signal is not None:
            signal.connect(lambda *_: self.changed.emit())
        return widget

    def add_designed(self, form: QFormLayout, skip: frozenset[str] = frozenset()) -> None:
        """Take the rows of a Designer form (forms/*.ui) in order, each field under its
        label and named by its object name, as `add` would; rows named in `skip` are dropped."""
        for label, field in take_rows(form):
            assert isinstance(field, ValidatedField | FilePicker | JalaliDateEdit | QComboBox | QCheckBox), field
            if field.objectName() in skip:
                field.deleteLater()
                continue
            self.add(field.objectName(), label, field)

    def finish(self) -> EnterAdvances:
        """Call after the last `add`: wires Enter and the tab order in field order."""
        self.enter = EnterAdvances(list(self.named.values()), self.advance.emit, self)
        self._watch_focus(self.enter.targets)
        return self.enter

    def _watch_focus(self, targets: list[QWidget]) -> None:
        if self.scroll_area is not None:
            for target in targets:
                target.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if self.scroll_area is not None and event.type() == QEvent.Type.FocusIn and isinstance(obj, QWidget):
            self.scroll_area.ensureWidgetVisible(obj, 20, 40)  # Enter moved here: let the clerk see it
        return False

    # --- questions to the store ------------------------------------------------------------
    def lookup(self) -> LiveLookup:
        asked = LiveLookup(self)
        asked.answered.connect(self._answered)
        self.lookups.append(asked)
        return asked

    def waiting(self) -> bool:
        return any(asked.pending for asked in self.lookups)

    def advance_when_answered(self) -> None:
        self._advance_wanted = True

    def _forget_advance(self) -> None:
        self._advance_wanted = False  # the clerk typed on after Enter: that Enter is spent

    def _answered(self) -> None:
        if self._advance_wanted and not self.waiting():
            self._advance_wanted = False
            self.advance.emit()

    def show_row(self, key: str, visible: bool) -> None:
        self.form.setRowVisible(self.named[key], visible)

    def visible(self, key: str) -> bool:
        return not self.named[key].isHidden() and self.named[key].isVisibleTo(self)

    def focus_first(self) -> None:
        for target in self.enter.targets if self.enter else []:
            if target.isVisibleTo(self) and target.isEnabled():
                target.setFocus()
                return

    # --- values for drafts and for the service -------------------------------------------
    def values(self) -> dict[str, Any]:
        return {key: read_widget(w) for key, w in self.named.items()}

    def restore(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key in self.named and value is not None:
                write_widget(self.named[key], value)

    def reset(self) -> None:
        for widget in self.named.values():
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(0)
            elif isinstance(widget, QCheckBox):
                widget.setChecked(True)  # the only box so far: "original documents seen"
            else:
                widget.setText("")

    def field_problems(self) -> str:
        for key, widget in self.named.items():
            if not self.visible(key):
                continue
            if isinstance(widget, ValidatedField):
                error = widget.problem(self.labels[key].rstrip(":"))
            elif isinstance(widget, FilePicker):
                error = widget.field.problem(self.labels[key].rstrip(":"))
            elif isinstance(widget, JalaliDateEdit):
                error = widget.errorText()
            else:
                error = ""
            if error:
                return error
        return ""

    def problem(self) -> str:
        return self.field_problems()


def read_widget(widget: FormField) -> Any:
    if isinstance(widget, QComboBox):
        return choice(widget)
    if isinstance(widget, JalaliDateEdit):
        day = widget.date()
        return format_jalali(day) if day else widget.text()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    return widget.text()


def write_widget(widget: FormField, value: Any) -> None:
    if isinstance(widget, QComboBox):
        set_choice(widget, value)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        widget.setText(str(value))
