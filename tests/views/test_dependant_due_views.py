"""Due to end, computed, on the screens: a son whose link stores no end is listed on the eve of
his 20th birthday (marked as by rule), and the main window hands a medical link over at start-up
when a recorded end's day has come."""

from __future__ import annotations

import datetime as dt

from desktop.domain.jalali import from_jalali
from desktop.services.dependants import add_dependant, end_dependency
from desktop.services.enrolment import enrol
from desktop.services.people import get_person
from desktop.views import daily_checks
from desktop.views.context import ViewContext
from desktop.views.dependants_screen import Screen
from desktop.views.main_window import MainWindow

from ..factories import questionnaire
from .helpers import wait_for_operations


def family(store, admin, registered):
    wife = registered(gender="female", first_name="مریم", birth_date="1366/01/01")
    father = registered(first_name="علی", marriages=[{"spouse_national_code": wife["national_code"],
                                                      "date": "1384/05/05"}])
    enrol(store, admin, questionnaire(father["national_code"]))
    enrol(store, admin, questionnaire(wife["national_code"]))
    return father["national_code"], wife["national_code"]


def test_the_due_list_shows_a_son_with_no_stored_end_by_rule(qtbot, store, admin, clerk, registered):
    father, mother = family(store, admin, registered)
    son = registered(first_name="نیما", last_name="محمدی", gender="male", birth_date="1384/07/01",
                     father_national_code=father, mother_national_code=mother)
    add_dependant(store, clerk, father, son["national_code"], "son")
    with store.engine.begin() as conn:  # e.g. a link brought in by sync without its end
        conn.exec_driver_sql("UPDATE relationship SET \"end\" = NULL, end_reason = NULL "
                             "WHERE main_insured_id IS NOT NULL")
    screen = Screen(ViewContext(store, clerk))
    qtbot.addWidget(screen)
    screen.show()
    screen.tabs.setCurrentWidget(screen.due)
    wait_for_operations(qtbot)
    assert screen.due.model.rowCount() == 1
    assert "نیما محمدی" in screen.due.model.index(0, 0).data()
    assert screen.due.model.index(0, 4).data() == "۱۴۰۴/۰۶/۳۱"
    assert "(بنا بر قاعده)" in screen.due.model.index(0, 6).data()
    screen.due.table.selectRow(0)
    assert screen.due.reason.currentData() == "age_20"  # ending it records the rule's reason


def medical(store, clerk, national_code: str) -> dict[str, bool]:
    return {r["main_insured_name"].split()[0]: r["medical_link"]
            for r in get_person(store, clerk, national_code=national_code).as_json()["relationships"]}


def test_start_up_hands_the_medical_link_over_and_aims_at_the_next_midnight(qtbot, store, admin, clerk,
                                                                             registered):
    father, mother = family(store, admin, registered)
    son = registered(gender="male", birth_date="1395/03/03", father_national_code=father,
                     mother_national_code=mother)
    add_dependant(store, clerk, mother, son["national_code"], "son")
    fathers = add_dependant(store, clerk, father, son["national_code"], "son")
    end_dependency(store, clerk, fathers.relationship_id, "other", from_jalali(1404, 7, 1))
    assert medical(store, clerk, son["national_code"]) == {"علی": True, "مریم": False}

    store.clock = lambda: from_jalali(1404, 7, 1)  # the application starts on the end's day
    window = MainWindow(ViewContext(store, clerk))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.daily_checks.runs == 1, timeout=10_000)
    wait_for_operations(qtbot)
    assert [h.ended_id for h in window.daily_checks.last or []] == [fathers.relationship_id]
    assert medical(store, clerk, son["national_code"]) == {"علی": False, "مریم": True}
    timer = window.daily_checks.timer
    assert timer.isActive() and timer.isSingleShot()  # one shot aimed at the next midnight, no polling
    assert timer.remainingTime() <= 24 * 3600 * 1000 + 30_000
    window.daily_checks.stop()  # what closing the window does
    assert not timer.isActive()


def test_the_next_run_is_just_after_midnight():
    now = dt.datetime(2025, 9, 6, 23, 59, 0)
    assert daily_checks.ms_to_next_run(now) == 90_000
    # Just after a midnight (the check has just run): the next is a whole day later.
    assert daily_checks.ms_to_next_run(dt.datetime(2025, 9, 6, 0, 0, 29)) == (24 * 3600 + 1) * 1000
