"""A Jalali date field: typed `1403/05/20` in any digits, or picked from a Jalali calendar popup.

jdatetime (desktop.domain.jalali) decides what is a real day; Qt's Jalali calendar only draws
the popup. An empty field is valid and means "no date" (`date()` is None); screens that need a
date say so themselves.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DomainError
from desktop.domain.jalali import format_jalali, parse_jalali
from desktop.domain.text import ascii_digits, persian_digits

# What a date looks like while it is still being typed: digits and at most two separators.
_PARTIAL = re.compile(r"^[0-9]{0,4}([/\-][0-9]{0,2}([/\-][0-9]{0,2})?)?$")
_INCOMPLETE = "تاریخ کامل نیست؛ به شکل سال/ماه/روز بنویسید (مثلاً ۱۴۰۳/۰۵/۲۰)."


def _jalali_calendar():
    from PySide6.QtCore import QCalendar

    return QCalendar(QCalendar.System.Jalali)


class JalaliDateEdit(QWidget):
    """`date() -> date | None`, `setDate(d)`, `text()`, `isValid()`, signal `dateChanged(object)`."""

    dateChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, placeholder: str = "۱۴۰۳/۰۵/۲۰") -> None:
        super().__init__(parent)
        self._date: dt.date | None = None
        self._valid = True
        self._popup: QFrame | None = None

        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMaxLength(12)
        self.edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # digits read 1403/05/20
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.button = QToolButton(self)
        self.button.setText("تقویم")
        self.button.setToolTip("انتخاب تاریخ از تقویم شمسی (Alt+پایین)")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = QLabel(self)
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        # One line kept for the error, shown or not, so the form does not jump (issue 9 item 10).
        policy = self.message.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.message.setSizePolicy(policy)
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing())

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.message)
        self.setFocusProxy(self.edit)

        self.edit.textChanged.connect(self._on_text)
        self.button.clicked.connect(self.openCalendar)

    # --- public API ---------------------------------------------------------------------
    def date(self) -> dt.date | None:
        return self._date if self._valid else None

    def setDate(self, day: dt.date | None) -> None:
        self.edit.setText(format_jalali(day, persian=True) if day else "")

    def setPlaceholderText(self, text: str) -> None:  # noqa: N802 - Qt-style; a Designer form sets it
        self.edit.setPlaceholderText(text)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def isValid(self) -> bool:
        return self._valid

    def errorText(self) -> str:
        return self.message.text() if not self._valid else ""

    def clear(self) -> None:
        self.edit.clear()

    # --- validation as you type -----------------------------------------------------------
    def _on_text(self, text: str) -> None:
        raw = ascii_digits(text).strip().replace(" ", "")
        day: dt.date | None = None
        error = ""
        if raw:
            try:
                day = parse_jalali(raw)
            except DomainError as exc:
                complete = raw.count("/") + raw.count("-") == 2 and not raw.endswith(("/", "-"))
                error = exc.fa if complete or not _PARTIAL.match(raw) else _INCOMPLETE
        self._valid = not error
        self.message.setText(error)
        self.message.setVisible(bool(error))
        self.edit.setProperty("invalid", bool(error))
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        if day != self._date:
            self._date = day
            self.dateChanged.emit(day)
        elif error and self._date is not None:
            self._date = None
            self.dateChanged.emit(None)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.openCalendar()
            return
        super().keyPressEvent(event)

    # --- the popup calendar ---------------------------------------------------------------
    def calendarWidget(self) -> QCalendarWidget:
        return self._calendar_popup().findChild(QCalendarWidget)  # type: ignore[return-value]  # built with one

    def _calendar_popup(self) -> QFrame:
        if self._popup is None:
            self._popup = self._build_popup()
        return self._popup

    def openCalendar(self) -> None:
        calendar = self.calendarWidget()
        day = self.date() or dt.date.today()
        calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        popup = self._calendar_popup()
        popup.adjustSize()
        below = self.edit.mapToGlobal(self.edit.rect().bottomLeft())
        popup.move(below.x() + self.edit.width() - popup.width(), below.y() + 2)
        popup.show()
        calendar.setFocus()

    def _build_popup(self) -> QFrame:
        popup = QFrame(self, Qt.WindowType.Popup)
        popup.setFrameShape(QFrame.Shape.StyledPanel)
        popup.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        calendar = QCalendarWidget(popup)
        calendar.setCalendar(_jalali_calendar())
        calendar.setLocale(QLocale(QLocale.Language.Persian, QLocale.Country.Iran))
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Saturday)
        calendar.setGridVisible(False)
        calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        _mark_friday_weekend(calendar)
        calendar.activated.connect(self._picked)
        calendar.clicked.connect(self._picked)
        layout = QVBoxLayout(popup)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(calendar)
        return popup

    def _picked(self, qdate: QDate) -> None:
        picked = qdate.toPython()
        assert isinstance(picked, dt.date)
        self.setDate(picked)
        if self._popup is not None:
            self._popup.hide()
        self.edit.setFocus()

    def persianText(self) -> str:
        """The date as shown to people (Persian digits), or the raw text if it is not valid."""
        return format_jalali(self._date, persian=True) if self.date() else persian_digits(self.text())


def _mark_friday_weekend(calendar: QCalendarWidget) -> None:
    """In Iran the weekend is Friday; Qt's default paints Saturday and Sunday instead."""
    normal = QTextCharFormat()
    weekend = QTextCharFormat()
    weekend.setForeground(QColor("#b3261e"))
    for day in Qt.DayOfWeek:
        if day == Qt.DayOfWeek.Friday:
            calendar.setWeekdayTextFormat(day, weekend)
        else:
            calendar.setWeekdayTextFormat(day, normal)
