"""The rows a push writes: the person snapshot's JSON text is exactly `model_dump_json()` (HQ calls
the model's serializer directly, for speed), UUIDs go as hex text and arrive as the same ids."""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg

from desktop.sync.wire import PersonContact, PersonSnapshot, RelationshipRecord
from hq.apply import _person_row, _snapshot_json, uuid_array


def _snapshot(contact: PersonContact | None) -> PersonSnapshot:
    return PersonSnapshot(
        id=uuid.uuid4(), national_code="0012345679", foreign_id=None, ssn="1234567890",
        first_name='آیلین "ی"', last_name="سماوات\\", father_name="محمد\tامین",
        birth_date=dt.date(1969, 8, 26), benefit_birth_date=dt.date(1969, 8, 26), gender="female",
        enrolled_branch="1021", enrolled_at=dt.datetime(1997, 1, 4, 9, 0), roles=["main_insured"],
        numbers={"central_temporary": "OO60003704"},
        relationships=[RelationshipRecord(id=uuid.uuid4(), kind="carpet_weaver",
                                          start=dt.date(1997, 1, 4), insurance_number="OO60003704",
                                          medical_link=True)],
        contact=contact)


def test_snapshot_json_is_model_dump_json() -> None:
    for contact in (None, PersonContact(address="شیراز، کوچه ۱", phone=None, mobile="09120000000")):
        snap = _snapshot(contact)
        assert _snapshot_json(snap) == snap.model_dump_json()
        assert _person_row(7, snap)[13] == snap.model_dump_json()


def test_uuid_array_arrives_as_the_same_ids(pg_dsn: str) -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    with psycopg.connect(pg_dsn) as conn:
        row = conn.execute("SELECT CAST(%s AS uuid[])", (uuid_array(ids),)).fetchone()
        empty = conn.execute("SELECT CAST(%s AS uuid[])", (uuid_array([]),)).fetchone()
    assert row is not None and row[0] == ids
    assert empty is not None and empty[0] == []
