"""The Jalali date field: typed in any digits, validated as typed, picked from a Jalali calendar."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt

from desktop.domain.jalali import from_jalali
from desktop.views.widgets.jalali_date_edit import JalaliDateEdit

from .helpers import type_text


def make(qtbot) -> JalaliDateEdit:
    field = JalaliDateEdit()
    qtbot.addWidget(field)
    field.show()
    return field


def test_latin_digits_give_the_gregorian_day(qtbot):
    field = make(qtbot)
    seen = []
    field.dateChanged.connect(seen.append)
    type_text(field.edit, "1403/05/20")
    assert field.isValid()
    assert field.date() == dt.date(2024, 8, 10)
    assert seen == [dt.date(2024, 8, 10)]
    assert field.message.isHidden()


def test_persian_and_arabic_indic_digits(qtbot):
    field = make(qtbot)
    type_text(field.edit, "۱۴۰۳/۰۵/۲۰")
    assert field.date() == from_jalali(1403, 5, 20)
    field.clear()
    type_text(field.edit, "١٤٠٣/٠٥/٢٠")
    assert field.date() == from_jalali(1403, 5, 20)


def test_esfand_30_exists_in_1403_not_in_1404(qtbot):
    field = make(qtbot)
    type_text(field.edit, "1403/12/30")
    assert field.isValid() and field.date() == from_jalali(1403, 12, 30)
    field.clear()
    type_text(field.edit, "1404/12/30")
    assert not field.isValid()
    assert field.date() is None
    assert "وجود ندارد" in field.errorText()
    assert not field.message.isHidden()


def test_incomplete_and_garbage_are_invalid_with_persian_message(qtbot):
    field = make(qtbot)
    type_text(field.edit, "1403/05")
    assert not field.isValid()
    assert "کامل نیست" in field.errorText()
    field.clear()
    type_text(field.edit, "فردا")
    assert not field.isValid() and field.date() is None
    assert "سال/ماه/روز" in field.errorText()


def test_set_date_shows_persian_digits_and_empty_means_none(qtbot):
    field = make(qtbot)
    field.setDate(from_jalali(1404, 1, 1))
    assert field.text() == "۱۴۰۴/۰۱/۰۱"
    assert field.date() == from_jalali(1404, 1, 1)
    seen = []
    field.dateChanged.connect(seen.append)
    field.setDate(None)
    assert field.text() == "" and field.date() is None and field.isValid()
    assert seen == [None]


def test_calendar_popup_is_jalali_with_friday_weekend(qtbot):
    field = make(qtbot)
    field.setDate(from_jalali(1403, 5, 20))
    field.openCalendar()
    calendar = field.calendarWidget()
    assert calendar.isVisible()
    assert calendar.calendar().name() == "Jalali"
    assert calendar.firstDayOfWeek() == Qt.DayOfWeek.Saturday
    red = calendar.weekdayTextFormat(Qt.DayOfWeek.Friday).foreground().color().name()
    assert red == "#b3261e"
    assert calendar.weekdayTextFormat(Qt.DayOfWeek.Sunday).foreground().color().name() != red
    assert calendar.selectedDate() == QDate(2024, 8, 10)
    # Picking a day fills the field with Persian digits and closes the popup.
    calendar.clicked.emit(QDate(2024, 8, 11))
    assert field.text() == "۱۴۰۳/۰۵/۲۱"
    assert field.date() == dt.date(2024, 8, 11)
    assert not calendar.isVisible()
