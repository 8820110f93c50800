"""The supervisor's dashboard (issue 11 item 5): a period change updates the numbers, charts read
right to left in Persian, CSV (with BOM) and PDF are written, and commits refresh it."""

from __future__ import annotations

import csv
import io

import pytest

from desktop.domain.jalali import from_jalali
from desktop.services.inquiry import answer_inquiry
from desktop.services.statistics import Period, branch_statistics
from desktop.views.context import ViewContext
from desktop.views.main_window import visible_screens
from desktop.views.statistics_screen import Screen

from ..services.inquiry_helpers import pdf_text
from ..services.statistics_helpers import fill
from .helpers import wait_for_operations


@pytest.fixture
def dashboard(qtbot, store, admin, users, registered):
    fill(store, admin, registered)
    screen = Screen(ViewContext(store, users["supervisor"]))
    qtbot.addWidget(screen)
    screen.resize(1280, 760)
    screen.show()
    wait_for_operations(qtbot)
    return screen


def shown_counts(screen) -> dict[str, str]:
    return {title: count for _group, title, count in screen.figures()}


def test_a_period_change_updates_the_numbers(qtbot, dashboard, store, users):
    dashboard.set_period(from_jalali(1405, 1, 1), from_jalali(1405, 1, 31))
    wait_for_operations(qtbot)
    expected = branch_statistics(store, users["supervisor"], Period(from_jalali(1405, 1, 1), from_jalali(1405, 1, 31)))
    assert dashboard.stats == expected
    counts = shown_counts(dashboard)
    assert counts["نام‌نویسی"] == "۲" and counts["همسر (زن)"] == "۱" and counts["فعال"] == "۱"
    assert counts["گواهی وضعیت بیمه‌ای"] == "۱" and counts["درخواست‌شده"] == "۲"
    dashboard.start.setText("۱۴۰۴/۱۲/۰۱")  # typed in Persian digits: the day before is counted too
    wait_for_operations(qtbot)
    counts = shown_counts(dashboard)
    assert counts["نام‌نویسی"] == "۳" and counts["فعال"] == "۲"
    assert dashboard.charts["overview"].values[-1] == 3  # enrolments: the first category, at the right


def test_chart_categories_run_right_to_left_in_persian(qtbot, dashboard):
    dashboard.set_period(None, None)
    wait_for_operations(qtbot)
    chart = dashboard.charts["dependants"]
    assert chart.categories == ["خانواده سرباز", "فرزندخوانده", "مادر", "پدر", "پسر", "دختر", "همسر (شوهر)",
                                "همسر (زن)"]
    axis = next(a for a in chart.chart().axes() if hasattr(a, "categories"))
    assert list(axis.categories()) == chart.categories
    assert chart.chart().localizeNumbers() and chart.chart().locale().name() == "fa_IR"


def test_a_start_after_the_end_is_said_beside_the_period(qtbot, dashboard):
    dashboard.set_period(from_jalali(1405, 2, 1), from_jalali(1405, 1, 1))
    wait_for_operations(qtbot)
    assert "پس از پایان" in dashboard.message.text() and dashboard.message.isVisible()


def test_csv_and_pdf_are_written(qtbot, dashboard, tmp_path):
    dashboard.set_period(from_jalali(1405, 1, 1), from_jalali(1405, 1, 31))
    wait_for_operations(qtbot)
    dashboard.export_csv(tmp_path / "s.csv")
    dashboard.export_pdf(tmp_path / "s.pdf")
    wait_for_operations(qtbot)
    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["گروه", "کد", "عنوان", "تعداد", "از", "تا"]
    assert ["خلاصه", "enrolments", "نام‌نویسی", "2", "1405/01/01", "1405/01/31"] in rows
    pdf = (tmp_path / "s.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "1405/01/01" in text and "1021" in text
    assert "ذخیره شد" in dashboard.info.text()


def test_a_commit_elsewhere_refreshes_the_dashboard(qtbot, dashboard, store, admin):
    dashboard.set_period(None, None)
    wait_for_operations(qtbot)
    before = dashboard.stats.inquiries_by_state["not_found"]
    answer_inquiry(store, admin, "F1", "0012345679")  # another desk answers an inquiry
    qtbot.waitUntil(lambda: dashboard.stats.inquiries_by_state["not_found"] == before + 1, timeout=10_000)
    wait_for_operations(qtbot)


def test_only_supervisors_and_administrators_have_the_dashboard():
    for role, has in (("supervisor", True), ("admin", True), ("clerk", False), ("letter_staff", False)):
        assert ("statistics" in [e.key for e in visible_screens(role)]) is has


def test_qtcharts_loads_with_the_dashboard_not_with_the_application():
    import subprocess
    import sys

    code = "import sys, desktop.views.navigation, desktop.views.main_window; print('PySide6.QtCharts' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
