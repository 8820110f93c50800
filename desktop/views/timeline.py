"""The insurance relationships of one person as a picture: one bar per relationship across the
years, Jalali year ticks in Persian digits, coloured by category and kind.

Right-to-left like everything else: time runs from the right edge (earliest) to the left edge
(today). A relationship with no end runs to today and ends in an arrow point, "still open".
Geometry (`x_of`, `bar_rects`, `year_ticks`) is computed apart from painting so it can be tested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.domain.jalali import format_jalali, from_jalali, jalali_ymd
from desktop.domain.text import persian_digits
from desktop.services.person_file import FileRelationship

AXIS_HEIGHT = 28
ROW_HEIGHT = 26
BAR_HEIGHT = 18
MARGIN = 28  # room for the year labels at both ends
# Hue per category; kinds within a category step through lightness so two kinds never look alike.
CATEGORY_HUES = {"main": 185, "dependant": 28, "employer": 275}


@dataclass(frozen=True)
class Bar:
    start: dt.date
    end: dt.date | None
    category: str
    kind: str
    title: str

    @classmethod
    def of(cls, rel: FileRelationship) -> Bar:
        return cls(rel.start, rel.end, rel.category, rel.type_code, rel.title)


def bar_colour(category: str, kind: str) -> QColor:
    shade = sum(map(ord, kind)) % 4
    return QColor.fromHsl(CATEGORY_HUES.get(category, 0), 150, 95 + shade * 18)


class RelationshipTimeline(QWidget):
    def __init__(self, relationships: Sequence[FileRelationship] = (), today: dt.date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(360)
        self.bars: list[Bar] = []
        self.today = today or dt.date.today()
        self.set_relationships(relationships, self.today)

    def set_relationships(self, relationships: Sequence[FileRelationship], today: dt.date) -> None:
        self.bars = [Bar.of(r) for r in relationships]
        self.today = today
        self.setToolTip("\n".join(
            f"{b.title}: {format_jalali(b.start, persian=True)} تا "
            f"{format_jalali(b.end, persian=True) if b.end else 'اکنون'}" for b in self.bars))
        self.updateGeometry()
        self.update()

    # --- geometry ------------------------------------------------------------------------
    def span(self) -> tuple[dt.date, dt.date]:
        """From 1 Farvardin of the first year shown to 1 Farvardin after today (or the last end)."""
        first = min((b.start for b in self.bars), default=self.today)
        last = max([self.today, *(b.end for b in self.bars if b.end)])
        return from_jalali(jalali_ymd(first)[0], 1, 1), from_jalali(jalali_ymd(last)[0] + 1, 1, 1)

    def _plot(self) -> QRectF:
        return QRectF(MARGIN, AXIS_HEIGHT, max(self.width() - 2 * MARGIN, 1), len(self.bars) * ROW_HEIGHT)

    def x_of(self, day: dt.date) -> float:
        """Right edge = start of the span; earlier is further right (RTL time)."""
        t0, t1 = self.span()
        plot = self._plot()
        share = (day - t0).days / max((t1 - t0).days, 1)
        return plot.right() - share * plot.width()

    def bar_rects(self) -> list[QRectF]:
        top = self._plot().top()
        rects = []
        for row, bar in enumerate(self.bars):
            right, left = self.x_of(bar.start), self.x_of(bar.end or self.today)
            y = top + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
            rects.append(QRectF(left, y, max(right - left, 3.0), BAR_HEIGHT))
        return rects

    def year_ticks(self) -> list[tuple[int, float, bool]]:
        """(Jalali year, x, labelled?) for each 1 Farvardin; labels thin out on long careers."""
        t0, t1 = self.span()
        first, last = jalali_ymd(t0)[0], jalali_ymd(t1)[0]
        step = next(s for s in (1, 2, 5, 10, 20) if (last - first) / s <= max(self._plot().width() / 48, 1))
        return [(y, self.x_of(from_jalali(y, 1, 1)), y % step == 0) for y in range(first, last + 1)]

    def sizeHint(self) -> QSize:
        return QSize(720, AXIS_HEIGHT + max(len(self.bars), 1) * ROW_HEIGHT + MARGIN)

    def minimumSizeHint(self) -> QSize:
        return QSize(360, self.sizeHint().height())

    # --- painting ------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        self._paint_axis(p)
        for bar, rect in zip(self.bars, self.bar_rects(), strict=True):
            self._paint_bar(p, bar, rect)
        if not self.bars:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "ارتباط بیمه‌ای ثبت نشده است.")
        p.end()

    def _paint_axis(self, p: QPainter) -> None:
        plot = self._plot()
        bottom = plot.bottom() + 4
        for year, x, labelled in self.year_ticks():
            p.setPen(QPen(QColor("#d5dadd"), 1))
            p.drawLine(QPointF(x, AXIS_HEIGHT - 4), QPointF(x, bottom))
            if labelled:
                p.setPen(QColor("#44525a"))
                p.drawText(QRectF(x - 30, 2, 60, AXIS_HEIGHT - 8), Qt.AlignmentFlag.AlignCenter, persian_digits(year))
        today_x = self.x_of(self.today)
        p.setPen(QPen(QColor("#c0392b"), 1.5, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(today_x, AXIS_HEIGHT - 6), QPointF(today_x, bottom))

    def _paint_bar(self, p: QPainter, bar: Bar, rect: QRectF) -> None:
        colour = bar_colour(bar.category, bar.kind)
        path = QPainterPath()
        if bar.end is None:  # open-ended: a point on the "now" (left) side
            tip = min(8.0, rect.width())
            path.moveTo(rect.right(), rect.top())
            path.lineTo(rect.left() + tip, rect.top())
            path.lineTo(rect.left(), rect.center().y())
            path.lineTo(rect.left() + tip, rect.bottom())
            path.lineTo(rect.right(), rect.bottom())
            path.closeSubpath()
        else:
            path.addRoundedRect(rect, 4, 4)
        p.fillPath(path, colour)
        p.setPen(QPen(colour.darker(140), 1))
        p.drawPath(path)
        self._paint_label(p, bar, rect, colour)

    def _paint_label(self, p: QPainter, bar: Bar, rect: QRectF, colour: QColor) -> None:
        width = p.fontMetrics().horizontalAdvance(bar.title) + 12
        if width <= rect.width():
            p.setPen(QColor("white") if colour.lightness() < 140 else QColor("#1b2326"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, bar.title)
            return
        # Too short to hold its name: write it beside the bar, on whichever side has room.
        p.setPen(QColor("#1b2326"))
        room_left = rect.left() - self._plot().left()
        label = QRectF(rect.left() - width, rect.top(), width, rect.height()) if room_left >= width \
            else QRectF(rect.right() + 4, rect.top(), width, rect.height())
        p.drawText(label, Qt.AlignmentFlag.AlignCenter, bar.title)
