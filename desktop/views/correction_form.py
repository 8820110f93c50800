"""The correction request form (درخواست اصلاح سند بیمه‌ای, SPEC §5.2 step a): one monthly line,
its components now and the new values typed beside them, the requesting unit, the written
reasons and the scanned form. The service checks everything at once; its refusal (every reason,
in Persian) shows under the form and nothing is recorded. Enter moves field to field and files
the request from the last one.

Used in the corrections screen and, over the person file, as `CorrectionRequestDialog`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.corrections import FIELD_TITLES, FIELDS
from desktop.domain.jalali import MONTHS_FA
from desktop.domain.text import ascii_digits, persian_digits
from desktop.services import archive
from desktop.services.account import AccountLine
from desktop.services.corrections import FiledRequest, ScannedForm, describe, request_correction

from .context import ViewContext
from .enrolment.fields import FilePicker
from .focus import EnterMovesOn
from .messages import error_text
from .operations import Operation
from .person_file_actions import read_scan
from .rtl import code_run


def line_title(line: AccountLine) -> str:
    return (f"{MONTHS_FA[line.month - 1]} {persian_digits(line.year)} — کارگاه "
            f"{code_run(line.workshop_code) if line.workshop_code else '—'}")


class CorrectionRequestForm(QWidget):
    """Filed → `filed(FiledRequest)`; the form then clears itself for the next line."""

    filed = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.line: AccountLine | None = None
        self.title = QLabel("سطری از حساب انفرادی برگزینید.")
        self.title.setObjectName("subtitle")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        grid = QGridLayout()
        for column, text in enumerate(("جزء", "مقدار کنونی", "مقدار درست")):
            header = QLabel(f"<b>{text}</b>")
            grid.addWidget(header, 0, column)
        self.current: dict[str, QLabel] = {}
        self.new: dict[str, QLineEdit] = {}
        for row, field in enumerate(FIELDS, 1):
            self.current[field] = QLabel("—")
            self.new[field] = QLineEdit()
            self.new[field].setObjectName(f"new_{field}")
            if field in ("days", "wage", "rate", "workshop_code"):
                self.new[field].setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # digits as one run
            grid.addWidget(QLabel(FIELD_TITLES[field] + ":"), row, 0)
            grid.addWidget(self.current[field], row, 1)
            grid.addWidget(self.new[field], row, 2)
        grid.setColumnStretch(2, 1)
        form = QFormLayout()
        self.unit = QLineEdit()
        self.unit.setPlaceholderText(f"پیش‌فرض: شعبه {persian_digits(ctx.store.branch_code)}")
        self.reasons = QLineEdit()
        self.reasons.setPlaceholderText("دلایل درخواست (لازم)")
        self.scan = FilePicker()
        form.addRow("واحد درخواست‌کننده:", self.unit)
        form.addRow("دلایل:", self.reasons)
        form.addRow("فرم اسکن‌شده درخواست:", self.scan)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e")
        self.submit = QPushButton("ثبت درخواست اصلاح")
        self.submit.setObjectName("primary")
        self.submit.clicked.connect(self.file_request)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.submit, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        order: list[QWidget] = [*self.new.values(), self.unit, self.reasons, self.scan.field]
        self.enter = EnterMovesOn(order, self.file_request, self, required=len(FIELDS))
        self.set_line(None)

    def first_field(self) -> QWidget:
        return self.new["days"]

    def set_line(self, line: AccountLine | None) -> None:
        self.line = line
        self.message.setText("")
        for field in FIELDS:
            value = line.components.get(field) if line else None
            self.current[field].setText(describe(field, value) if line else "—")
            self.new[field].setText("" if value is None else persian_digits(value))
            self.new[field].setEnabled(line is not None)
        for widget in (self.unit, self.reasons, self.scan, self.submit):
            widget.setEnabled(line is not None)
        self.title.setText(f"اصلاح سطر {line_title(line)}" if line else "سطری از حساب انفرادی برگزینید.")

    def changes(self) -> dict[str, object]:
        """The components whose typed value differs from the line's (all the service needs);
        when none differs, one unchanged value, so the service says that nothing changes."""
        assert self.line is not None
        typed = {f: self.new[f].text().strip() for f in FIELDS}
        changed: dict[str, object] = {f: v for f, v in typed.items()
                                      if ascii_digits(v) != str(self.line.components.get(f) or "")}
        return changed or {"days": typed["days"]}

    def file_request(self) -> None:
        if self.line is None:
            return
        store, actor, line_id = self.ctx.store, self.ctx.actor, self.line.line_id
        changes, unit, reasons = self.changes(), self.unit.text(), self.reasons.text()
        scan = self.scan.text().strip()
        if scan and self.scan.field.error():
            self.message.setText(self.scan.field.error())
            return

        def run(_job: object) -> FiledRequest:
            form = None
            if scan:
                path = Path(scan)
                form = ScannedForm(path.name, read_scan(path), archive.media_type_for(path.name))
            return request_correction(store, actor, line_id, changes, reasons, unit=unit or None, form=form)

        self.submit.setEnabled(False)
        (Operation(self, run)
         .on_success(self._filed)
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .on_finished(lambda: self.submit.setEnabled(self.line is not None))
         .run())

    def _filed(self, filed: FiledRequest) -> None:
        self.unit.clear()
        self.reasons.clear()
        self.scan.setText("")
        self.set_line(None)
        self.message.setText("")
        self.filed.emit(filed)


class CorrectionRequestDialog(QDialog):
    """The form over the person file, for the line picked in its individual account."""

    def __init__(self, ctx: ViewContext, line: AccountLine, done: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("درخواست اصلاح سند بیمه‌ای")
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setMinimumWidth(620)
        self.form = CorrectionRequestForm(ctx, self)
        self.form.set_line(line)
        self.done_note = done
        self.form.filed.connect(self._filed)
        QVBoxLayout(self).addWidget(self.form)
        self.form.first_field().setFocus()

    def _filed(self, _filed: FiledRequest) -> None:
        self.done_note("درخواست اصلاح ثبت شد و در صف تصمیم سرپرست است.")
        self.accept()
