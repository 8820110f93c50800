"""What the clerk does from a person file besides editing personal information: add a further
insurance relationship (services.records) and scan a paper into the archive (services.archive).

Each dialog checks what it can as the clerk types, sends the rest to the service off the GUI
thread, and shows a refusal under the field it is about (the service's `field`), in Persian. It
closes only once the change is committed; the open file then reloads from the change channel.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import identifiers
from desktop.domain.errors import InvalidValue
from desktop.domain.jalali import format_jalali
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import MAIN_KINDS, ORIENTATIONS, PAPER_KINDS
from desktop.services import archive, records
from desktop.services.enrolment_lookup import workshop_name

from .context import ViewContext
from .designed import take_rows
from .enrolment.fields import (
    EnterAdvances,
    FilePicker,
    ValidatedField,
    add_choices,
    choice_box,
    error_label,
    reserve_line,
    show_message,
)
from .forms.relationship_ui import Ui_Relationship
from .messages import error_text
from .operations import Operation
from .widgets.jalali_date_edit import JalaliDateEdit

# The kinds whose insured person works in a workshop and names it (as on the enrolment screen).
WORKSHOP_KINDS = frozenset({"mandatory", "short_term", "construction_worker"})


def _buttons(dialog: QDialog, ok: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("انصراف")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class _ActionDialog(QDialog):
    """A form whose fields each have an error line; `fail(exc)` puts the service's refusal
    under its field (or on the general line) and the cursor in that field."""

    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, done: Callable[[str], None],
                 parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx, self.person_id, self._done = ctx, person_id, done
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setMinimumWidth(520)
        self.form = QFormLayout(self)
        self.errors: dict[str, QLabel] = {}  # error lines made for fields without their own
        self.inputs: dict[str, QWidget] = {}
        self.rows: dict[str, QWidget] = {}
        self.message = reserve_line(error_label(self))

    def add_field(self, key: str, title: str, widget: QWidget) -> QWidget:
        """A labelled field with a line for its error: its own (typed fields, dates, files) or
        one made below it (choice boxes). The row is found again by `key` (`show_row`)."""
        self.inputs[key] = widget
        row = widget
        if not isinstance(widget, ValidatedField | FilePicker | JalaliDateEdit):
            row = QWidget()
            box = QVBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(widget)
            self.errors[key] = reserve_line(error_label(row))
            box.addWidget(self.errors[key])
        self.rows[key] = row
        self.form.addRow(title, row)
        return widget

    def show_row(self, key: str, shown: bool) -> None:
        self.form.setRowVisible(self.rows[key], shown)

    def clear_errors(self) -> None:
        for label in self.errors.values():
            show_message(label, "")
        show_message(self.message, "")

    def error_of(self, key: str) -> str:
        """The error shown under a field now ("" when none)."""
        label = self._error_line(key)
        return label.text() if label is not None and not label.isHidden() else ""

    def _error_line(self, key: str) -> QLabel | None:
        widget = self.inputs.get(key)
        if isinstance(widget, ValidatedField | JalaliDateEdit):
            return widget.message
        if isinstance(widget, FilePicker):
            return widget.field.message
        return self.errors.get(key)

    def fail(self, exc: BaseException) -> None:
        key = getattr(exc, "field", None) or ""
        label = self._error_line(key)
        show_message(label if label is not None else self.message, error_text(exc))
        widget = self.inputs.get(key)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def run(self, work: Callable[[], str]) -> None:
        """`work` is the service call (worker thread); its return is the note for the file."""
        self.setEnabled(False)  # Enter twice must not record twice
        (Operation(self, lambda _job: work())
         .on_success(self._succeeded)
         .on_failure(self._refused)
         .on_finished(lambda: self.setEnabled(True))
         .run())

    def _refused(self, exc: BaseException) -> None:
        self.setEnabled(True)  # before the cursor goes back into the field at fault
        self.fail(exc)

    def _succeeded(self, note: str) -> None:
        self._done(note)
        super().accept()


class RelationshipDialog(_ActionDialog):
    """A further main-insured relationship (e.g. older history): kind, start and end dates
    (Jalali), and the workshop when the kind works in one."""

    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, done: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, person_id, done, parent)
        self.setWindowTitle("افزودن ارتباط بیمه‌ای")
        # The fields (labels, order, the promoted Jalali date fields) are forms/relationship.ui,
        # compiled by pyside6-uic at build time; they join this dialog's form with its error lines.
        sheet_holder = QWidget()
        sheet = Ui_Relationship()
        sheet.setupUi(sheet_holder)
        for title, widget in take_rows(sheet.form):
            if isinstance(widget, QLabel):  # the workshop's name, shown as it is looked up
                self.workshop_label = widget
                self.form.addRow(title, widget)
            else:
                self.add_field(widget.objectName(), title, widget)
        sheet_holder.deleteLater()
        self.kind, self.workshop, self.orientation = (self.inputs[k] for k in ("kind", "workshop_code", "orientation"))
        self.start, self.end = self.inputs["start"], self.inputs["end"]
        assert isinstance(self.kind, QComboBox) and isinstance(self.orientation, QComboBox)
        add_choices(self.kind, list(MAIN_KINDS.items()))
        add_choices(self.orientation, list(ORIENTATIONS.items()))
        assert isinstance(self.workshop, ValidatedField)
        self.workshop.validator = identifiers.workshop_code
        self.workshop.setProperty("fieldTitle", "کد کارگاه")
        self.form.addRow(self.message)
        self.form.addRow(_buttons(self, "ثبت ارتباط"))
        assert isinstance(self.kind, QComboBox)
        self.kind.currentIndexChanged.connect(self._by_kind)
        assert isinstance(self.workshop, ValidatedField)
        self.workshop.changed.connect(self._look_up_workshop)
        self.enter = EnterAdvances([self.kind, self.workshop, self.orientation, self.start, self.end],
                                   self.accept, self)
        self._by_kind()

    def _by_kind(self) -> None:
        kind = self.kind_code()
        works = kind in WORKSHOP_KINDS
        assert isinstance(self.workshop, ValidatedField)
        self.workshop.required = works  # an employee names the workshop
        self.show_row("workshop_code", works)
        self.form.setRowVisible(self.workshop_label, works)
        self.show_row("orientation", kind == "self_employed")

    def kind_code(self) -> str:
        assert isinstance(self.kind, QComboBox)
        return str(self.kind.currentData())

    def _look_up_workshop(self) -> None:
        assert isinstance(self.workshop, ValidatedField)
        code = self.workshop.value()
        if not code or self.workshop.error():
            self.workshop_label.setText("")
            return
        store, actor = self.ctx.store, self.ctx.actor
        Operation(self, lambda _job: workshop_name(store, actor, code)).on_success(
            lambda name: self._show_workshop(code, name)).run()

    def _show_workshop(self, code: str, name: str | None) -> None:
        assert isinstance(self.workshop, ValidatedField)
        if self.workshop.value() == code:  # not an answer about a code typed earlier
            self.workshop_label.setText(name or "کارگاهی با این کد ثبت نشده است.")

    def data(self) -> dict[str, str]:
        """What the service is given; raises InvalidValue (with its field) for what the form
        already knows is wrong: a missing or malformed workshop code, a date not yet whole."""
        kind = self.kind_code()
        out = {"kind": kind}
        start, end = self.start, self.end
        assert isinstance(start, JalaliDateEdit) and isinstance(end, JalaliDateEdit)
        assert isinstance(self.workshop, ValidatedField)
        if kind in WORKSHOP_KINDS:
            problem = self.workshop.problem("کد کارگاه")
            if problem:
                raise InvalidValue(problem, "workshop code", field="workshop_code")
            if self.workshop.value():
                out["workshop_code"] = self.workshop.value()
        if kind == "self_employed":
            assert isinstance(self.orientation, QComboBox)
            out["orientation"] = str(self.orientation.currentData())
        for key, edit, required in (("start", start, True), ("end", end, False)):
            if not edit.isValid():
                raise InvalidValue(edit.errorText(), f"{key}: not a date", field=key)
            day = edit.date()
            if day is None and required:
                raise InvalidValue("تاریخ شروع ارتباط را وارد کنید.", "the start date is required", field=key)
            if day is not None:
                out[key] = format_jalali(day)
        return out

    def accept(self) -> None:
        self.clear_errors()
        try:
            data = self.data()
        except InvalidValue as exc:
            self.fail(exc)
            return
        store, actor, person_id = self.ctx.store, self.ctx.actor, self.person_id
        title = MAIN_KINDS.get(data["kind"], data["kind"])

        def add() -> str:
            added = records.add_relationship_for(store, actor, person_id, data)
            return f"ارتباط «{title}» ثبت شد؛ شماره بیمه: \u2066{persian_digits(added.insurance_number)}\u2069"

        self.run(add)


class ScanDialog(_ActionDialog):
    """One scanned paper into the person's archive: its kind and the file (PDF or image). A paper
    of a kind already held becomes its next version; nothing is replaced."""

    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, done: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, person_id, done, parent)
        self.setWindowTitle("افزودن سند اسکن‌شده")
        self.paper_kind = self.add_field("paper_kind", "نوع سند:", choice_box(list(PAPER_KINDS.items())))
        self.file = self.add_field("file", "فایل اسکن:", FilePicker())
        self.file.setMinimumWidth(360)
        self.form.addRow(self.message)
        self.form.addRow(_buttons(self, "افزودن به آرشیو"))
        self.enter = EnterAdvances([self.paper_kind, self.file], self.accept, self)

    def accept(self) -> None:
        self.clear_errors()
        assert isinstance(self.file, FilePicker) and isinstance(self.paper_kind, QComboBox)
        if not self.file.text().strip() or self.file.field.error():
            self.fail(InvalidValue(self.file.field.error() or "فایل اسکن را برگزینید.", "no scan chosen",
                                   field="file"))
            return
        path = Path(self.file.text().strip())
        kind = str(self.paper_kind.currentData())
        store, actor, person_id = self.ctx.store, self.ctx.actor, self.person_id

        def add() -> str:
            data = read_scan(path)
            item = archive.add_paper(store, actor, person_id, kind, path.name, data,
                                     archive.media_type_for(path.name))
            return (f"سند «{PAPER_KINDS.get(kind, kind)}» به آرشیو افزوده شد"
                    + (f" (نسخه {persian_digits(item.version)})." if item.version > 1 else "."))

        self.run(add)


def read_scan(path: Path) -> bytes:
    """The file's bytes, but never more than one byte past the archive's limit (a 4 GB file is
    refused by its size, not read into memory first)."""
    try:
        with path.open("rb") as handle:
            return handle.read(archive.MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidValue(f"فایل «{path.name}» خوانده نشد.", f"{path.name}: {exc.strerror or exc}",
                           field="file") from exc
