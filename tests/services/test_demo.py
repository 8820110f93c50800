"""The demo store: consistent counts, valid identifiers, a working registry and person record."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from desktop.domain import identifiers
from desktop.domain.errors import Conflict
from desktop.services.admin import init_store
from desktop.services.demo import fill_demo
from desktop.services.people import get_person
from desktop.services.store import Store
from desktop.services.users import find_actor, sign_in

from ..conftest import TODAY

PERSONS = 300
PW = "admin1234"


def _filled(path: Path, seed: int = 7) -> tuple[Store, dict]:
    store = init_store(path, "1021", "شعبه نمونه", admin_password=PW)
    store.clock = lambda: TODAY
    stages: list[str] = []
    summary = fill_demo(store, find_actor(store, "admin"), persons=PERSONS, seed=seed,
                        progress=lambda done, total, stage: stages.append(stage))
    assert stages[-1] == "done" and "people" in stages
    return store, summary


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    store, summary = _filled(tmp_path_factory.mktemp("demo") / "branch.sqlite")
    yield store, summary
    store.close()


def q(store: Store, sql: str) -> list[tuple]:
    with store.engine.connect() as conn:
        return list(conn.exec_driver_sql(sql).fetchall())


def one(store: Store, sql: str) -> int:
    return q(store, sql)[0][0]


def test_every_person_has_a_valid_national_code_and_ssn(demo) -> None:
    store, summary = demo
    rows = q(store, "SELECT national_code, ssn FROM person")
    assert len(rows) == summary["persons"] == PERSONS
    for code, ssn in rows:
        assert identifiers.national_code(code) == code
        assert identifiers.ssn(ssn) == ssn
    assert len({r[1] for r in rows}) == PERSONS


def test_dependants_point_to_main_insured_and_have_central_numbers(demo) -> None:
    store, summary = demo
    assert summary["dependants"] > 50 and summary["main_insured"] > 50
    orphans = one(store, "SELECT COUNT(*) FROM relationship r JOIN relationship_type t ON t.code = r.type_code "
                         "LEFT JOIN person_role m ON m.person_id = r.main_insured_id AND m.role = 'main_insured' "
                         "WHERE t.category = 'dependant' AND m.person_id IS NULL")
    assert orphans == 0
    without_number = one(store, "SELECT COUNT(*) FROM person_role d WHERE d.role = 'dependant' AND NOT EXISTS "
                                "(SELECT 1 FROM insurance_number n WHERE n.person_id = d.person_id "
                                "AND n.kind = 'central_temporary' AND n.value LIKE 'OO%')")
    assert without_number == 0
    relations = {r[0] for r in q(store, "SELECT DISTINCT type_code FROM relationship WHERE main_insured_id IS NOT NULL")}
    assert {"wife", "son", "daughter"} <= relations
    assert one(store, "SELECT COUNT(*) FROM relationship WHERE \"end\" IS NOT NULL AND \"end\" < start") == 0


def test_kinds_workshops_employers(demo) -> None:
    store, _ = demo
    kinds = dict(q(store, "SELECT type_code, COUNT(*) FROM relationship GROUP BY type_code"))
    assert kinds["mandatory"] > sum(v for k, v in kinds.items() if k not in ("mandatory", "wife", "son", "daughter",
                                                                             "father", "mother"))
    assert one(store, "SELECT COUNT(*) FROM workshop w JOIN employer e ON e.id = w.employer_id") >= 3
    assert one(store, "SELECT COUNT(*) FROM relationship WHERE type_code = 'self_employed' AND orientation IS NULL") == 0
    # Every mandatory relationship names a workshop.
    assert one(store, "SELECT COUNT(*) FROM relationship WHERE type_code = 'mandatory' AND workshop_id IS NULL") == 0


def test_documents_for_24_months_and_accounts(demo) -> None:
    store, _ = demo
    months = one(store, "SELECT COUNT(DISTINCT year * 100 + month) FROM insurance_document WHERE kind = 'monthly_list'")
    assert months == 24
    assert one(store, "SELECT COUNT(*) FROM (SELECT workshop_id, year, month FROM insurance_document "
                      "GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)") == 0
    assert one(store, "SELECT COUNT(*) FROM document_line") > 0
    assert one(store, "SELECT COUNT(*) FROM document_line WHERE days < 1 OR days > 31 OR wage <= 0") == 0
    assert one(store, "SELECT COUNT(*) FROM account_year") > 0
    # The yearly totals are what the monthly account adds up to.
    view = dict(q(store, "SELECT person_id, SUM(days) FROM account_month GROUP BY person_id"))
    life = dict(q(store, "SELECT person_id, days FROM account_lifetime"))
    assert view == life


def test_store_is_consistent_after_the_bulk_load(demo) -> None:
    store, summary = demo
    assert q(store, "PRAGMA foreign_key_check") == []
    assert q(store, "PRAGMA journal_mode") == [("wal",)]
    assert {r[0] for r in q(store, "SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= {"person_search_ai"}
    blocks = q(store, "SELECT first, last, next FROM number_block WHERE kind = 'ssn' AND source = 'demo'")
    assert len(blocks) == 1 and blocks[0][1] - blocks[0][0] + 1 == PERSONS and blocks[0][2] == blocks[0][1] + 1
    assert q(store, "SELECT action FROM audit_log WHERE action = 'demo.fill'") == [("demo.fill",)]
    assert summary["ssn_block"] == [blocks[0][0], blocks[0][1]]
    with pytest.raises(Conflict):
        fill_demo(store, find_actor(store, "admin"), persons=10)


def test_registry_has_everyone_and_families(demo) -> None:
    store, _ = demo
    codes = [r[0] for r in q(store, "SELECT national_code FROM person")]
    for code in codes:
        assert store.registry.lookup(national_code=code) is not None
    child = q(store, "SELECT p.national_code FROM relationship r JOIN person p ON p.id = r.person_id "
                     "WHERE r.type_code IN ('son', 'daughter') LIMIT 1")[0][0]
    ident = store.registry.lookup(national_code=child)
    assert ident.father_national_code and ident.mother_national_code
    wife = q(store, "SELECT p.national_code, m.national_code FROM relationship r JOIN person p ON p.id = r.person_id "
                    "JOIN person m ON m.id = r.main_insured_id WHERE r.type_code = 'wife' LIMIT 1")[0]
    marriages = store.registry.lookup(national_code=wife[0]).marriages
    assert any(m.spouse_national_code == wife[1] and m.ended is None for m in marriages)


def test_get_person_on_a_random_demo_person_and_demo_users(demo) -> None:
    store, _ = demo
    codes = [r[0] for r in q(store, "SELECT m.national_code FROM relationship r JOIN person m "
                                    "ON m.id = r.main_insured_id")]
    record = get_person(store, find_actor(store, "admin"), national_code=random.Random(3).choice(codes)).as_json()
    assert record["dependants"] and record["relationships"] and record["ssn"]
    assert sign_in(store, "clerk", "clerk1234").role == "clerk"
    assert sign_in(store, "supervisor", "super1234").role == "supervisor"
    assert sign_in(store, "letters", "letters1234").role == "letter_staff"
    groups = dict(q(store, 'SELECT "group", COUNT(*) FROM authority GROUP BY 1'))
    assert groups["fund"] >= 2 and groups["judicial"] >= 2


def test_same_seed_same_national_codes(demo, tmp_path: Path) -> None:
    store, _ = demo
    again, _ = _filled(tmp_path / "again.sqlite", seed=7)
    try:
        first = q(store, "SELECT national_code, ssn, first_name FROM person ORDER BY ssn")
        assert q(again, "SELECT national_code, ssn, first_name FROM person ORDER BY ssn") == first
    finally:
        again.close()


def test_a_demo_store_still_enrols_new_people(tmp_path):
    """The demo leaves half of the branch's permanent range for the clerks who try it out."""
    from desktop.services.admin import init_store
    from desktop.services.demo import fill_demo
    from desktop.services.enrolment import enrol
    from desktop.services.reference import add_registry_identities
    from desktop.services.users import find_actor

    from ..factories import identity, questionnaire

    store = init_store(tmp_path / "small.sqlite", "1021", admin_password=PW)
    try:
        admin = find_actor(store, "admin")
        with store.engine.begin() as conn:  # a tiny range, so the demo would exhaust it if it could
            conn.exec_driver_sql("UPDATE number_range SET last = next + 9 WHERE kind = 'permanent'")
        fill_demo(store, admin, persons=120, seed=3)
        person = identity()
        add_registry_identities(store, admin, person)
        result = enrol(store, admin, questionnaire(person["national_code"]))
        assert result.numbers["permanent"].startswith("00")
        _assert_permanent_numbers_inside_their_branch_ranges(store)
    finally:
        store.close()


def _assert_permanent_numbers_inside_their_branch_ranges(store: Store) -> None:
    """Numbers past the demo's share of our range are ones people kept from other branches."""
    from desktop.domain.number_ranges import permanent_range

    rows = q(store, "SELECT value, branch_code FROM insurance_number WHERE kind = 'permanent'")
    assert {b for _, b in rows} - {"1021"}, "the tiny range should push the demo past it"
    for value, branch in rows:
        own = permanent_range(branch)
        assert own.first <= int(value[2:]) <= own.last, (value, branch)
    ours = q(store, "SELECT first, last, next FROM number_range WHERE kind = 'permanent'")
    assert ours == [(permanent_range("1021").first, permanent_range("1021").first + 9,
                     permanent_range("1021").first + 6)]  # demo took 5 (half), the clerk 1


def test_a_new_store_records_its_branch_ranges(tmp_path):
    from desktop.domain.number_ranges import branch_temporary_range, permanent_range

    store = init_store(tmp_path / "s.sqlite", "0021", admin_password=PW)
    try:
        rows = dict((r[0], r[1:]) for r in q(store, "SELECT kind, prefix, first, last, next FROM number_range"))
    finally:
        store.close()
    for spec in (permanent_range("0021"), branch_temporary_range("0021")):
        assert rows[spec.kind] == (spec.prefix, spec.first, spec.last, spec.first)


def test_a_demo_for_the_last_branch_code_keeps_every_number_valid(tmp_path):
    """Branch 9999's starter blocks end at the top of the SSN and central spaces: the demo fits below."""
    store = init_store(tmp_path / "s.sqlite", "9999", admin_password=PW)
    try:
        fill_demo(store, find_actor(store, "admin"), persons=40, seed=5)
        for (ssn,) in q(store, "SELECT ssn FROM person"):
            assert identifiers.ssn(ssn) == ssn
        for kind, value in q(store, "SELECT kind, value FROM insurance_number"):
            check = {"permanent": identifiers.permanent_number,
                     "central_temporary": identifiers.central_temporary_number}[kind]
            assert check(value) == value
        blocks = sorted(q(store, "SELECT kind, first, last FROM number_block"))
        for (k1, _, last1), (k2, first2, _) in zip(blocks, blocks[1:], strict=False):
            assert k1 != k2 or last1 < first2  # no two blocks of a kind overlap
    finally:
        store.close()


def test_workshop_names_and_the_default_branch_name_use_persian_digits(demo) -> None:
    """Issue 9 item 10: «(شعبه ۲)» and «شعبه ۴۴۰۱», not Latin digits inside Persian names."""
    from desktop.services.admin import branch_facts

    store, _ = demo
    names = [r[0] for r in q(store, "SELECT name FROM workshop WHERE name LIKE '%(شعبه%'")]
    assert names and not any(c.isascii() and c.isdigit() for name in names for c in name)
    assert branch_facts("4401", "", "a-strong-password1", "").name == "شعبه ۴۴۰۱"
