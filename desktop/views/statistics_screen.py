"""The supervisor's dashboard (SPEC §7, issue 11 item 5): the branch's statistics over a Jalali
period, as bar charts with Persian labels and digits and as a table beside them, with CSV and
printable PDF exports.

- The figures come from services/statistics.py through an Operation (off the GUI thread); only
  the newest answer is shown when the period changes quickly.
- QtCharts draws a category axis left to right whatever the layout direction, so the categories
  are given in reverse: the first one stands at the right, where a Persian reader starts. The
  value axis stands at the right too. Numbers are localised (fa-IR): Persian digits.
- Any committed change that a figure counts (people, dependants, inquiries, certificates,
  corrections) refreshes the dashboard from the change channel; a hidden dashboard refreshes
  when shown again. Nothing polls.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.jalali import from_jalali, jalali_ymd
from desktop.domain.text import persian_digits
from desktop.services.changes import ChangeKind
from desktop.services.statistics import (
    GROUP_TITLES,
    FigureRow,
    Period,
    Statistics,
    branch_statistics,
    figure_rows,
    period_text,
    statistics_csv,
    statistics_pdf,
)

from .context import ViewContext
from .dialogs import save_file_name
from .enrolment.fields import error_label, show_message
from .enrolment.live import fail_beside
from .operations import Operation, RefreshWhenShown
from .printing import PdfPrinting, saved_text
from .widgets.jalali_date_edit import JalaliDateEdit

WATCHED = (ChangeKind.PERSONS, ChangeKind.RELATIONSHIPS, ChangeKind.INQUIRIES, ChangeKind.CERTIFICATES,
           ChangeKind.CORRECTIONS)
TABLE_COLUMNS = ("عنوان", "تعداد")


class Screen(QWidget):
    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.stats: Statistics | None = None
        self._asked = 0
        self.printing = PdfPrinting(self, lambda text: show_message(self.info, text))
        title = QLabel("آمار شعبه")
        title.setObjectName("title")
        self.start = JalaliDateEdit()
        self.end = JalaliDateEdit()
        year_start, today = self._this_year()
        self.start.setDate(year_start)
        self.end.setDate(today)
        self.show_button = QPushButton("نمایش")
        self.show_button.setObjectName("primary")
        self.this_year = QPushButton("امسال")
        self.this_month = QPushButton("ماه جاری")
        self.all_time = QPushButton("همه زمان‌ها")
        self.csv_button = QPushButton("ذخیره CSV…")
        self.pdf_button = QPushButton("ذخیره PDF…")
        self.print_button = QPushButton("چاپ…")
        for button in (self.csv_button, self.pdf_button, self.print_button):
            button.setEnabled(False)
        self.message = error_label()
        self.info = QLabel()
        self.info.setObjectName("formInfo")

        period = QHBoxLayout()
        for w in (QLabel("از"), self.start, QLabel("تا"), self.end, self.show_button, self.this_year,
                  self.this_month, self.all_time):
            period.addWidget(w)
        period.addStretch(1)
        for w in (self.csv_button, self.pdf_button, self.print_button):
            period.addWidget(w)

        # QtCharts loads with the dashboard, not with the application: most users never open it.
        from .statistics_charts import BarChart

        self.charts = {group: BarChart(GROUP_TITLES[group]) for group in GROUP_TITLES}
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        grid.setContentsMargins(0, 0, 0, 0)
        # Dependants have the most categories: across the top; the other three below it.
        grid.addWidget(self.charts["dependants"], 0, 0, 1, 3)
        for column, group in enumerate(("overview", "inquiries", "corrections")):
            grid.addWidget(self.charts[group], 1, column)
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(TABLE_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumWidth(240)
        self._row_groups: list[str | None] = []  # per table row: its group, None for a heading
        body = QSplitter()
        body.addWidget(grid_holder)
        body.addWidget(self.table)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        body.setChildrenCollapsible(False)

        box = QVBoxLayout(self)
        box.addWidget(title)
        box.addLayout(period)
        box.addWidget(self.message)
        box.addWidget(self.info)
        box.addWidget(body, 1)

        self.show_button.clicked.connect(self.refresh)
        self.start.dateChanged.connect(lambda _day: self.refresh())
        self.end.dateChanged.connect(lambda _day: self.refresh())
        self.this_year.clicked.connect(lambda: self.set_period(*self._this_year()))
        self.this_month.clicked.connect(lambda: self.set_period(*self._this_month()))
        self.all_time.clicked.connect(lambda: self.set_period(None, None))
        self.csv_button.clicked.connect(self.save_csv_with_dialog)
        self.pdf_button.clicked.connect(self.save_pdf_with_dialog)
        self.print_button.clicked.connect(self.print_with_dialog)
        self.live = RefreshWhenShown(self, ctx.changes.changed, WATCHED, lambda: self.refresh())

    # --- the period ----------------------------------------------------------------------------
    def _this_year(self) -> tuple[dt.date, dt.date]:
        today = self.ctx.store.today()
        return from_jalali(jalali_ymd(today)[0], 1, 1), today

    def _this_month(self) -> tuple[dt.date, dt.date]:
        today = self.ctx.store.today()
        year, month, _day = jalali_ymd(today)
        return from_jalali(year, month, 1), today

    def set_period(self, start: dt.date | None, end: dt.date | None) -> None:
        """Both fields at once, then one listing (not one per field)."""
        for field, day in ((self.start, start), (self.end, end)):
            field.blockSignals(True)
            field.setDate(day) if day is not None else field.clear()
            field.blockSignals(False)
        self.refresh()

    # --- reading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        for field, name in ((self.start, "آغاز"), (self.end, "پایان")):
            if field.text().strip() and not field.isValid():
                show_message(self.message, f"تاریخ {name} بازه: {field.errorText()}")
                return
        self._asked += 1
        generation, store, actor = self._asked, self.ctx.store, self.ctx.actor
        start, end = self.start.date(), self.end.date()

        def shown(stats: Statistics) -> None:
            if generation == self._asked:
                self.show_statistics(stats)

        def failed(exc: BaseException) -> None:
            if generation == self._asked:
                fail_beside(self, lambda text: show_message(self.message, text))(exc)

        # Period() refuses a start after the end: in the operation, so the refusal shows beside it.
        (Operation(self, lambda _job: branch_statistics(store, actor, Period(start, end)))
         .on_success(shown).on_failure(failed).run())

    def show_statistics(self, stats: Statistics) -> None:
        self.stats = stats
        show_message(self.message, "")
        groups = figure_rows(stats)
        for group, chart in self.charts.items():
            chart.show_rows(groups[group])
        self.table.setRowCount(0)
        self._row_groups = []
        for group, rows in groups.items():
            self._add_heading(GROUP_TITLES[group])
            for row in rows:
                self._add_row(GROUP_TITLES[group], row)
        self.info.setText(f"بازه {period_text(stats.period)}؛ {persian_digits(stats.enrolments)} نام‌نویسی، "
                          f"{persian_digits(stats.inquiries)} استعلام.")
        for button in (self.csv_button, self.pdf_button, self.print_button):
            button.setEnabled(True)

    def _add_heading(self, title: str) -> None:
        """A group's title across the table, bold and shaded, above its rows."""
        at = self.table.rowCount()
        self.table.insertRow(at)
        item = QTableWidgetItem(title)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setBackground(QColor("#e8eef5"))
        self.table.setItem(at, 0, item)
        self.table.setSpan(at, 0, 1, len(TABLE_COLUMNS))
        self._row_groups.append(None)

    def _add_row(self, group: str, row: FigureRow) -> None:
        at = self.table.rowCount()
        self.table.insertRow(at)
        count = QTableWidgetItem(persian_digits(row.count))
        count.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.setItem(at, 0, QTableWidgetItem(row.title))
        self.table.setItem(at, 1, count)
        self._row_groups.append(group)

    def figures(self) -> list[tuple[str, str, str]]:
        """The table as shown (group, title, count) — what a reader sees beside the charts."""
        def cell(r: int, c: int) -> str:
            item = self.table.item(r, c)
            return item.text() if item is not None else ""

        return [(group, cell(r, 0), cell(r, 1)) for r, group in enumerate(self._row_groups) if group is not None]

    # --- exports -------------------------------------------------------------------------------
    def _suggested(self, ext: str) -> str:
        period = self.stats.period if self.stats else Period()
        start = "-".join(map(str, jalali_ymd(period.start))) if period.start else "all"
        end = "-".join(map(str, jalali_ymd(period.end))) if period.end else "today"
        return f"branch-statistics-{start}-{end}.{ext}"

    def export_csv(self, path: str | Path) -> None:
        stats = self.stats
        if stats is None:
            return
        self._write(path, lambda: statistics_csv(stats))

    def export_pdf(self, path: str | Path) -> None:
        stats, store = self.stats, self.ctx.store
        if stats is None:
            return
        self._write(path, lambda: statistics_pdf(store, stats))

    def _write(self, path: str | Path, make) -> None:  # noqa: ANN001 - a bytes-making callable
        target = Path(path)

        def write(_job: object) -> Path:
            target.write_bytes(make())
            return target

        (Operation(self, write).on_success(lambda p: show_message(self.info, saved_text(p)))
         .on_failure(fail_beside(self, lambda text: show_message(self.message, text))).run())

    def save_csv_with_dialog(self) -> None:
        path = save_file_name(self, "ذخیره آمار (CSV)", self._suggested("csv"), "CSV (*.csv)")
        if path:
            self.export_csv(path)

    def save_pdf_with_dialog(self) -> None:
        path = save_file_name(self, "ذخیره آمار (PDF)", self._suggested("pdf"), "PDF (*.pdf)")
        if path:
            self.export_pdf(path)

    def print_with_dialog(self) -> None:
        stats, store = self.stats, self.ctx.store
        if stats is None:
            return
        (Operation(self, lambda _job: statistics_pdf(store, stats))
         .on_success(lambda pdf: self.printing.print_pdf(pdf, title="چاپ آمار شعبه",
                                                         suggested_name=self._suggested("pdf")))
         .run())
