"""A person's record as headquarters receives it (wire.PersonSnapshot): identity, numbers,
roles and relationships. Address, phone, IBAN and health fields never leave the branch —
nothing here reads personal_info.

A batch's snapshots are read together, a handful of set-wise queries per batch rather than five
per person: read one by one, building a batch of 1,000 changes took ~1.5 s of ORM round trips,
ten times what headquarters needs to apply it (bench/sync.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desktop.models import InsuranceNumber, Person, PersonRole, Relationship, Workshop

from .wire import PersonSnapshot, RelationshipRecord

CHUNK = 500  # ids per IN (…): well under SQLite's limit on bound parameters

_PERSON_COLUMNS = (Person.id, Person.national_code, Person.foreign_id, Person.ssn, Person.first_name,
                   Person.last_name, Person.father_name, Person.birth_date,
                   Person.benefit_birth_date, Person.gender, Person.death_date,
                   Person.enrolled_branch, Person.enrolled_at)


def person_snapshot(session: Session, person_id: uuid.UUID) -> PersonSnapshot | None:
    return person_snapshots(session, [person_id]).get(person_id)


def person_snapshots(session: Session, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PersonSnapshot]:
    """The snapshots of the persons that exist among `person_ids`."""
    ids = list(dict.fromkeys(person_ids))
    roles: dict[uuid.UUID, set[str]] = {}
    numbers: dict[uuid.UUID, dict[str, str]] = {}
    relationships: dict[uuid.UUID, list[RelationshipRecord]] = {}
    people: list[Any] = []
    for chunk in _chunks(ids):
        people += session.execute(select(*_PERSON_COLUMNS).where(Person.id.in_(chunk))).all()
        for pid, role in session.execute(select(PersonRole.person_id, PersonRole.role)
                                         .where(PersonRole.person_id.in_(chunk))):
            roles.setdefault(pid, set()).add(role)
        for pid, kind, value in session.execute(
                select(InsuranceNumber.person_id, InsuranceNumber.kind, InsuranceNumber.value)
                .where(InsuranceNumber.person_id.in_(chunk), InsuranceNumber.retired_at.is_(None))
                .order_by(InsuranceNumber.issued_at)):
            numbers.setdefault(pid, {})[kind] = value
        for pid, record in _relationships(session, chunk):
            relationships.setdefault(pid, []).append(record)
    # Assembled unvalidated (model_construct): the values come typed from the store's columns,
    # and HQ validates the batch at its boundary.
    return {row.id: PersonSnapshot.model_construct(
        id=row.id, national_code=row.national_code, foreign_id=row.foreign_id, ssn=row.ssn,
        first_name=row.first_name, last_name=row.last_name, father_name=row.father_name,
        birth_date=row.birth_date, benefit_birth_date=row.benefit_birth_date, gender=row.gender,
        death_date=row.death_date, enrolled_branch=row.enrolled_branch,
        enrolled_at=row.enrolled_at, roles=sorted(roles.get(row.id, ())),
        numbers=numbers.get(row.id, {}), relationships=relationships.get(row.id, []),
    ) for row in people}


def _relationships(session: Session, person_ids: Sequence[uuid.UUID]) -> Iterator[tuple[uuid.UUID, RelationshipRecord]]:
    main = aliased(Person)
    rows = session.execute(
        select(Relationship.person_id, Relationship.id, Relationship.type_code, Relationship.start,
               Relationship.end, Relationship.end_reason, Relationship.insurance_number,
               Relationship.medical_link, Workshop.code, main.ssn)
        .outerjoin(Workshop, Workshop.id == Relationship.workshop_id)
        .outerjoin(main, main.id == Relationship.main_insured_id)
        .where(Relationship.person_id.in_(person_ids))
        .order_by(Relationship.person_id, Relationship.start, Relationship.created_at))
    for pid, rid, kind, start, end, end_reason, number, medical, workshop_code, main_ssn in rows:
        yield pid, RelationshipRecord.model_construct(
            id=rid, kind=kind, start=start, end=end, end_reason=end_reason,
            workshop_code=workshop_code, insurance_number=number, main_insured_ssn=main_ssn,
            medical_link=medical)


def persons_of_changes(session: Session, changes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], uuid.UUID]:
    """{(entity, entity_id): the person the change touches} for the changes that touch one: its
    snapshot travels with the change."""
    found: dict[tuple[str, str], uuid.UUID] = {}
    relationship_ids: dict[uuid.UUID, str] = {}
    for entity, entity_id in changes:
        try:
            key = uuid.UUID(entity_id)
        except ValueError:
            continue
        if entity == "person":
            found[(entity, entity_id)] = key
        elif entity == "relationship":
            relationship_ids[key] = entity_id
    for chunk in _chunks(list(relationship_ids)):
        for rid, pid in session.execute(select(Relationship.id, Relationship.person_id)
                                        .where(Relationship.id.in_(chunk))):
            found[("relationship", relationship_ids[rid])] = pid
    return found


def person_of_change(session: Session, entity: str, entity_id: str) -> uuid.UUID | None:
    return persons_of_changes(session, [(entity, entity_id)]).get((entity, entity_id))


def _chunks(ids: Sequence[uuid.UUID]) -> Iterator[Sequence[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]
