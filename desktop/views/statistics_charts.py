"""The dashboard's bar charts (QtCharts, from PySide6-Addons): Persian labels and digits, read
right to left. QtCharts draws a category axis left to right whatever the layout direction, so
the categories are given in reverse — the first stands at the right, where a Persian reader
starts — and the value axis stands at the right too. Numbers are localised (fa-IR)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractAxis,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QMargins, Qt
from PySide6.QtGui import QColor, QPainter

from desktop.services.statistics import FigureRow

PERSIAN = QLocale(QLocale.Language.Persian, QLocale.Country.Iran)
PERSIAN.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)  # Qt would put a Latin comma
BAR_COLOUR = QColor("#2a6bab")
# QtCharts paints its labels with its own theme's brushes, which the application's palette
# leaves white on white: every text colour is given here.
TEXT_COLOUR = QColor("#222222")
LABEL_POINT_SIZE = 8
# The charts' own, shorter category names where the table's full title would not fit a bar.
CHART_TITLES = {"گواهی وضعیت بیمه‌ای": "گواهی", "درخواست اصلاح": "اصلاح", "بدون ارتباط فعال": "بدون ارتباط",
                "درخواست‌شده": "درخواست", "بررسی‌شده": "بررسی", "تاییدشده": "تایید", "ردشده": "رد",
                "اعمال‌شده": "اعمال"}


def rtl_categories(rows: list[FigureRow]) -> list[str]:
    """The chart's categories, last first: QtCharts lays them out left to right."""
    return [CHART_TITLES.get(row.title, row.title) for row in reversed(rows)]


class BarChart(QChartView):
    """One group's figures as bars; categories right to left, Persian digits."""

    def __init__(self, title: str) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.setTitleBrush(TEXT_COLOUR)
        chart.setLocale(PERSIAN)
        chart.setLocalizeNumbers(True)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        super().__init__(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(300, 220)
        self.categories: list[str] = []
        self.values: list[int] = []

    def show_rows(self, rows: list[FigureRow]) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        ordered = list(reversed(rows))
        self.categories = rtl_categories(rows)
        self.values = [row.count for row in ordered]
        bars = QBarSet("")
        bars.setColor(BAR_COLOUR)
        bars.setLabelColor(TEXT_COLOUR)
        bars.append([float(n) for n in self.values])
        series = QBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(self.categories)
        x.setTruncateLabels(False)
        _style_axis(x)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        y = QValueAxis()
        # "%d" draws no labels at all once numbers are localised (Qt 6.11); "%.0f" draws them.
        y.setLabelFormat("%.0f")
        top = max(self.values, default=0)
        y.setRange(0, max(4, int(top * 1.15) + 1))
        y.setTickCount(5)
        y.applyNiceNumbers()
        _style_axis(y)
        chart.addAxis(y, Qt.AlignmentFlag.AlignRight)  # the value scale where the reading starts
        series.attachAxis(y)


def _style_axis(axis: QAbstractAxis) -> None:
    axis.setLabelsColor(TEXT_COLOUR)
    font = axis.labelsFont()
    font.setPointSize(LABEL_POINT_SIZE)
    axis.setLabelsFont(font)
