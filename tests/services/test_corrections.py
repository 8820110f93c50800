"""The correction ledger's use cases on a real store: request, decide, apply, refusals."""

from __future__ import annotations

import json

import pytest

from desktop.domain.errors import InvalidValue, NotFound, PermissionDenied, Refused
from desktop.services.account import account_of
from desktop.services.corrections import (
    ScannedForm,
    approve_correction,
    correction_detail,
    correction_form,
    list_corrections,
    reject_correction,
    request_correction,
    waiting_count,
)
from desktop.services.enrolment import enrol
from desktop.services.ledger import verify_ledger
from desktop.services.reference import add_workshops
from desktop.services.users import create_user

from ..factories import questionnaire
from .correction_kit import add_monthly_lines, count, snapshot

PERIODS = [(1402, 11, 30, 100_000_000), (1402, 12, 29, 100_000_000), (1403, 1, 31, 120_000_000),
           (1403, 2, 31, 120_000_000)]


@pytest.fixture
def person(store, clerk, registered, workshop):
    ident = registered(first_name="مریم", last_name="کریمی", gender="female")
    result = enrol(store, clerk, questionnaire(ident["national_code"], relationship={
        "kind": "mandatory", "start": "1400/01/01", "workshop_code": workshop}))
    lines = add_monthly_lines(store, result.person_id, workshop, PERIODS)
    return ident["national_code"], result.person_id, lines


@pytest.fixture
def supervisor(users):
    return users["supervisor"]


def test_request_approve_applies_a_new_line_and_the_account_follows(store, clerk, supervisor, person):
    code, pid, lines = person
    before = account_of(store, clerk, national_code=code)
    assert before.lifetime.days == 121 and before.lifetime.wage_total == 440_000_000
    filed = request_correction(store, clerk, lines[2].hex, {"days": "۲۵", "wage": "130000000"},
                               "لیست اشتباه ثبت شده بود", unit="واحد درآمد",
                               form=ScannedForm("form.pdf", b"%PDF-1.4 form", "application/pdf"))
    assert filed.status == "open" and dict((f, (o, n)) for f, o, n in filed.changes) == {
        "days": (31, 25), "wage": (120_000_000, 130_000_000)}
    assert waiting_count(store, supervisor) == 1 and waiting_count(store, clerk) == 0
    (queued,) = list_corrections(store, supervisor, waiting_for_me=True)
    assert queued.requested_by == clerk.username and queued.form_identifier
    assert correction_form(store, supervisor, filed.id) == ("form.pdf", b"%PDF-1.4 form")
    assert list_corrections(store, clerk, waiting_for_me=True) == ()  # their own: never in their queue

    decision = approve_correction(store, supervisor, filed.id.hex, "با لیست کارگاه مطابقت دارد")
    assert decision.status == "applied" and decision.correction_line_id is not None
    after = account_of(store, clerk, national_code=code)
    assert after.lifetime.days == 121 - 6 and after.lifetime.wage_total == 450_000_000
    (y1403,) = [y for y in after.yearly if y.year == 1403]
    assert (y1403.days, y1403.wage_total) == (56, 250_000_000)
    monthly = {m.line_id: m for m in after.monthly}
    assert lines[2] not in monthly and monthly[decision.correction_line_id].supersedes == lines[2]
    (old,) = [x for x in after.lines if not x.in_effect]
    assert old.line_id == lines[2] and old.corrected_by == decision.correction_line_id
    as_json = after.as_json()
    assert as_json["superseded"][0]["corrected_by"] == decision.correction_line_id.hex
    assert {m["line_id"] for m in as_json["monthly"]} == {lines[0].hex, lines[1].hex, lines[3].hex,
                                                          decision.correction_line_id.hex}
    detail = correction_detail(store, supervisor, filed.id)
    assert [s.step for s in detail.steps] == ["request", "check", "approve", "apply"]
    assert len(detail.history) == 2 and not detail.stale
    (done,) = list_corrections(store, clerk, "approved")
    assert done.decided_by == supervisor.username and done.decision_reason == "با لیست کارگاه مطابقت دارد"
    report = verify_ledger(store, supervisor)
    assert report.ok and report.entries == 4
    # Every step wrote its audit row and outbox row (plus the archived form's pair).
    with store.engine.connect() as conn:
        actions = [r[0] for r in conn.exec_driver_sql(
            "SELECT action FROM audit_log WHERE action LIKE 'correction.%' ORDER BY seq")]
        outbox = [r[0] for r in conn.exec_driver_sql(
            "SELECT op FROM outbox WHERE entity = 'correction_request' ORDER BY seq")]
    assert actions == outbox == ["correction.request", "correction.check", "correction.approve",
                                 "correction.apply"]


def test_reject_leaves_the_account_as_it_was(store, clerk, supervisor, person):
    code, _pid, lines = person
    before = account_of(store, clerk, national_code=code)
    filed = request_correction(store, clerk, lines[0], {"rate": 270}, "نرخ اشتباه")
    decision = reject_correction(store, supervisor, filed.id, "نرخ درست است")
    assert decision.status == "rejected"
    assert account_of(store, clerk, national_code=code) == before
    (rejected,) = list_corrections(store, clerk, "rejected")
    assert rejected.decision_reason == "نرخ درست است"
    with pytest.raises(Refused) as err:  # decided once
        approve_correction(store, supervisor, filed.id, "دوباره")
    assert err.value.reasons[0].rule == "already_decided"
    # The line is free again for a new request.
    assert request_correction(store, clerk, lines[0], {"rate": 280}, "نرخ دیگر").status == "open"


def test_maker_is_not_checker_and_a_clerk_cannot_decide(store, admin, clerk, supervisor, person):
    _code, _pid, lines = person
    mine = request_correction(store, supervisor, lines[1], {"job": "تکنسین"}, "شغل اشتباه")
    before = snapshot(store)
    with pytest.raises(PermissionDenied) as err:
        approve_correction(store, supervisor, mine.id, "خودم")
    assert err.value.exit_code == 4 and "درخواست‌کننده" in err.value.fa
    with pytest.raises(PermissionDenied):
        reject_correction(store, clerk, mine.id, "رد")
    assert snapshot(store) == before
    other = create_user(store, admin, "super2", "سرپرست دوم", "supervisor", "password123")
    assert approve_correction(store, other, mine.id, "درست است").status == "applied"


def test_a_stale_request_is_refused_and_can_be_rejected(store, clerk, supervisor, person):
    _code, _pid, lines = person
    filed = request_correction(store, clerk, lines[3], {"wage": 125_000_000}, "دستمزد")
    with store.engine.begin() as conn:  # the line changed behind the ledger (e.g. an import)
        conn.exec_driver_sql("UPDATE document_line SET days = 30 WHERE id = ?", (lines[3].hex,))
    assert correction_detail(store, supervisor, filed.id).stale
    before = snapshot(store)
    with pytest.raises(Refused) as err:
        approve_correction(store, supervisor, filed.id, "تایید")
    assert err.value.reasons[0].rule == "stale" and err.value.exit_code == 3
    assert snapshot(store) == before
    assert reject_correction(store, supervisor, filed.id, "کهنه است").status == "rejected"


@pytest.mark.parametrize(("changes", "field"), [
    ({"days": 32}, "days"), ({"days": -1}, "days"), ({"wage": -5}, "wage"), ({"wage": "x"}, "wage"),
    ({"wage": 10**30}, "wage"), ({"rate": 0}, "rate"), ({"rate": 900}, "rate"), ({"job": ""}, "job"),
    ({"workshop_code": "12"}, "workshop_code"), ({"ssn": "1"}, "set"), ({}, "set"),
])
def test_bad_values_are_refused_with_nothing_written(store, clerk, person, changes, field):
    _code, _pid, lines = person
    before = snapshot(store)
    with pytest.raises(InvalidValue) as err:
        request_correction(store, clerk, lines[0], changes, "دلیل")
    assert err.value.field == field and err.value.fa
    assert snapshot(store) == before


def test_days_follow_the_jalali_month(store, clerk, person):
    _code, _pid, lines = person
    with pytest.raises(InvalidValue):  # Esfand 1402 has 29 days
        request_correction(store, clerk, lines[1], {"days": 30}, "دلیل")
    with pytest.raises(InvalidValue):  # Bahman has 30
        request_correction(store, clerk, lines[0], {"days": 31}, "دلیل")
    assert request_correction(store, clerk, lines[2], {"days": 31, "wage": 1}, "دلیل").status == "open"


def test_rules_are_checked_together_and_write_nothing(store, admin, clerk, supervisor, person):
    _code, _pid, lines = person
    before = snapshot(store)
    with pytest.raises(Refused) as err:
        request_correction(store, clerk, lines[0], {"days": 30}, "دلیل")  # already 30
    assert [r.rule for r in err.value.reasons] == ["nothing_changes"]
    with pytest.raises(Refused) as err:
        request_correction(store, clerk, lines[0], {"workshop_code": "9999999999"}, "دلیل")
    assert [r.rule for r in err.value.reasons] == ["unknown_workshop"]
    with pytest.raises(InvalidValue):
        request_correction(store, clerk, lines[0], {"days": 29}, "   ")  # a reason is required
    with pytest.raises(NotFound):
        request_correction(store, clerk, "0" * 32, {"days": 29}, "دلیل")
    assert snapshot(store) == before
    first = request_correction(store, clerk, lines[0], {"days": 29}, "دلیل")
    with pytest.raises(Refused) as err:
        request_correction(store, clerk, lines[0], {"days": 28}, "دلیل دیگر")
    assert [r.rule for r in err.value.reasons] == ["open_request"]
    approve_correction(store, supervisor, first.id, "درست")
    with pytest.raises(Refused) as err:
        request_correction(store, clerk, lines[0], {"days": 20}, "دلیل")
    assert [r.rule for r in err.value.reasons] == ["line_not_in_effect"]
    add_workshops(store, admin, {"code": "2222222222", "name": "کارگاه دوم", "address": "قم"})
    corrected = list_corrections(store, clerk, "applied")[0].correction_line_id
    again = request_correction(store, clerk, corrected, {"workshop_code": "2222222222"}, "کارگاه")
    approve_correction(store, supervisor, again.id, "درست")
    account = account_of(store, clerk, person_id=person[1])
    assert {m.workshop_code for m in account.monthly if (m.year, m.month) == (1402, 11)} == {"2222222222"}
    assert count(store, "ledger_entry") == 8


def test_the_outbox_rows_carry_the_ledger_links(store, clerk, person):
    _code, _pid, lines = person
    request_correction(store, clerk, lines[0], {"days": 10}, "دلیل")
    with store.engine.connect() as conn:
        payloads = [json.loads(r[0]) for r in conn.exec_driver_sql(
            "SELECT payload FROM outbox WHERE entity = 'correction_request' ORDER BY seq")]
    assert [p["ledger_seq"] for p in payloads] == [1, 2]
    assert payloads[1]["prev_hash"] == payloads[0]["ledger_hash"]
