"""Pieces of the person file: Persian labels, read-only tables, and the personal-information
edit dialog that will not accept a change without a reason (SPEC §5.3)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import BLOOD_GROUPS, EDUCATION, GENDERS, MARITAL, MILITARY

from .messages import error_text
from .operations import Operation
from .rtl import VALUE_ALIGNMENT, code_run, ltr_run

IDENTITY_LABELS = {
    "first_name": "نام", "last_name": "نام خانوادگی", "father_name": "نام پدر",
    "national_code": "کد ملی", "foreign_id": "شماره اختصاصی اتباع", "ssn": "شماره تامین اجتماعی",
    "birth_date": "تاریخ تولد", "benefit_birth_date": "تاریخ تولد (مزایا)", "gender": "جنسیت",
    "birth_certificate_number": "شماره شناسنامه", "place_of_issue": "محل صدور",
    "death_date": "تاریخ فوت", "identity_complete": "مدارک هویتی کامل", "enrolled_branch": "شعبه نام‌نویسی",
}
PERSONAL_LABELS = {
    "address": "نشانی", "postal_code": "کد پستی", "phone": "تلفن", "mobile": "تلفن همراه",
    "iban": "شماره شبا", "education": "تحصیلات", "military_status": "وضعیت نظام وظیفه",
    "marital_status": "وضعیت تاهل", "dependants_count": "تعداد افراد تحت تکفل",
    "special_disease": "بیماری خاص", "blood_group": "گروه خون", "medical_history": "سابقه پزشکی",
}
CHOICES: dict[str, dict[str, str]] = {
    "education": EDUCATION, "military_status": MILITARY, "marital_status": MARITAL,
    "blood_group": {g: g for g in BLOOD_GROUPS}, "gender": GENDERS,
}
# Identifiers read as one left-to-right run, the same in every place (rtl.py).
IDENTIFIER_KEYS = frozenset({"national_code", "foreign_id", "ssn", "birth_certificate_number",
                             "postal_code", "phone", "mobile", "iban"})


def shown(key: str, value: Any) -> str:
    """A stored value as a person reads it: titles for codes, Persian digits, yes/no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "بله" if value else "خیر"
    if key in CHOICES:
        value = CHOICES[key].get(str(value), value)
        return ltr_run(value) if key == "blood_group" else str(value)  # «O+», never «+O»
    if key in IDENTIFIER_KEYS:
        return code_run(value)
    return persian_digits(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, min_rows: int = 3) -> QTableWidget:
    """A read-only, sortable-free table; empty tables say so in their first row."""
    t = QTableWidget(max(len(rows), 1), len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    t.setAlternatingRowColors(True)
    if not rows:
        t.setSpan(0, 0, 1, len(headers))
        t.setItem(0, 0, QTableWidgetItem("موردی ثبت نشده است."))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value if isinstance(value, str) else persian_digits(value))
            item.setTextAlignment(VALUE_ALIGNMENT)  # a number-only cell beside its label, not far left
            t.setItem(r, c, item)
    shown_rows = max(min(len(rows), 8), min(min_rows, len(rows) or 1))
    t.setMinimumHeight(t.horizontalHeader().sizeHint().height() + 2 * t.frameWidth() + 2
                       + t.verticalHeader().defaultSectionSize() * shown_rows)
    return t


def money(rials: int | None) -> str:
    return "—" if rials is None else persian_digits(f"{rials:,}").replace(",", "٬")


class PersonalEditDialog(QDialog):
    """Change one personal-information field. `save(new_value, reason)` is the service call,
    run as a background operation; its refusal is shown in the dialog and nothing closes until it
    succeeds or is cancelled."""

    def __init__(self, field: str, current: Any, save: Callable[[Any, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field, self._save = field, save
        self.setWindowTitle(f"ویرایش «{PERSONAL_LABELS.get(field, field)}»")
        self.setMinimumWidth(440)
        form = QFormLayout(self)
        form.addRow("مقدار فعلی:", QLabel(shown(field, current)))
        self.value: QComboBox | QLineEdit
        if field in CHOICES:
            self.value = QComboBox()
            self.value.addItem("— خالی —", None)
            for code, title in CHOICES[field].items():
                self.value.addItem(title, code)
            self.value.setCurrentIndex(max(self.value.findData(current), 0))
        else:
            self.value = QLineEdit("" if current is None else str(current))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("مثلاً: ارائه مدرک جدید")
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b03a2e")
        self.message.setWordWrap(True)
        form.addRow("مقدار تازه:", self.value)
        form.addRow("دلیل تغییر:", self.reason)
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("ثبت تغییر")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("انصراف")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def new_value(self) -> Any:
        if isinstance(self.value, QComboBox):
            return self.value.currentData()
        return self.value.text()

    def accept(self) -> None:
        if not self.reason.text().strip():
            self.message.setText("دلیل تغییر را بنویسید؛ مقدار پیشین با همین دلیل نگه داشته می‌شود.")
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        value, reason = self.new_value(), self.reason.text()
        self.setEnabled(False)  # Enter twice must not record the change twice
        (Operation(self, lambda _job: self._save(value, reason))
         .on_success(lambda _r: super(PersonalEditDialog, self).accept())
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .on_finished(lambda: self.setEnabled(True))
         .run())
