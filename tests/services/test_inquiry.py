"""Inquiries on a real store: the four answers, privacy, the record, tracking codes, the chain."""

from __future__ import annotations

import json
import multiprocessing
import threading

import pytest

from desktop.domain.errors import InvalidValue, NotFound, PermissionDenied
from desktop.domain.tracking import tracking_code
from desktop.printing.letters import render_inquiry_pdf
from desktop.services.hashchain import verify_chain
from desktop.services.inquiry import answer_inquiry
from desktop.services.store import open_store
from desktop.services.users import find_actor

from ..conftest import count_rows
from .inquiry_helpers import (
    CONTACTS,
    MAIN_ADDRESS,
    MAIN_PHONE,
    WORKSHOP_ADDRESS,
    pdf_text,
    setup_cast,
)


@pytest.fixture
def cast(store, admin, registered):
    return setup_cast(store, admin, registered)


def test_the_four_answers(store, admin, cast):
    assert answer_inquiry(store, admin, "F1", cast.stranger).state == "not_found"
    ended = answer_inquiry(store, admin, "F1", cast.ended).as_json()
    assert ended["state"] == "not_active" and ended["person"]["gender"] == "female"
    assert [(r["start"], r["end"], r["type"]) for r in ended["relationships"]] == [
        ("1398/01/01", "1401/06/31", "voluntary")]
    period = answer_inquiry(store, admin, "F1", cast.ended, "1401/06/31", "1402/01/01").as_json()
    assert period["state"] == "in_period" and len(period["relationships"]) == 1
    missed = answer_inquiry(store, admin, "F1", cast.ended, "1401/07/01", "1402/01/01").as_json()
    assert missed["state"] == "not_found" and missed["person"] is None
    active = answer_inquiry(store, admin, "F1", cast.main).as_json()
    assert active["state"] == "active" and active["coverage"] == "main" and active["judicial"] is None
    assert active["branch"] == {"code": "1021", "name": "شعبه ۲۱ تهران"}
    assert len(active["record_hash"]) == 64 and len(active["digest"]) == 16


def test_a_court_gets_addresses_for_active_main_and_dependant(store, admin, cast):
    main = answer_inquiry(store, admin, "J1", cast.main).as_json()
    assert main["judicial"] == {"workshop_name": "کارخانه نمونه", "workshop_address": WORKSHOP_ADDRESS,
                                "address": MAIN_ADDRESS, "phone": MAIN_PHONE}
    dep = answer_inquiry(store, admin, "J1", cast.dependant).as_json()
    assert dep["coverage"] == "dependant"
    assert dep["judicial"] == {"main_insured_name": "حسن کریمی", "relation": "wife", "relation_fa": "همسر (زن)",
                               "address": MAIN_ADDRESS, "phone": MAIN_PHONE}
    assert answer_inquiry(store, admin, "J1", cast.ended).judicial is None


@pytest.mark.parametrize("who", ["main", "dependant", "ended", "stranger"])
@pytest.mark.parametrize("period", [(None, None), ("1399/01/01", "1404/01/01")])
def test_privacy_no_contact_reaches_a_fund_json_or_pdf(store, admin, cast, who, period, tmp_path):
    out = answer_inquiry(store, admin, "F1", getattr(cast, who), *period)
    text = json.dumps(out.as_json(), ensure_ascii=False)
    assert out.judicial is None and not [c for c in CONTACTS if c in text] and "شیراز" not in text
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT answer FROM inquiry_record WHERE tracking_code = ?",
                                      (out.tracking_code,)).scalar_one()
    assert not [c for c in CONTACTS if c in stored]
    text = pdf_text(render_inquiry_pdf(out), tmp_path)
    assert out.national_code in text  # the letter was read at all
    assert not [c for c in CONTACTS if c in text] and "نشانی" not in text and "تماس" not in text


def test_the_court_letter_does_carry_the_address(store, admin, cast, tmp_path):
    text = pdf_text(render_inquiry_pdf(answer_inquiry(store, admin, "J1", cast.main)), tmp_path)
    assert MAIN_PHONE in text and "خیابان انقلاب" in text and "نشانی" in text


def test_each_answer_is_recorded_with_audit_and_outbox(store, admin, cast):
    before = {t: count_rows(store, t) for t in ("inquiry_record", "audit_log", "outbox")}
    out = answer_inquiry(store, admin, "J1", cast.main)
    after = {t: count_rows(store, t) for t in before}
    assert {t: after[t] - before[t] for t in before} == {"inquiry_record": 1, "audit_log": 1, "outbox": 1}
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT state, national_code, hash FROM inquiry_record WHERE tracking_code = ?",
                                   (out.tracking_code,)).one()
    assert tuple(row) == ("active", cast.main, out.record_hash)
    assert tracking_code(out.tracking_code).startswith("1021")


@pytest.mark.parametrize("args, exc", [
    (("F1", "0012345678"), InvalidValue),  # bad check digit
    (("NOPE", None), NotFound),
    (("F1", None, "1403/01/01", None), InvalidValue),
    (("F1", None, "1403/02/01", "1403/01/01"), InvalidValue),
])
def test_refusals_write_nothing(store, admin, cast, args, exc):
    args = tuple(cast.main if a is None and i == 1 else a for i, a in enumerate(args))
    before = count_rows(store, "inquiry_record"), count_rows(store, "audit_log"), count_rows(store, "tracking_serial")
    with pytest.raises(exc):
        answer_inquiry(store, admin, *args)
    assert (count_rows(store, "inquiry_record"), count_rows(store, "audit_log"),
            count_rows(store, "tracking_serial")) == before


def test_a_clerk_may_not_answer_inquiries(store, clerk, cast):
    with pytest.raises(PermissionDenied):
        answer_inquiry(store, clerk, "F1", cast.main)


def test_tracking_codes_unique_under_concurrent_threads(store, admin, cast):
    codes: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(10):
                codes.append(answer_inquiry(store, admin, "F1", cast.main).tracking_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(codes) == 80 and len(set(codes)) == 80
    assert verify_chain(store, admin).ok


def _process_worker(path: str, national_code: str, n: int, out) -> None:  # noqa: ANN001
    store = open_store(path)
    try:
        actor = find_actor(store, "admin")
        out.put([answer_inquiry(store, actor, "F1", national_code).tracking_code for _ in range(n)])
    finally:
        store.close()


def test_tracking_codes_unique_across_processes(store, admin, cast):
    # Four separate processes, each with its own connections, started by a fork server that has
    # imported this module once: spawning four fresh interpreters cost ~6 s of imports. A forked
    # child inherits no connection from the test (the server never opened one).
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    queue = ctx.Queue()
    procs = [ctx.Process(target=_process_worker, args=(str(store.path), cast.main, 10, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    codes = [c for _ in procs for c in queue.get(timeout=120)]
    for p in procs:
        p.join(timeout=60)
    assert len(codes) == 40 and len(set(codes)) == 40
    report = verify_chain(store, admin)
    assert report.ok and report.records == 40


def test_the_chain_detects_a_tampered_row(store, admin, cast):
    for who in (cast.main, cast.ended, cast.stranger):
        answer_inquiry(store, admin, "J1", who)
    assert verify_chain(store, admin).ok
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE inquiry_record SET state = 'not_found' WHERE seq = 2")
    report = verify_chain(store, admin)
    assert not report.ok and [(p.seq, p.problem) for p in report.problems] == [(2, "altered")]


def test_the_chain_detects_a_deleted_row_even_the_newest(store, admin, cast):
    for who in (cast.main, cast.ended, cast.stranger):
        answer_inquiry(store, admin, "F1", who)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM inquiry_record WHERE seq = 3")
    report = verify_chain(store, admin)
    assert not report.ok and [p.problem for p in report.problems] == ["missing"]
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM inquiry_record WHERE seq = 1")
    problems = [p.problem for p in verify_chain(store, admin).problems]
    assert "broken_link" in problems and problems.count("missing") == 2
