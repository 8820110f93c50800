"""The answer engine (SPEC §4.3–4.4) on every state × authority group × main/dependant × period.

Most checks read the JSON (`as_json()`, the CLI contract); the typed answer itself is checked
at the end (fields, and the round trip through a stored record's text)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.domain.errors import InvalidValue
from desktop.domain.inquiry import (
    AuthorityFacts,
    BranchRef,
    InquiryAnswer,
    JudicialDependant,
    JudicialMain,
    Period,
    PersonFacts,
    RelationshipFact,
    RelationshipRow,
    parse_period,
)
from desktop.domain.inquiry import answer as engine
from desktop.domain.jalali import from_jalali

TODAY = from_jalali(1404, 6, 15)
NC = "0012345679"
FUND = AuthorityFacts("F1", "صندوق بازنشستگی کشوری", "fund")
COURT = AuthorityFacts("J1", "دادگستری تهران", "judicial")
SECRET_ADDRESS = "تهران، خیابان محرمانه، پلاک ۷"
SECRET_PHONE = "02188776655"
MAIN_ADDRESS = "شیراز، کوچه پنهان"
MAIN_PHONE = "07136363636"
WORKSHOP_ADDRESS = "تهران، جاده مخصوص، کیلومتر ۹"


def main_rel(start, end=None) -> RelationshipFact:
    return RelationshipFact(start, end, "mandatory", "main", "0012345678", "1021",
                            workshop_name="کارخانه نمونه", workshop_address=WORKSHOP_ADDRESS)


def dep_rel(start, end=None) -> RelationshipFact:
    return RelationshipFact(start, end, "wife", "dependant", "OO00000012", "1021",
                            main_insured_name="حسن رضایی", main_insured_address=MAIN_ADDRESS,
                            main_insured_phone=MAIN_PHONE)


def person(*rels: RelationshipFact) -> PersonFacts:
    return PersonFacts("مریم رضایی", "female", SECRET_ADDRESS, SECRET_PHONE, tuple(rels))


def answer(*args, **kwargs) -> dict:
    """The engine's answer as the CLI prints it."""
    return engine(*args, **kwargs).as_json()


Y1400 = from_jalali(1400, 1, 1)
Y1401 = from_jalali(1401, 1, 1)
Y1402 = from_jalali(1402, 1, 1)


def test_no_person_is_not_found():
    out = answer(NC, None, COURT, TODAY, tracking_code="T")
    assert out["state"] == "not_found" and out["person"] is None and out["relationships"] == []
    assert out["judicial"] is None and out["coverage"] is None and out["tracking_code"] == "T"
    assert out["date"] == "1404/06/15" and out["authority"] == {"code": "J1", "name": "دادگستری تهران",
                                                                "group": "judicial"}


@pytest.mark.parametrize("authority", [FUND, COURT])
def test_not_active_shows_only_the_last_relationship(authority):
    old = main_rel(Y1400, from_jalali(1400, 12, 29))
    last = dep_rel(Y1401, from_jalali(1402, 5, 1))
    out = answer(NC, person(last, old), authority, TODAY)
    assert out["state"] == "not_active" and out["coverage"] is None and out["judicial"] is None
    assert out["person"] == {"name": "مریم رضایی", "gender": "female"}
    assert [r["start"] for r in out["relationships"]] == ["1401/01/01"]
    assert out["relationships"][0] | {} == {
        "start": "1401/01/01", "end": "1402/05/01", "type": "wife", "insured_type": "dependant",
        "relation": "wife", "insurance_number": "OO00000012", "branch": "1021",
        "type_fa": "همسر (زن)", "insured_type_fa": "تبعی", "relation_fa": "همسر (زن)"}


def test_a_relationship_starting_tomorrow_is_not_active_and_one_ending_today_is():
    tomorrow = TODAY + dt.timedelta(days=1)
    assert answer(NC, person(main_rel(tomorrow)), FUND, TODAY)["state"] == "not_active"
    assert answer(NC, person(main_rel(Y1400, TODAY)), FUND, TODAY)["state"] == "active"
    assert answer(NC, person(main_rel(TODAY)), FUND, TODAY)["state"] == "active"
    assert answer(NC, person(main_rel(Y1400, TODAY - dt.timedelta(days=1))), FUND, TODAY)["state"] == "not_active"


def test_active_main_for_a_court_carries_workshop_address_and_phone():
    out = answer(NC, person(main_rel(Y1400)), COURT, TODAY)
    assert out["state"] == "active" and out["coverage"] == "main" and out["relationships"] == []
    assert out["judicial"] == {"workshop_name": "کارخانه نمونه", "workshop_address": WORKSHOP_ADDRESS,
                               "address": SECRET_ADDRESS, "phone": SECRET_PHONE}


def test_active_dependant_for_a_court_carries_the_main_insureds_contacts():
    out = answer(NC, person(dep_rel(Y1400)), COURT, TODAY)
    assert out["coverage"] == "dependant"
    assert out["judicial"] == {"main_insured_name": "حسن رضایی", "relation": "wife", "relation_fa": "همسر (زن)",
                               "address": MAIN_ADDRESS, "phone": MAIN_PHONE}


def test_main_wins_over_dependant_when_both_are_active():
    out = answer(NC, person(dep_rel(Y1400), main_rel(Y1402)), COURT, TODAY)
    assert out["coverage"] == "main" and "workshop_address" in out["judicial"]


def test_employer_only_is_not_insured():
    employer = RelationshipFact(Y1400, None, "employer_natural", "employer", "0012345670", "1021")
    out = answer(NC, person(employer), FUND, TODAY)
    assert out["state"] == "not_active" and out["relationships"][0]["insured_type"] == "employer"


@pytest.mark.parametrize("authority", [FUND, COURT])
def test_period_lists_overlapping_relationships_in_order(authority):
    a = main_rel(Y1400, from_jalali(1400, 6, 31))
    b = dep_rel(from_jalali(1401, 3, 1), from_jalali(1401, 9, 30))
    c = main_rel(Y1402)
    out = answer(NC, person(c, b, a), authority, TODAY, Period(from_jalali(1400, 6, 1), from_jalali(1401, 3, 1)))
    assert out["state"] == "in_period" and out["judicial"] is None and out["coverage"] is None
    assert [r["start"] for r in out["relationships"]] == ["1400/01/01", "1401/03/01"]
    assert out["period"] == {"from": "1400/06/01", "to": "1401/03/01"}


@pytest.mark.parametrize("period, state", [
    (Period(from_jalali(1399, 1, 1), from_jalali(1400, 1, 1)), "in_period"),   # touches the first day
    (Period(from_jalali(1400, 6, 31), from_jalali(1400, 9, 1)), "in_period"),  # touches the last day
    (Period(from_jalali(1399, 1, 1), from_jalali(1399, 12, 30)), "not_found"),  # ends the day before
    (Period(from_jalali(1400, 7, 1), from_jalali(1400, 9, 1)), "not_found"),  # starts the day after
])
def test_period_touching_a_relationship_edge_overlaps(period, state):
    out = answer(NC, person(main_rel(Y1400, from_jalali(1400, 6, 31))), FUND, TODAY, period)
    assert out["state"] == state
    if state == "not_found":
        assert out["person"] is None and out["relationships"] == []


def test_period_with_open_ended_relationship_and_unknown_person():
    period = Period(from_jalali(1403, 1, 1), from_jalali(1403, 2, 1))
    assert answer(NC, person(main_rel(Y1400)), COURT, TODAY, period)["state"] == "in_period"
    assert answer(NC, None, COURT, TODAY, period)["state"] == "not_found"


@pytest.mark.parametrize("start, end", [("1403/01/01", None), (None, "1403/01/01"), ("1403/01/01", "")])
def test_half_a_period_is_refused_in_persian(start, end):
    with pytest.raises(InvalidValue) as err:
        parse_period(start, end)
    assert "هر دو تاریخ" in err.value.fa


def test_reversed_period_is_refused_and_valid_ones_parse():
    with pytest.raises(InvalidValue) as err:
        parse_period("1403/02/01", "1403/01/01")
    assert "پیش از" in err.value.fa
    assert parse_period(None, "") is None
    assert parse_period("۱۴۰۳/۰۱/۰۱", "1403/01/01") == Period(from_jalali(1403, 1, 1), from_jalali(1403, 1, 1))


PEOPLE = {
    "none": None,
    "main_active": person(main_rel(Y1400)),
    "dependant_active": person(dep_rel(Y1400)),
    "both_active": person(main_rel(Y1402), dep_rel(Y1400)),
    "main_ended": person(main_rel(Y1400, from_jalali(1401, 1, 1))),
    "dependant_ended": person(dep_rel(Y1400, from_jalali(1401, 1, 1))),
    "no_relationships": person(),
}
PERIODS = {"none": None, "hit": Period(Y1400, Y1401), "miss": Period(from_jalali(1390, 1, 1), from_jalali(1390, 2, 1))}


def contacts_in(text: str) -> list[str]:
    return [s for s in (SECRET_ADDRESS, SECRET_PHONE, MAIN_ADDRESS, MAIN_PHONE, WORKSHOP_ADDRESS) if s in text]


@pytest.mark.parametrize("who, when", list(itertools.product(PEOPLE, PERIODS)))
def test_privacy_a_fund_never_sees_an_address_or_phone(who, when):
    out = answer(NC, PEOPLE[who], FUND, TODAY, PERIODS[when])
    text = json.dumps(out, ensure_ascii=False)
    assert contacts_in(text) == [] and out["judicial"] is None
    assert "address" not in text and "phone" not in text


@pytest.mark.parametrize("who, when", list(itertools.product(PEOPLE, PERIODS)))
def test_a_court_sees_contacts_only_for_an_active_person_without_period(who, when):
    out = answer(NC, PEOPLE[who], COURT, TODAY, PERIODS[when])
    text = json.dumps(out, ensure_ascii=False)
    if out["state"] == "active":
        assert when == "none" and out["judicial"] is not None and contacts_in(text)
    else:
        assert out["judicial"] is None and contacts_in(text) == []
    expected_keys = {"state", "tracking_code", "date", "authority", "national_code", "person", "coverage",
                     "relationships", "judicial", "period"}
    assert set(out) == expected_keys


def test_the_typed_answer_carries_fields_not_keys():
    court = engine(NC, person(dep_rel(Y1400)), COURT, TODAY, tracking_code="T")
    assert isinstance(court, InquiryAnswer) and court.state == "active" and court.date == TODAY
    assert court.judicial == JudicialDependant("حسن رضایی", "wife", "همسر (زن)", MAIN_ADDRESS, MAIN_PHONE)
    main = engine(NC, person(main_rel(Y1400)), COURT, TODAY)
    assert isinstance(main.judicial, JudicialMain) and main.judicial.address == SECRET_ADDRESS
    ended = engine(NC, person(main_rel(Y1400, Y1401)), FUND, TODAY)
    assert ended.relationships == (RelationshipRow(
        Y1400, Y1401, "mandatory", "main", None, "0012345678", "1021",
        ended.relationships[0].type_fa, "اصلی", None),)
    assert ended.person is not None and ended.person.name == "مریم رضایی"


@pytest.mark.parametrize("who, when", list(itertools.product(PEOPLE, PERIODS)))
@pytest.mark.parametrize("authority", [FUND, COURT])
def test_an_answer_survives_the_round_trip_through_its_stored_text(who, when, authority):
    out = engine(NC, PEOPLE[who], authority, TODAY, PERIODS[when], tracking_code="1021000000017")
    assert InquiryAnswer.from_json(json.loads(out.stored_text())) == out
    assert json.loads(out.stored_text()) == out.as_json()


# The stored text of each answer as the dict-building engine wrote it before answers were typed
# (generated once from that code): the chain hashes this text, so it must not change by a byte.
STORED_V1 = json.loads((Path(__file__).parent / "stored_answers_v1.json").read_text("utf-8"))
AUTHORITIES = {"FUND": FUND, "COURT": COURT}


@pytest.mark.parametrize("case", sorted(STORED_V1))
def test_stored_text_is_byte_identical_to_the_records_already_in_stores(case):
    group, who, when = case.split("/")
    out = engine(NC, PEOPLE[who], AUTHORITIES[group], TODAY, PERIODS[when], tracking_code="1021000000017")
    out = replace(out, branch=BranchRef("1021", "شعبه ۲۱ تهران"))
    assert out.stored_text() == STORED_V1[case]
    assert InquiryAnswer.from_json(json.loads(STORED_V1[case])) == out
