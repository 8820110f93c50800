"""Updates after enrolment: further relationships, personal information with history (SPEC §5.3),
and identity correction by re-querying the registry only (SPEC §5.1)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import identifiers
from desktop.domain.enrolment import HEALTH_FIELDS, RelationshipInput, parse_personal
from desktop.domain.errors import Conflict, InvalidValue, NotFound
from desktop.domain.jalali import BIRTH_DATE_FREEZE, format_jalali
from desktop.domain.registry import RegistryIdentity
from desktop.domain.roles import require
from desktop.domain.text import normalise_text, persian_digits, search_key
from desktop.models import (
    IdentityChange,
    InsuranceNumber,
    Person,
    PersonalInfo,
    PersonalInfoChange,
    PersonRole,
    Relationship,
)

from .actor import Actor
from .archive import check_paper, store_paper
from .enrolment import (
    add_relationship_row,
    becomes_main_insured,
    number_for_relationship,
    require_questionnaire,
    workshop_by_code,
)
from .store import Store
from .unit import mutation

IDENTITY_FIELDS = ("first_name", "last_name", "father_name", "birth_date", "gender",
                   "birth_certificate_number", "place_of_issue", "death_date")


def enrolled_person(session: Session, *, national_code: str | None = None, ssn: str | None = None,
                    person_id: uuid.UUID | None = None) -> Person:
    if person_id is not None:
        person = session.get(Person, person_id)
    elif ssn:
        person = session.scalar(select(Person).where(Person.ssn == identifiers.ssn(ssn)))
    else:
        nc = identifiers.national_code(national_code)
        person = session.scalar(select(Person).where(Person.national_code == nc))
    if person is None or not person.ssn:
        raise NotFound(
            f"شخصی با شماره {persian_digits(national_code or ssn or person_id)} در این شعبه نام‌نویسی نشده است.",
            f"no enrolled person {national_code or ssn or person_id}",
            field="national_code",
        )
    return person


def _overlapping(session: Session, person: Person, rel: RelationshipInput, workshop_id: uuid.UUID | None) -> Relationship | None:
    rows = session.scalars(select(Relationship).where(
        Relationship.person_id == person.id, Relationship.type_code == rel.kind,
        Relationship.workshop_id.is_(None) if workshop_id is None else Relationship.workshop_id == workshop_id,
    )).all()
    for row in rows:
        if row.start <= (rel.end or dt.date.max) and rel.start <= (row.end or dt.date.max):
            return row
    return None


@dataclass(frozen=True)
class RelationshipAdded:
    relationship_id: uuid.UUID
    insurance_number: str
    ssn: str | None

    def as_json(self) -> dict[str, str | None]:
        """CLI.md `relationship add`."""
        return {"relationship_id": str(self.relationship_id), "insurance_number": self.insurance_number,
                "ssn": self.ssn}


def add_relationship(store: Store, actor: Actor, national_code: str, data: dict[str, Any],
                     papers: Iterable[tuple[str, str, bytes, str]] = ()) -> RelationshipAdded:
    """Record a further main-insured or employer relationship (e.g. history from older records).
    A person who so far held their SSN only as a dependant or an employer hands in the enrolment
    questionnaire with their first main-insured relationship (SPEC §2): it must be among
    `papers` (kind, filename, data, media type), which are archived in the same transaction."""
    return _add_relationship(store, actor, data, papers, national_code=national_code)


def add_relationship_for(store: Store, actor: Actor, person_id: uuid.UUID, data: dict[str, Any],
                         papers: Iterable[tuple[str, str, bytes, str]] = ()) -> RelationshipAdded:
    """The same, from the person file: by the person's id (a foreign national has no national code)."""
    return _add_relationship(store, actor, data, papers, person_id=person_id)


def _add_relationship(store: Store, actor: Actor, data: dict[str, Any],
                      papers: Iterable[tuple[str, str, bytes, str]], *, national_code: str | None = None,
                      person_id: uuid.UUID | None = None) -> RelationshipAdded:
    rel = RelationshipInput.parse(data, store.today())
    papers = list(papers)
    for kind, name, content, media in papers:
        check_paper(kind, name, content, media)
    with mutation(store, actor, "person.update") as unit:
        person = enrolled_person(unit.session, national_code=national_code, person_id=person_id)
        if becomes_main_insured(unit.session, person, rel.kind):
            require_questionnaire(kind for kind, *_ in papers)
            unit.session.add(PersonRole(person_id=person.id, role="main_insured", since=rel.start))
        workshop = workshop_by_code(unit.session, rel.workshop_code)
        clash = _overlapping(unit.session, person, rel, workshop.id if workshop else None)
        if clash is not None:
            raise Conflict(
                f"ارتباطی از همین نوع از {format_jalali(clash.start, persian=True)} ثبت است که با این دوره هم‌پوشانی دارد.",
                f"an overlapping {rel.kind} relationship from {format_jalali(clash.start)} exists",
                field="start",
            )
        number = number_for_relationship(unit, person, rel, None)
        row = add_relationship_row(unit, person, rel, number.value, workshop=workshop)
        unit.session.flush()
        for kind, name, content, media in papers:
            store_paper(unit, person.id, kind, name, content, media)
        payload = {"person_id": person.id, "kind": rel.kind, "start": rel.start, "end": rel.end,
                   "workshop_code": rel.workshop_code, "insurance_number": number.value}
        unit.record("relationship.add", "relationship", row.id, payload)
        return RelationshipAdded(row.id, number.value, person.ssn)


def update_personal_info(store: Store, actor: Actor, person_id: uuid.UUID, changes: dict[str, Any], reason: str) -> list[str]:
    """Apply changed fields; each keeps who, when, the old value and the reason. Returns changed fields."""
    values = parse_personal(changes)
    reason = normalise_text(reason, field="reason")
    if not reason:
        raise InvalidValue("دلیل تغییر لازم است.", "a reason for the change is required", field="reason")
    if HEALTH_FIELDS & values.keys():
        require(actor.role, "person.health")
    with mutation(store, actor, "person.update") as unit:
        person = enrolled_person(unit.session, person_id=person_id)
        info = unit.session.get(PersonalInfo, person.id) or PersonalInfo(person_id=person.id)
        unit.session.add(info)
        changed = [k for k, v in values.items() if getattr(info, k) != v]
        for key in changed:
            unit.session.add(PersonalInfoChange(
                person_id=person.id, field=key, old_value=_text(getattr(info, key)), new_value=_text(values[key]),
                reason=reason, user_id=actor.id,
            ))
            setattr(info, key, values[key])
        if changed:
            # Health values stay out of the audit text; only the field names are logged.
            unit.record("personal.update", "person", person.id, {"fields": changed, "reason": reason})
        return changed


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def requery_identity(store: Store, actor: Actor, person_id: uuid.UUID, *, committee_approval: str | None = None) -> list[str]:
    """Identity changes only by a fresh registry query; the benefit birth date is kept unless the
    change predates 1379/08/08 or the registry annulled the earlier birth certificate (SPEC §5.1)."""
    with mutation(store, actor, "person.update") as unit:
        s = unit.session
        person = enrolled_person(s, person_id=person_id)
        fresh = store.registry.lookup(national_code=person.national_code, foreign_id=person.foreign_id)
        if fresh is None:
            raise NotFound("هویت این شخص دیگر در پایگاه ثبت احوال یافت نمی‌شود.", "the registry no longer holds this identity")
        changed = [f for f in IDENTITY_FIELDS if getattr(person, f) != getattr(fresh, f)]
        if not changed:
            return []
        _require_committee(s, person, committee_approval)
        for f in changed:
            s.add(IdentityChange(person_id=person.id, field=f, old_value=_text(getattr(person, f)),
                                 new_value=_text(getattr(fresh, f)), user_id=actor.id))
        benefit_before = person.benefit_birth_date
        _apply_identity(person, fresh, store)
        unit.record("identity.requery", "person", person.id, {
            "fields": changed, "committee_approval": committee_approval,
            "benefit_birth_date_moved": person.benefit_birth_date != benefit_before,
            "earlier_certificate_annulled": fresh.earlier_certificate_annulled})
        return changed


def _require_committee(session: Session, person: Person, approval: str | None) -> None:
    temporary = session.scalar(select(InsuranceNumber.id).where(
        InsuranceNumber.person_id == person.id,
        InsuranceNumber.kind.in_(("central_temporary", "branch_temporary")), InsuranceNumber.retired_at.is_(None)))
    main = session.scalar(select(Relationship.id).where(Relationship.person_id == person.id,
                                                        Relationship.main_insured_id.is_(None)))
    if temporary and main and not (approval and approval.strip()):
        raise InvalidValue(
            "اصلاح هویت بیمه‌شده اصلی دارای شماره موقت نیازمند مصوبه کمیته استانی است؛ شماره مصوبه را وارد کنید.",
            "identity correction of a main insured with temporary numbers needs the provincial committee's approval",
            field="committee_approval",
        )


def benefit_date_moves(fresh: RegistryIdentity, changed_on: dt.date) -> bool:
    """SPEC §5.1: a birth-date change counts for benefits when it was made before 1379/08/08,
    or — whenever it was made — because the registry annulled the earlier birth certificate."""
    return changed_on <= BIRTH_DATE_FREEZE or fresh.earlier_certificate_annulled


def _apply_identity(person: Person, fresh: RegistryIdentity, store: Store) -> None:
    changed_on = fresh.birth_date_changed_on or store.today()
    if fresh.birth_date != person.birth_date and benefit_date_moves(fresh, changed_on):
        person.benefit_birth_date = fresh.birth_date
    for f in IDENTITY_FIELDS:
        setattr(person, f, getattr(fresh, f))
    person.identity_complete = fresh.complete
    person.name_key = search_key(f"{person.last_name} {person.first_name}")

