"""`ledger verify` against tampering done straight in the SQLite file (as an intruder would)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from desktop.models import LedgerEntry
from desktop.services.corrections import approve_correction, reject_correction, request_correction
from desktop.services.enrolment import enrol
from desktop.services.ledger import GENESIS, link_hash, verify_ledger

from ..factories import questionnaire
from .correction_kit import add_monthly_lines


@pytest.fixture
def ledger_of_eight(store, clerk, users, registered, workshop):
    """Two requests decided: request, check, approve, apply; request, check, reject → 7; plus an
    open one (request, check) → 9 entries."""
    ident = registered()
    pid = enrol(store, clerk, questionnaire(ident["national_code"], relationship={
        "kind": "mandatory", "start": "1400/01/01", "workshop_code": workshop})).person_id
    lines = add_monthly_lines(store, pid, workshop, [(1403, 1, 31, 100), (1403, 2, 31, 100), (1403, 3, 31, 100)])
    supervisor = users["supervisor"]
    approve_correction(store, supervisor, request_correction(store, clerk, lines[0], {"days": 20}, "a").id, "ok")
    reject_correction(store, supervisor, request_correction(store, clerk, lines[1], {"days": 20}, "b").id, "no")
    request_correction(store, clerk, lines[2], {"wage": 200}, "c")
    report = verify_ledger(store, supervisor)
    assert report.ok and report.entries == 9 and report.first_bad is None
    return supervisor


def sql(store, statement: str, *params) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(statement, params)


def first_bad(store, supervisor) -> tuple[int, str]:
    report = verify_ledger(store, supervisor)
    assert not report.ok and report.as_json()["first_bad"] is not None
    bad = report.first_bad
    assert bad is not None and bad.fa
    return bad.seq, bad.problem


def test_a_changed_payload_is_named(store, ledger_of_eight):
    sql(store, "UPDATE ledger_entry SET payload = replace(payload, '\"ok\"', '\"okay\"') WHERE seq = 3")
    assert first_bad(store, ledger_of_eight) == (3, "altered")


def test_a_changed_payload_rehashed_and_relinked_is_still_named(store, ledger_of_eight):
    """An intruder who knows the scheme re-hashes the entry and every later link: the links are
    valid again, but the audit log (itself chained) still names the old hashes."""
    with store.sessions() as session, session.begin():
        prev = GENESIS
        for entry in session.query(LedgerEntry).order_by(LedgerEntry.seq):
            if entry.seq == 3:
                entry.payload = entry.payload.replace('"ok"', '"okay"')
            entry.prev_hash = prev
            entry.hash = link_hash(prev, entry)
            prev = entry.hash
    sql(store, "UPDATE ledger_head SET hash = (SELECT hash FROM ledger_entry ORDER BY seq DESC LIMIT 1)")
    assert first_bad(store, ledger_of_eight) == (3, "altered")


def test_a_deleted_middle_entry_is_named(store, ledger_of_eight):
    sql(store, "DELETE FROM ledger_entry WHERE seq = 5")
    assert first_bad(store, ledger_of_eight) == (5, "missing")


def test_a_deleted_last_entry_is_named(store, ledger_of_eight):
    sql(store, "DELETE FROM ledger_entry WHERE seq = 9")
    assert first_bad(store, ledger_of_eight) == (9, "missing")


def test_a_deleted_last_entry_with_its_audit_row_is_named_by_the_head(store, ledger_of_eight):
    sql(store, "DELETE FROM ledger_entry WHERE seq = 9")
    sql(store, "DELETE FROM audit_log WHERE action = 'correction.check' AND detail LIKE '%\"ledger_seq\": 9%'")
    assert first_bad(store, ledger_of_eight) == (9, "missing")


def test_an_inserted_entry_is_named(store, ledger_of_eight):
    """Appended with a well-made hash and link: only the anchors know it was never written."""
    with store.sessions() as session, session.begin():
        last = session.query(LedgerEntry).order_by(LedgerEntry.seq.desc()).first()
        forged = LedgerEntry(seq=last.seq + 1, request_id=last.request_id, step="approve", user_id=last.user_id,
                             at=dt.datetime(2026, 1, 1), payload='{"decision": "approve"}', prev_hash=last.hash)
        forged.hash = link_hash(forged.prev_hash, forged)
        session.add(forged)
    assert first_bad(store, ledger_of_eight) == (10, "inserted")


def test_an_entry_inserted_in_the_middle_is_named(store, ledger_of_eight):
    sql(store, "UPDATE ledger_entry SET seq = seq + 100 WHERE seq > 4")
    sql(store, "UPDATE ledger_entry SET seq = seq - 99 WHERE seq > 100")
    with store.sessions() as session, session.begin():
        before = session.get(LedgerEntry, 4)
        forged = LedgerEntry(seq=5, request_id=before.request_id, step="check", user_id=before.user_id,
                             at=dt.datetime(2026, 1, 1), payload="{}", prev_hash=before.hash)
        forged.hash = link_hash(forged.prev_hash, forged)
        session.add(forged)
    assert first_bad(store, ledger_of_eight) == (5, "inserted")


def test_verify_is_for_supervisors(store, clerk, ledger_of_eight):
    from desktop.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        verify_ledger(store, clerk)
    assert uuid  # the module's ids are uuids; nothing else to check here
