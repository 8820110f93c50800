"""`branch-desk stats` (CLI.md): the same numbers as the statistics service, on a demo store."""

from __future__ import annotations

import json

import pytest

from desktop.domain.jalali import from_jalali
from desktop.services.statistics import Period, branch_statistics
from desktop.services.store import open_store
from desktop.services.users import sign_in

from .conftest import run_cli


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("stats") / "demo.sqlite"
    result = run_cli(["demo", "--db", str(db), "--persons", "1500", "--json"])
    assert result.returncode == 0, result.stderr
    return db


def stats(db, *argv: str, user: str = "supervisor", password: str = "super1234"):
    import os

    os.environ["BRANCH_DESK_PASSWORD"] = password
    try:
        return run_cli(["stats", "--db", str(db), "--user", user, *argv])
    finally:
        os.environ.pop("BRANCH_DESK_PASSWORD", None)


@pytest.mark.parametrize("argv, period", [
    ((), Period()),
    (("--from", "1405/01/01", "--to", "1405/12/29"), Period(from_jalali(1405, 1, 1), from_jalali(1405, 12, 29))),
    (("--from", "۱۴۰۴/۰۱/۰۱",), Period(start=from_jalali(1404, 1, 1))),
    (("--to", "1404/12/29",), Period(end=from_jalali(1404, 12, 29))),
])
def test_stats_json_equals_the_service_on_a_demo_store(demo_db, argv, period):
    result = stats(demo_db, *argv, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    store = open_store(demo_db)
    try:
        expected = branch_statistics(store, sign_in(store, "supervisor", "super1234"), period).as_json()
    finally:
        store.close()
    assert data == expected
    assert set(data) == {"from", "to", "enrolments", "dependants_by_relation", "corrections",
                         "inquiries_by_state", "certificates"}
    if not argv:
        assert data["enrolments"] > 0 and sum(data["dependants_by_relation"].values()) > 0


def test_the_demo_store_keeps_its_daily_counts_right(demo_db):
    """The bulk loader sets the counting triggers aside and rebuilds the counts once."""
    from desktop.db.statistics_index import recount_differences

    store = open_store(demo_db)
    try:
        with store.engine.connect() as conn:
            assert recount_differences(conn) == []
    finally:
        store.close()


def test_stats_text_is_persian_first_with_persian_digits(demo_db):
    result = stats(demo_db)
    assert result.returncode == 0
    assert "نام‌نویسی / enrolments: " in result.stdout and "همسر (زن) (wife)" in result.stdout


@pytest.mark.parametrize("argv, field", [
    (("--from", "1405/02/01", "--to", "1405/01/31"), "after it ends"),
    (("--from", "1405/13/01"), "not a day of the Jalali calendar"),
    (("--to", "2024/01/01"), "Gregorian"),
    (("--from", "tomorrow"), "not a Jalali YYYY/MM/DD"),
])
def test_bad_periods_exit_2_in_both_languages_as_json(demo_db, argv, field):
    result = stats(demo_db, *argv, "--json")
    assert result.returncode == 2
    assert field in result.stderr and "خطا:" in result.stderr
    assert json.loads(result.stdout)["ok"] is False


def test_a_clerk_may_not_see_the_statistics(demo_db):
    result = stats(demo_db, "--json", user="clerk", password="clerk1234")
    assert result.returncode == 4 and "آمار شعبه" in result.stderr
