"""A push batch's person snapshots as JSON text, mostly written by SQLite itself.

Encoding a batch is the branch's largest CPU cost of a push (issue 10: with two batches in flight
the machine's total CPU is the limit). snapshot.snapshot_documents builds a dict per person and
relationship for orjson to walk again; here SQLite writes each person's and relationship's
fields as JSON (json_object, in C) and Python only joins a person's parts, as UTF-8 bytes
(decoding the Persian text to str and encoding it again cost a tenth of the snapshots' time), so the
batch takes each snapshot as one orjson.Fragment.

The text is byte for byte what orjson writes of snapshot_documents' dict (tests/sync/
test_batch_encoding.py): SQLite writes strings as orjson does; the ids, times and flags that need
converting are converted in Python exactly as there (dashed, orjson). Dates go in as stored,
which is date.isoformat() only when the stored text is exactly `YYYY-MM-DD` of a real day
(`date(x) IS x`); a person with any value stored otherwise — or of a type SQLAlchemy would
convert differently — is encoded by snapshot_documents instead, so the result never depends on
how a value happened to be stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy.orm import Session

from .snapshot import (
    CHUNK,
    WANTED,
    dashed,
    driver_connection,
    read_roles_and_numbers,
    snapshot_documents,
    stored_datetime,
)

# A person's fields from national_code to enrolled_branch as JSON (id and enrolled_at are added
# in Python), the contact object when any of its three fields is set (snapshot_documents:
# `address or phone or mobile`), and whether every value is stored as this text assumes.
_PEOPLE = f"""
SELECT p.id, CAST(json_object(
    'national_code', p.national_code, 'foreign_id', p.foreign_id, 'ssn', p.ssn,
    'first_name', p.first_name, 'last_name', p.last_name, 'father_name', p.father_name,
    'birth_date', p.birth_date, 'benefit_birth_date', p.benefit_birth_date, 'gender', p.gender,
    'death_date', p.death_date, 'enrolled_branch', p.enrolled_branch) AS BLOB),
  p.enrolled_at,
  CASE WHEN i.address <> '' OR i.phone <> '' OR i.mobile <> ''
       THEN CAST(json_object('address', i.address, 'phone', i.phone, 'mobile', i.mobile) AS BLOB) END,
  date(p.birth_date) IS p.birth_date AND date(p.benefit_birth_date) IS p.benefit_birth_date
  AND date(p.death_date) IS p.death_date
  AND typeof(i.address) IN ('text', 'null') AND typeof(i.phone) IN ('text', 'null')
  AND typeof(i.mobile) IN ('text', 'null')
FROM person p LEFT OUTER JOIN personal_info i ON i.person_id = p.id
WHERE p.id IN {WANTED}"""

# A relationship's fields from kind to main_insured_ssn as JSON (id and medical_link are added
# in Python), in snapshot_documents' order.
_RELATIONSHIPS = f"""
SELECT r.person_id, r.id, CAST(json_object(
    'kind', r.type_code, 'start', r.start, 'end', r."end", 'end_reason', r.end_reason,
    'workshop_code', w.code, 'insurance_number', r.insurance_number,
    'main_insured_ssn', main_insured.ssn) AS BLOB),
  r.medical_link,
  date(r.start) IS r.start AND date(r."end") IS r."end"
  AND typeof(r.medical_link) IN ('integer', 'null')
FROM relationship r
LEFT OUTER JOIN workshop w ON w.id = r.workshop_id
LEFT OUTER JOIN person main_insured ON main_insured.id = r.main_insured_id
WHERE r.person_id IN {WANTED} ORDER BY r.person_id, r.start, r.created_at"""


def snapshot_texts(session: Session, person_keys: Iterable[str]) -> dict[str, Any]:
    """{person id as 32 hex digits: its wire.PersonSnapshot as JSON (orjson.Fragment)} for the
    persons that exist among `person_keys`: snapshot_documents' result, encoded (a person with a
    value stored in another shape gets snapshot_documents' dict itself)."""
    keys = list(dict.fromkeys(person_keys))
    raw = driver_connection(session)
    texts: dict[str, Any] = {}
    odd: list[str] = []
    for start in range(0, len(keys), CHUNK):
        texts.update(_texts(raw, (orjson.dumps(keys[start:start + CHUNK]).decode(),), odd))
    if odd:
        texts.update(snapshot_documents(session, odd))
    return texts


def _texts(raw: sqlite3.Connection, wanted: tuple[str], odd: list[str]) -> dict[str, orjson.Fragment]:
    """One chunk's snapshots; the persons to encode the other way are added to `odd`."""
    roles: dict[str, set[str]] = {}
    numbers: dict[str, dict[str, str]] = {}
    read_roles_and_numbers(raw, wanted, roles, numbers)
    relationships: dict[str, list[bytes]] = {}
    unusual = set()
    for pid, rid, fields, medical, plain in raw.execute(_RELATIONSHIPS, wanted).fetchall():
        if not plain:
            unusual.add(pid)
            continue
        relationships.setdefault(pid, []).append(b"".join((
            b'{"id":"', dashed(rid).encode(), b'",', fields[1:-1], b',"medical_link":', _flag(medical), b"}")))
    texts = {}
    for pid, fields, enrolled_at, contact, plain in raw.execute(_PEOPLE, wanted).fetchall():
        if not plain or pid in unusual:
            odd.append(pid)
            continue
        texts[pid] = orjson.Fragment(b"".join((
            b'{"id":"', dashed(pid).encode(), b'",', fields[1:-1],
            b',"enrolled_at":', orjson.dumps(stored_datetime(enrolled_at)),
            b',"roles":', orjson.dumps(sorted(roles.get(pid, ()))),
            b',"numbers":', orjson.dumps(numbers.get(pid, {})),
            b',"relationships":[', b",".join(relationships.get(pid, ())),
            b'],"contact":', contact or b"null", b"}")))
    return texts


def _flag(stored: int | None) -> bytes:
    """A stored Boolean (0/1; _RELATIONSHIPS checks it is an integer) in JSON, as stored_bool."""
    return b"null" if stored is None else b"true" if stored else b"false"
