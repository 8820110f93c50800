"""A person's record as headquarters receives it (wire.PersonSnapshot): identity, numbers,
roles, relationships and the contact fields (residential address, phone, mobile), which
travel because judicial authorities are answered at headquarters too (HQ never gives them to a
fund). IBAN, education and health fields never leave the branch — only the three contact
columns of personal_info are read.

A batch's snapshots are read together, a handful of set-wise queries per batch rather than five
per person: read one by one, building a batch of 1,000 changes took ~1.5 s of ORM round trips,
ten times what headquarters needs to apply it (bench/sync.py). They are read through the
session's own sqlite3 connection rather than SQLAlchemy Core: for a push batch, SQLAlchemy's
result rows cost as much as the reads themselves (bench/sync_encode.py).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, String, type_coerce
from sqlalchemy.orm import Session

from .wire import PersonSnapshot

# Ids per query, bound as ONE JSON array (`IN (SELECT value FROM json_each(?))`): a plain IN
# list binds a parameter per key, and SQLAlchemy's expanding of thousands of them cost a tenth
# of building a batch; SQLite probes the index for each key either way.
CHUNK = 5000


def as_hex(column: Any) -> ColumnElement[str]:
    """A Uuid column as SQLite stores it (32 hex digits), read and compared as plain text: a
    batch touches ~6,000 ids, and parsing each into uuid.UUID only to print it again cost a
    quarter of building the batch."""
    return type_coerce(column, String)


def dashed(hex32: str) -> str:
    """The canonical text of a UUID from its 32 hex digits (what the wire carries)."""
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


def person_snapshot(session: Session, person_id: uuid.UUID) -> PersonSnapshot | None:
    return person_snapshots(session, [person_id]).get(person_id)


def person_snapshots(session: Session, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PersonSnapshot]:
    """The snapshots of the persons that exist among `person_ids`, as validated wire models."""
    docs = snapshot_documents(session, (pid.hex for pid in person_ids))
    return {uuid.UUID(key): PersonSnapshot.model_validate(doc) for key, doc in docs.items()}


def snapshot_documents(session: Session, person_keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """{person id as 32 hex digits: the snapshot as a plain dict with PersonSnapshot's fields}
    for the persons that exist among `person_keys` (orjson writes the dates and times as pydantic
    would). person_snapshots validates these; a push batch takes snapshot_text.snapshot_texts,
    the same snapshots already encoded, which falls back to these dicts for unusual stored values.

    Read through the session's own sqlite3 connection (in its transaction), each value converted
    as SQLAlchemy's SQLite types convert it (stored_date, stored_datetime, stored_bool):
    SQLAlchemy's result rows cost as much as the reads themselves."""
    keys = list(dict.fromkeys(person_keys))
    raw = driver_connection(session)
    roles: dict[str, set[str]] = {}
    numbers: dict[str, dict[str, str]] = {}
    relationships: dict[str, list[dict[str, Any]]] = {}
    contacts: dict[str, dict[str, str | None]] = {}
    people: list[Any] = []
    for chunk in _chunks(keys):
        wanted = (orjson.dumps(chunk).decode(),)
        people += raw.execute(_PEOPLE, wanted).fetchall()
        read_roles_and_numbers(raw, wanted, roles, numbers)
        for pid, rid, kind, start, end, end_reason, number, medical, workshop_code, main_ssn \
                in raw.execute(_RELATIONSHIPS, wanted).fetchall():
            relationships.setdefault(pid, []).append({
                "id": dashed(rid), "kind": kind, "start": stored_date(start), "end": stored_date(end),
                "end_reason": end_reason, "workshop_code": workshop_code,
                "insurance_number": number, "main_insured_ssn": main_ssn,
                "medical_link": stored_bool(medical)})
        for pid, address, phone, mobile in raw.execute(_CONTACTS, wanted).fetchall():
            if address or phone or mobile:
                contacts[pid] = {"address": address, "phone": phone, "mobile": mobile}
    return {key: {
        "id": dashed(key), "national_code": national_code, "foreign_id": foreign_id, "ssn": ssn,
        "first_name": first, "last_name": last, "father_name": father, "birth_date": stored_date(birth),
        "benefit_birth_date": stored_date(benefit_birth), "gender": gender, "death_date": stored_date(death),
        "enrolled_branch": enrolled_branch, "enrolled_at": stored_datetime(enrolled_at),
        "roles": sorted(roles.get(key, ())), "numbers": numbers.get(key, {}),
        "relationships": relationships.get(key, []), "contact": contacts.get(key),
    } for (key, national_code, foreign_id, ssn, first, last, father, birth, benefit_birth, gender,
           death, enrolled_branch, enrolled_at) in people}


# Each query takes its persons as ONE bound JSON array (CHUNK says why); the columns are
# the models' (desktop.models), read raw: Uuid as its stored 32 hex digits, Date and DateTime
# as their stored text, Boolean as 0/1.
WANTED = "(SELECT value FROM json_each(?))"
_PEOPLE = ("SELECT id, national_code, foreign_id, ssn, first_name, last_name, father_name, birth_date,"
           " benefit_birth_date, gender, death_date, enrolled_branch, enrolled_at"
           f" FROM person WHERE id IN {WANTED}")
_ROLES = f"SELECT person_id, role FROM person_role WHERE person_id IN {WANTED}"
_NUMBERS = ("SELECT person_id, kind, value FROM insurance_number"
            f" WHERE person_id IN {WANTED} AND retired_at IS NULL ORDER BY issued_at")
_RELATIONSHIPS = ('SELECT r.person_id, r.id, r.type_code, r.start, r."end", r.end_reason,'
                  " r.insurance_number, r.medical_link, w.code, main_insured.ssn FROM relationship r"
                  " LEFT OUTER JOIN workshop w ON w.id = r.workshop_id"
                  " LEFT OUTER JOIN person main_insured ON main_insured.id = r.main_insured_id"
                  f" WHERE r.person_id IN {WANTED} ORDER BY r.person_id, r.start, r.created_at")
_CONTACTS = f"SELECT person_id, address, phone, mobile FROM personal_info WHERE person_id IN {WANTED}"
_PERSONS_OF_RELATIONSHIPS = f"SELECT id, person_id FROM relationship WHERE id IN {WANTED}"


def read_roles_and_numbers(raw: sqlite3.Connection, wanted: tuple[str], roles: dict[str, set[str]],
                           numbers: dict[str, dict[str, str]]) -> None:
    """Add the persons' roles and current numbers (the newest of each kind) to `roles` and
    `numbers` — the same for the snapshot dicts here and snapshot_text's encoded ones."""
    for pid, role in raw.execute(_ROLES, wanted).fetchall():
        roles.setdefault(pid, set()).add(role)
    for pid, kind, value in raw.execute(_NUMBERS, wanted).fetchall():
        numbers.setdefault(pid, {})[kind] = value


def stored_date(stored: Any) -> dt.date | None:
    """A Date column's value as SQLAlchemy's SQLite DATE returns it (date.fromisoformat)."""
    return None if stored is None else dt.date.fromisoformat(stored)


def stored_datetime(stored: Any) -> dt.datetime | None:
    """A DateTime column's value as SQLAlchemy's SQLite DATETIME returns it (fromisoformat)."""
    return None if stored is None else dt.datetime.fromisoformat(stored)


def stored_bool(stored: Any) -> bool | None:
    """A Boolean column's value as SQLAlchemy returns it on SQLite (int_to_boolean)."""
    return None if stored is None else bool(stored)


def driver_connection(session: Session) -> sqlite3.Connection:
    """The session's own sqlite3 connection: what runs on it runs in the session's transaction."""
    raw = session.connection().connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        raise TypeError(f"a branch store is SQLite, not {type(raw).__name__}")
    return raw


def persons_of_changes(session: Session, changes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """{(entity, entity_id): the person the change touches, as 32 hex digits} for the changes
    that touch one: its snapshot travels with the change."""
    found: dict[tuple[str, str], str] = {}
    # Every spelling of a relationship's id that the changes use (before, a second spelling
    # of the same id in one batch replaced the first, whose change then went without snapshot).
    relationship_ids: dict[str, list[str]] = {}
    for entity, entity_id in changes:
        if entity not in ("person", "relationship"):
            continue
        key = _uuid_hex(entity_id)
        if key is None:
            continue
        if entity == "person":
            found[(entity, entity_id)] = key
        else:
            relationship_ids.setdefault(key, []).append(entity_id)
    if relationship_ids:
        raw = driver_connection(session)
        for chunk in _chunks(list(relationship_ids)):
            for rid, pid in raw.execute(_PERSONS_OF_RELATIONSHIPS, (orjson.dumps(chunk).decode(),)).fetchall():
                found.update((("relationship", spelt), pid) for spelt in relationship_ids[rid])
    return found


def persons_of_rows(session: Session, changes: Iterable[tuple[str, str, str | None]]) -> dict[tuple[str, str], str]:
    """persons_of_changes, given (entity, entity_id, the person of the relationship whose id's
    hex digits the entity id is, where the outbox read joined one): only a relationship id
    spelt otherwise (capitals, braces, a URN) is looked up again."""
    found: dict[tuple[str, str], str] = {}
    spelt_otherwise = []
    for entity, entity_id, linked in changes:
        if entity == "person":
            key = _uuid_hex(entity_id)
            if key is not None:
                found[(entity, entity_id)] = key
        elif entity == "relationship":
            if linked is not None:
                found[(entity, entity_id)] = linked
            elif not _HEX_DIGITS.fullmatch(entity_id.replace("-", "")):
                spelt_otherwise.append((entity, entity_id))
    found.update(persons_of_changes(session, spelt_otherwise))
    return found


# A UUID as str(uuid.UUID) writes it, the form every outbox row's entity id has.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX_DIGITS = re.compile(r"[0-9a-f]{32}")  # how a Uuid column stores an id


def _uuid_hex(text: str) -> str | None:
    """uuid.UUID(text).hex, None for text that is no UUID. The canonical form is taken apart
    without building a UUID: a third of the time for a batch's 5,000 ids."""
    if _CANONICAL_UUID.fullmatch(text):
        return text.replace("-", "")
    try:
        return uuid.UUID(text).hex
    except ValueError:
        return None


def person_of_change(session: Session, entity: str, entity_id: str) -> uuid.UUID | None:
    key = persons_of_changes(session, [(entity, entity_id)]).get((entity, entity_id))
    return None if key is None else uuid.UUID(key)


def _chunks(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start:start + CHUNK]
