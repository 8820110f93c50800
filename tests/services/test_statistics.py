"""The branch's statistics (SPEC §7): each figure over a Jalali period, both ends inclusive."""

from __future__ import annotations

import pytest

from desktop.domain.errors import InvalidValue, PermissionDenied
from desktop.domain.jalali import from_jalali
from desktop.services.statistics import Period, branch_statistics

from .statistics_helpers import fill

FARVARDIN_1405 = Period(from_jalali(1405, 1, 1), from_jalali(1405, 1, 31))


@pytest.fixture
def filled(store, admin, registered):
    fill(store, admin, registered)
    return store


def test_a_period_counts_what_was_recorded_in_it_up_to_its_last_second(filled, users):
    stats = branch_statistics(filled, users["supervisor"], FARVARDIN_1405)
    assert stats.enrolments == 2  # the main insured and the wife; the third was enrolled in 1404
    assert stats.dependants_by_relation == {"wife": 1, "husband": 0, "daughter": 0, "son": 0, "father": 0,
                                            "mother": 0, "adopted_child": 0, "soldier_family": 0}
    assert stats.inquiries_by_state == {"not_found": 1, "not_active": 1, "in_period": 1, "active": 1}
    assert stats.certificates == 1  # and its inquiry record is not counted again as an inquiry
    assert stats.corrections == {"requested": 2, "checked": 0, "approved": 1, "rejected": 1, "applied": 1}
    assert stats.as_json()["from"] == "1405/01/01" and stats.as_json()["to"] == "1405/01/31"


def test_all_time_and_open_ended_periods(filled, admin):
    every = branch_statistics(filled, admin)
    assert every.enrolments == 3
    assert every.inquiries_by_state == {"not_found": 2, "not_active": 2, "in_period": 1, "active": 2}
    since = branch_statistics(filled, admin, Period(start=from_jalali(1405, 1, 1)))
    assert since.enrolments == 2 and since.inquiries == 4
    until = branch_statistics(filled, admin, Period(end=from_jalali(1404, 12, 29)))
    assert until.enrolments == 1 and until.inquiries == 3 and until.certificates == 0
    assert until.dependants == 0 and sum(until.corrections.values()) == 0


def test_a_period_before_anything_happened_is_all_zeros(filled, admin):
    stats = branch_statistics(filled, admin, Period(from_jalali(1390, 1, 1), from_jalali(1390, 12, 29)))
    assert stats.enrolments == stats.dependants == stats.inquiries == stats.certificates == 0
    assert set(stats.corrections) == {"requested", "checked", "approved", "rejected", "applied"}


def test_only_supervisors_and_administrators_see_the_statistics(filled, users):
    for role in ("clerk", "letter_staff"):
        with pytest.raises(PermissionDenied):
            branch_statistics(filled, users[role])
    assert branch_statistics(filled, users["admin"]).enrolments == 3


def test_a_period_that_ends_before_it_starts_is_refused_in_both_languages():
    with pytest.raises(InvalidValue) as err:
        Period(from_jalali(1405, 2, 1), from_jalali(1405, 1, 1))
    assert "پس از پایان" in err.value.fa and "after it ends" in err.value.en


def test_the_daily_counts_agree_with_a_recount_after_inserts_updates_and_deletes(filled, admin):
    """The triggers keep statistics_day equal to plain COUNTs over the rows, whatever changes."""
    from desktop.db import statistics_index
    from desktop.services.statistics import compute, recount
    from desktop.services.unit import reading

    with filled.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE correction_request SET status = 'approved' WHERE status = 'requested'")
        conn.exec_driver_sql("DELETE FROM correction_request WHERE status = 'rejected'")
        conn.exec_driver_sql("UPDATE relationship SET type_code = 'husband' WHERE main_insured_id IS NOT NULL")
        conn.exec_driver_sql("UPDATE inquiry_record SET requester_person_id = person_id WHERE state = 'active'")
        assert statistics_index.recount_differences(conn) == []
    with reading(filled, admin) as s:
        for period in (Period(), FARVARDIN_1405, Period(end=from_jalali(1404, 12, 29))):
            assert compute(s, filled.branch_code, period) == recount(s, filled.branch_code, period)
    stats = branch_statistics(filled, admin, FARVARDIN_1405)
    assert stats.corrections == {"requested": 0, "checked": 0, "approved": 3, "rejected": 0, "applied": 1}
    assert stats.dependants_by_relation["husband"] == 1 and stats.inquiries_by_state["active"] == 0


def test_the_dashboard_reads_the_daily_counts_in_one_query(filled, admin):
    from sqlalchemy import event

    from desktop.services import statistics
    from desktop.services.unit import reading

    with reading(filled, admin) as s:
        statements: list[str] = []
        event.listen(s.get_bind(), "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
        statistics.compute(s, filled.branch_code, FARVARDIN_1405)
        selects = [st for st in statements if st.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 1 and "statistics_day" in selects[0]
        plan = " ".join(str(r[-1]) for r in s.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT figure, key, SUM(n) FROM statistics_day WHERE branch IN (?, '') "
            "AND day >= ? AND day <= ? GROUP BY figure, key", ("1021", "2025-03-21", "2025-04-20")))
        assert "statistics_day" in plan


def test_the_plain_recount_uses_the_covering_indexes(filled, admin):
    """recount (the check and the benchmark's floor) is index range scans, not table walks."""
    from sqlalchemy import event

    from desktop.services import statistics
    from desktop.services.unit import reading

    with reading(filled, admin) as s:
        statements = []

        def grab(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        event.listen(s.get_bind(), "before_cursor_execute", grab)
        try:
            statistics.recount(s, filled.branch_code, FARVARDIN_1405)
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", grab)
        assert sum(st.lstrip().upper().startswith("SELECT") for st, _ in statements) == 5
        for statement, parameters in statements:
            plan = " ".join(str(row[-1]) for row in s.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, tuple(parameters)))
            if not statement.lstrip().upper().startswith("SELECT") or "correction_request" in statement:
                continue
            assert "COVERING INDEX" in plan or "USING INDEX ix_certificate_created" in plan, (statement, plan)
