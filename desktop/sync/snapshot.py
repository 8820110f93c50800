"""A person's record as headquarters receives it (wire.PersonSnapshot): identity, numbers,
roles and relationships. Address, phone, IBAN and health fields never leave the branch —
nothing here reads personal_info."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desktop.models import InsuranceNumber, Person, PersonRole, Relationship, Workshop

from .wire import PersonSnapshot, RelationshipRecord


def person_snapshot(session: Session, person_id: uuid.UUID) -> PersonSnapshot | None:
    person = session.get(Person, person_id)
    if person is None:
        return None
    roles = sorted(set(session.scalars(select(PersonRole.role).where(PersonRole.person_id == person_id))))
    numbers = {n.kind: n.value for n in session.scalars(
        select(InsuranceNumber).where(InsuranceNumber.person_id == person_id,
                                      InsuranceNumber.retired_at.is_(None)))}
    return PersonSnapshot(
        id=person.id, national_code=person.national_code, foreign_id=person.foreign_id,
        ssn=person.ssn, first_name=person.first_name, last_name=person.last_name,
        father_name=person.father_name, birth_date=person.birth_date,
        benefit_birth_date=person.benefit_birth_date, gender=person.gender,
        death_date=person.death_date, enrolled_branch=person.enrolled_branch,
        enrolled_at=person.enrolled_at, roles=roles, numbers=numbers,
        relationships=_relationships(session, person_id),
    )


def _relationships(session: Session, person_id: uuid.UUID) -> list[RelationshipRecord]:
    main = aliased(Person)
    rows = session.execute(
        select(Relationship, Workshop.code, main.ssn)
        .outerjoin(Workshop, Workshop.id == Relationship.workshop_id)
        .outerjoin(main, main.id == Relationship.main_insured_id)
        .where(Relationship.person_id == person_id)
        .order_by(Relationship.start, Relationship.created_at))
    return [RelationshipRecord(
        id=rel.id, kind=rel.type_code, start=rel.start, end=rel.end, end_reason=rel.end_reason,
        workshop_code=workshop_code, insurance_number=rel.insurance_number,
        main_insured_ssn=main_ssn, medical_link=rel.medical_link,
    ) for rel, workshop_code, main_ssn in rows]


def person_of_change(session: Session, entity: str, entity_id: str) -> uuid.UUID | None:
    """The person a change touches, if any: its snapshot travels with the change."""
    try:
        key = uuid.UUID(entity_id)
    except ValueError:
        return None
    if entity == "person":
        return key
    if entity == "relationship":
        return session.scalar(select(Relationship.person_id).where(Relationship.id == key))
    return None
