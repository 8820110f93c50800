"""A person's record as headquarters receives it (wire.PersonSnapshot): identity, numbers,
roles, relationships and the contact fields (residential address, phone, mobile), which
travel because judicial authorities are answered at headquarters too (HQ never gives them to a
fund). IBAN, education and health fields never leave the branch — only the three contact
columns of personal_info are read.

A batch's snapshots are read together, a handful of set-wise queries per batch rather than five
per person: read one by one, building a batch of 1,000 changes took ~1.5 s of ORM round trips,
ten times what headquarters needs to apply it (bench/sync.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Select, String, func, select, type_coerce
from sqlalchemy.orm import Session

from desktop.models import InsuranceNumber, Person, PersonalInfo, PersonRole, Relationship, Workshop

from .wire import PersonSnapshot

CHUNK = 5000  # ids per query: one JSON parameter each (see _keys_in)


def as_hex(column: Any) -> ColumnElement[str]:
    """A Uuid column as SQLite stores it (32 hex digits), read and compared as plain text: a
    batch touches ~6,000 ids, and parsing each into uuid.UUID only to print it again cost a
    quarter of building the batch."""
    return type_coerce(column, String)


def dashed(hex32: str) -> str:
    """The canonical text of a UUID from its 32 hex digits (what the wire carries)."""
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


_PERSON_COLUMNS = (as_hex(Person.id), Person.national_code, Person.foreign_id, Person.ssn,
                   Person.first_name, Person.last_name, Person.father_name, Person.birth_date,
                   Person.benefit_birth_date, Person.gender, Person.death_date,
                   Person.enrolled_branch, Person.enrolled_at)


def person_snapshot(session: Session, person_id: uuid.UUID) -> PersonSnapshot | None:
    return person_snapshots(session, [person_id]).get(person_id)


def person_snapshots(session: Session, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PersonSnapshot]:
    """The snapshots of the persons that exist among `person_ids`, as validated wire models."""
    docs = snapshot_documents(session, (pid.hex for pid in person_ids))
    return {uuid.UUID(key): PersonSnapshot.model_validate(doc) for key, doc in docs.items()}


def snapshot_documents(session: Session, person_keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """{person id as 32 hex digits: the snapshot as a plain dict with PersonSnapshot's fields}
    for the persons that exist among `person_keys`. A push batch is encoded from these directly
    (orjson writes the dates and times as pydantic would): building a model per person and
    relationship only to serialise it again cost a third of building a batch."""
    keys = list(dict.fromkeys(person_keys))
    conn = session.connection()  # Core rows: the ORM's result machinery cost as much as the reads
    roles: dict[str, set[str]] = {}
    numbers: dict[str, dict[str, str]] = {}
    relationships: dict[str, list[dict[str, Any]]] = {}
    contacts: dict[str, dict[str, str | None]] = {}
    people: list[Any] = []
    for chunk in _chunks(keys):
        wanted = _keys_in(chunk)
        people += conn.execute(select(*_PERSON_COLUMNS).where(as_hex(Person.id).in_(wanted))).all()
        # .all(): one fetchall, where iterating the result fetched row by row through
        # SQLAlchemy's wrapper (a sixth of building a batch).
        for pid, role in conn.execute(select(as_hex(PersonRole.person_id), PersonRole.role)
                                         .where(as_hex(PersonRole.person_id).in_(wanted))).all():
            roles.setdefault(pid, set()).add(role)
        for pid, kind, value in conn.execute(
                select(as_hex(InsuranceNumber.person_id), InsuranceNumber.kind, InsuranceNumber.value)
                .where(as_hex(InsuranceNumber.person_id).in_(wanted),
                       InsuranceNumber.retired_at.is_(None))
                .order_by(InsuranceNumber.issued_at)).all():
            numbers.setdefault(pid, {})[kind] = value
        for pid, record in _relationships(conn, wanted):
            relationships.setdefault(pid, []).append(record)
        for pid, address, phone, mobile in conn.execute(
                select(as_hex(PersonalInfo.person_id), PersonalInfo.address, PersonalInfo.phone,
                       PersonalInfo.mobile)
                .where(as_hex(PersonalInfo.person_id).in_(wanted))).all():
            if address or phone or mobile:
                contacts[pid] = {"address": address, "phone": phone, "mobile": mobile}
    return {key: {
        "id": dashed(key), "national_code": national_code, "foreign_id": foreign_id, "ssn": ssn,
        "first_name": first, "last_name": last, "father_name": father, "birth_date": birth,
        "benefit_birth_date": benefit_birth, "gender": gender, "death_date": death,
        "enrolled_branch": enrolled_branch, "enrolled_at": enrolled_at,
        "roles": sorted(roles.get(key, ())), "numbers": numbers.get(key, {}),
        "relationships": relationships.get(key, []), "contact": contacts.get(key),
    } for (key, national_code, foreign_id, ssn, first, last, father, birth, benefit_birth, gender,
           death, enrolled_branch, enrolled_at) in people}


_MAIN_INSURED = Person.__table__.alias("main_insured")


def _relationships(conn: Connection, person_keys: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    main = _MAIN_INSURED
    rows = conn.execute(
        select(as_hex(Relationship.person_id), as_hex(Relationship.id), Relationship.type_code,
               Relationship.start, Relationship.end, Relationship.end_reason,
               Relationship.insurance_number, Relationship.medical_link, Workshop.code, main.c.ssn)
        .outerjoin(Workshop, Workshop.id == Relationship.workshop_id)
        .outerjoin(main, main.c.id == Relationship.main_insured_id)
        .where(as_hex(Relationship.person_id).in_(person_keys))
        .order_by(Relationship.person_id, Relationship.start, Relationship.created_at)).all()
    for pid, rid, kind, start, end, end_reason, number, medical, workshop_code, main_ssn in rows:
        yield pid, {"id": dashed(rid), "kind": kind, "start": start, "end": end,
                    "end_reason": end_reason, "workshop_code": workshop_code,
                    "insurance_number": number, "main_insured_ssn": main_ssn,
                    "medical_link": medical}


def persons_of_changes(session: Session, changes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """{(entity, entity_id): the person the change touches, as 32 hex digits} for the changes
    that touch one: its snapshot travels with the change."""
    found: dict[tuple[str, str], str] = {}
    relationship_ids: dict[str, str] = {}
    for entity, entity_id in changes:
        if entity not in ("person", "relationship"):
            continue
        try:
            key = uuid.UUID(entity_id).hex
        except ValueError:
            continue
        if entity == "person":
            found[(entity, entity_id)] = key
        else:
            relationship_ids[key] = entity_id
    for chunk in _chunks(list(relationship_ids)):
        for rid, pid in session.connection().execute(select(as_hex(Relationship.id), as_hex(Relationship.person_id))
                                        .where(as_hex(Relationship.id).in_(_keys_in(chunk)))).all():
            found[("relationship", relationship_ids[rid])] = pid
    return found


def person_of_change(session: Session, entity: str, entity_id: str) -> uuid.UUID | None:
    key = persons_of_changes(session, [(entity, entity_id)]).get((entity, entity_id))
    return None if key is None else uuid.UUID(key)


def _keys_in(keys: Sequence[str]) -> Select[tuple[Any]]:
    """`IN (SELECT value FROM json_each(?))`: the keys as ONE bound JSON array. A plain IN list
    binds a parameter per key, and SQLAlchemy's expanding of thousands of them cost a tenth of
    building a batch; SQLite probes the index for each key either way."""
    listed = func.json_each(orjson.dumps(list(keys)).decode()).table_valued("value")
    return select(listed.c.value)


def _chunks(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start:start + CHUNK]
