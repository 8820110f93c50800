"""Due to end, computed (issue 11 item 6): links that end by rule are listed even with no stored
end, and a future-dated end hands the medical link over by itself when its day comes."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain.dependants import LinkOnRecord, due_end
from desktop.domain.jalali import from_jalali
from desktop.services.dependant_due import due_to_end, hand_over_medical_links
from desktop.services.dependants import add_dependant, end_dependency
from desktop.services.enrolment import enrol
from desktop.services.people import get_person

from ..conftest import count_rows
from ..factories import questionnaire

PDF = b"%PDF-1.4 scanned paper"


@pytest.fixture
def family(store, admin, registered):
    wife = registered(gender="female", first_name="مریم", birth_date="1366/01/01")
    father = registered(first_name="علی", marriages=[{"spouse_national_code": wife["national_code"],
                                                      "date": "1384/05/05"}])
    enrol(store, admin, questionnaire(father["national_code"]))
    enrol(store, admin, questionnaire(wife["national_code"]))
    parents = {"father_national_code": father["national_code"], "mother_national_code": wife["national_code"]}
    return {"father": father["national_code"], "wife": wife["national_code"], "parents": parents}


def clear_end(store, national_code: str) -> None:
    """A link whose end was never stored (registered before the rule, brought in by sync or a load)."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE relationship SET \"end\" = NULL, end_reason = NULL WHERE person_id = "
                             "(SELECT id FROM person WHERE national_code = ?) AND main_insured_id IS NOT NULL",
                             (national_code,))


def listed(store, clerk, days: int) -> list[tuple[str, str, str, bool]]:
    return [(d["relation"], d["end"], d["end_reason"], d["by_rule"]) for d in due_to_end(store, clerk, days)]


def test_a_son_with_no_stored_end_is_due_on_the_eve_of_his_20th_birthday(store, clerk, registered, family):
    son = registered(gender="male", birth_date="1384/07/01", **family["parents"])  # 20 on 1404/07/01
    add_dependant(store, clerk, family["father"], son["national_code"], "son")
    clear_end(store, son["national_code"])
    assert listed(store, clerk, 16) == [("son", "1404/06/31", "age_20", True)]
    assert listed(store, clerk, 15) == []  # 1404/06/15 + 15 days = 1404/06/30


def test_a_son_backed_by_a_university_certificate_is_not_due_by_age(store, clerk, registered, family):
    son = registered(gender="male", birth_date="1384/07/01", **family["parents"])
    add_dependant(store, clerk, family["father"], son["national_code"], "son", papers=[
        ("university_enrolment", "u.pdf", PDF, "application/pdf", {"until": "1406/06/31"})])
    clear_end(store, son["national_code"])
    assert listed(store, clerk, 365) == []


def test_a_daughter_without_the_commitment_form_is_due_on_her_18th_birthday(store, clerk, registered, family):
    daughter = registered(gender="female", birth_date="1386/07/10", **family["parents"])
    add_dependant(store, clerk, family["father"], daughter["national_code"], "daughter")
    clear_end(store, daughter["national_code"])
    assert listed(store, clerk, 30) == [("daughter", "1404/07/10", "age_18_commitment_form", True)]


def test_a_trial_adoption_is_due_on_its_last_day_and_a_final_order_lifts_it(store, clerk, registered, family):
    child = registered(gender="female", birth_date="1400/01/01")
    papers = [("court_order_trial", "t.pdf", PDF, "application/pdf", {"date": "1404/01/01"}),
              ("welfare_letter", "w.pdf", PDF, "application/pdf", {})]
    add_dependant(store, clerk, family["father"], child["national_code"], "adopted_child", papers=papers)
    clear_end(store, child["national_code"])
    assert listed(store, clerk, 30) == [("adopted_child", "1404/06/31", "trial_order", True)]


def test_a_soldiers_family_is_due_when_the_service_on_record_ends(store, admin, clerk, registered):
    wife = registered(gender="female", birth_date="1380/01/01")
    soldier = registered(birth_date="1378/01/01", marriages=[{"spouse_national_code": wife["national_code"],
                                                              "date": "1402/01/01"}])
    enrol(store, admin, questionnaire(soldier["national_code"], relationship={
        "kind": "military_service", "start": "1403/01/01", "end": "1404/07/05"}))
    add_dependant(store, clerk, soldier["national_code"], wife["national_code"], "soldier_family",
                  papers=[("service_booklet", "b.pdf", PDF, "application/pdf", {})],
                  soldier={"on_wage_list_or_inspection": True})
    clear_end(store, wife["national_code"])
    assert listed(store, clerk, 30) == [("soldier_family", "1404/07/05", "service_end", True)]


def test_stored_ends_are_still_listed_and_the_earlier_end_wins(store, clerk, registered, family):
    son = registered(gender="male", birth_date="1384/07/01", **family["parents"])
    added = add_dependant(store, clerk, family["father"], son["national_code"], "son")
    end_dependency(store, clerk, added.relationship_id, "employment", from_jalali(1404, 6, 20))
    assert listed(store, clerk, 30) == [("son", "1404/06/20", "employment", False)]


def test_the_rule_end_is_the_earlier_of_stored_and_rule():
    base = dict(relation="son", start=dt.date(2010, 1, 1), end_reason="certificate_expiry",
                birth_date=from_jalali(1387, 1, 1))  # 20 on 1407/01/01
    later = due_end(LinkOnRecord(end=from_jalali(1408, 1, 1), **base))
    assert later is not None and (later.end, later.end_reason, later.by_rule) == (
        from_jalali(1407, 1, 1) - dt.timedelta(days=1), "age_20", True)
    earlier = due_end(LinkOnRecord(end=from_jalali(1405, 1, 1), **base))
    assert earlier is not None and (earlier.end, earlier.by_rule) == (from_jalali(1405, 1, 1), False)
    assert due_end(LinkOnRecord(end=None, papers=frozenset({"disability_certificate"}), **base)) is None


def medical(store, clerk, national_code: str) -> dict[str, bool]:
    return {r["main_insured_name"].split()[0]: r["medical_link"]
            for r in get_person(store, clerk, national_code=national_code).as_json()["relationships"]}


def test_a_future_end_hands_the_medical_link_over_when_its_day_comes(store, clerk, registered, family):
    son = registered(gender="male", first_name="رضا", birth_date="1395/03/03", **family["parents"])
    add_dependant(store, clerk, family["wife"], son["national_code"], "son")
    fathers = add_dependant(store, clerk, family["father"], son["national_code"], "son")
    end_dependency(store, clerk, fathers.relationship_id, "other", from_jalali(1404, 7, 1))
    assert medical(store, clerk, son["national_code"]) == {"علی": True, "مریم": False}

    before = {t: count_rows(store, t) for t in ("audit_log", "outbox")}
    assert hand_over_medical_links(store, clerk) == []  # today 1404/06/15: not yet, nothing written
    assert hand_over_medical_links(store, clerk, from_jalali(1404, 6, 31)) == []
    assert {t: count_rows(store, t) for t in before} == before

    done = hand_over_medical_links(store, clerk, from_jalali(1404, 7, 1))  # the end's own day
    assert [(h.ended_id, h.end) for h in done] == [(fathers.relationship_id, from_jalali(1404, 7, 1))]
    assert medical(store, clerk, son["national_code"]) == {"علی": False, "مریم": True}
    # Audit + outbox for both links, in the one transaction.
    assert {t: count_rows(store, t) - before[t] for t in before} == {"audit_log": 2, "outbox": 2}
    with store.engine.connect() as conn:
        actions = [r[0] for r in conn.exec_driver_sql(
            "SELECT op FROM outbox ORDER BY seq DESC LIMIT 2")]
    assert actions == ["dependant.medical_link", "dependant.medical_link"]
    # Run again (the next day, or a second start-up): nothing left to do, nothing written.
    assert hand_over_medical_links(store, clerk, from_jalali(1404, 7, 2)) == []
    assert count_rows(store, "outbox") - before["outbox"] == 2


def test_a_child_with_one_insured_parent_keeps_the_link_it_has(store, clerk, registered, family):
    son = registered(gender="male", birth_date="1395/03/03", **family["parents"])
    only = add_dependant(store, clerk, family["father"], son["national_code"], "son")
    end_dependency(store, clerk, only.relationship_id, "other", from_jalali(1404, 7, 1))
    assert hand_over_medical_links(store, clerk, from_jalali(1404, 8, 1)) == []


def test_every_role_signed_in_runs_the_daily_handover(store, users):
    for actor in users.values():
        assert hand_over_medical_links(store, actor) == []
