"""Person search through the service: every key kind, Persian names typed with Arabic letters,
prefixes, several words, keyset paging, and the index kept in step with updates."""

from __future__ import annotations

import pytest

from desktop.db import search_index
from desktop.domain.errors import PermissionDenied
from desktop.domain.text import persian_digits
from desktop.services.enrolment import enrol
from desktop.services.search import parse_query, search_people

from ..factories import questionnaire


@pytest.fixture
def people(store, clerk, registered):
    """Five enrolled people; returns {label: (identity dict, EnrolmentResult)}."""
    names = {"karimi": ("مریم", "کریمی"), "rezaei": ("علی", "رضایی"), "rezvani": ("علیرضا", "رضوانی"),
             "ahmadi": ("محمد‌رضا", "احمدی"), "rezaei2": ("زهرا", "رضایی")}
    out = {}
    for label, (first, last) in names.items():
        ident = registered(first_name=first, last_name=last,
                           birth_certificate_number=None if label == "ahmadi" else "1234")
        out[label] = (ident, enrol(store, clerk, questionnaire(ident["national_code"])))
    return out


def names(page) -> set[str]:
    return {h.full_name for h in page.hits}


def test_query_kinds():
    assert parse_query("۰۰۱۲۳۴۵۶۷۸").kind == "number"
    assert parse_query("oo12345678").number == "OO12345678"
    assert parse_query("123").kind == "too_short"
    assert parse_query("علي رضا").terms == ("علی", "رضا")
    assert parse_query("  ").kind == "empty"


def test_by_national_code_in_persian_digits(store, clerk, people):
    ident, _ = people["karimi"]
    page = search_people(store, clerk, persian_digits(ident["national_code"]))
    assert [h.national_code for h in page.hits] == [ident["national_code"]]
    assert page.hits[0].full_name == "مریم کریمی" and page.hits[0].active
    assert page.next_cursor is None


def test_by_ssn_and_by_prefix_of_it(store, clerk, people):
    _, result = people["rezaei"]
    assert [h.ssn for h in search_people(store, clerk, result.ssn).hits] == [result.ssn]
    assert result.ssn in {h.ssn for h in search_people(store, clerk, result.ssn[:7]).hits}


def test_by_insurance_numbers_permanent_and_central(store, clerk, people):
    _, with_permanent = people["rezaei"]
    _, with_central = people["ahmadi"]
    permanent = with_permanent.numbers["permanent"]
    central = with_central.numbers["central_temporary"]
    assert permanent.startswith("00") and central.startswith("OO")
    assert [h.ssn for h in search_people(store, clerk, permanent).hits] == [with_permanent.ssn]
    assert [h.ssn for h in search_people(store, clerk, central.lower()).hits] == [with_central.ssn]


def test_name_typed_with_arabic_yeh_and_kaf(store, clerk, people):
    assert names(search_people(store, clerk, "كريمي")) == {"مریم کریمی"}
    assert names(search_people(store, clerk, "مريم كر")) == {"مریم کریمی"}


def test_prefix_and_all_words_must_match(store, clerk, people):
    assert names(search_people(store, clerk, "رض")) == {"علی رضایی", "علیرضا رضوانی", "زهرا رضایی",
                                                        "محمد‌رضا احمدی"}
    assert names(search_people(store, clerk, "رضایی علی")) == {"علی رضایی"}
    assert names(search_people(store, clerk, "علی")) == {"علی رضایی", "علیرضا رضوانی"}
    assert search_people(store, clerk, "ناشناس").hits == []


def test_zwnj_name_parts_are_searchable_words(store, clerk, people):
    assert names(search_people(store, clerk, "رضا احم")) == {"محمد‌رضا احمدی"}


def test_paging_by_cursor_covers_every_hit_once(store, clerk, people):
    seen, after, pages = [], None, 0
    while True:
        page = search_people(store, clerk, "ر", after=after, limit=3)
        seen += [h.ssn for h in page.hits]
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    with_r = {r.ssn for label, (_, r) in people.items() if label != "karimi"}  # no word starts with ر
    assert sorted(seen) == sorted(with_r) and pages == 2


def test_short_number_gets_a_hint_not_a_scan(store, clerk, people):
    page = search_people(store, clerk, "۱۲۳")
    assert page.hits == [] and "۶" in page.message


def test_index_follows_name_changes_and_rebuild(store, clerk, people):
    _, result = people["karimi"]
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE person SET name_key = 'کاظمی مریم' WHERE ssn = ?", (result.ssn,))
    assert search_people(store, clerk, "کریمی").hits == []
    assert len(search_people(store, clerk, "کاظمی").hits) == 1
    with store.engine.begin() as conn:
        search_index.rebuild(conn)
        assert search_index.integrity_check(conn)
    assert len(search_people(store, clerk, "کاظمی مر").hits) == 1


def test_search_needs_a_signed_in_role(store, people):
    import uuid

    from desktop.services.actor import Actor

    with pytest.raises(PermissionDenied):
        search_people(store, Actor(uuid.uuid4(), "x", "visitor"), "علی")


def test_alef_forms_and_vowel_marks_are_folded_both_ways(store, clerk, registered):
    from desktop.services.enrolment import enrol
    from desktop.services.search import search_people

    from ..factories import questionnaire

    person = registered(first_name="آرش", last_name="مؤمنی")
    ssn = enrol(store, clerk, questionnaire(person["national_code"])).ssn
    for typed in ("ارش", "آرش", "أرش", "مومنی آر", "مؤمنی"):
        assert [h.ssn for h in search_people(store, clerk, typed).hits] == [ssn], typed
