"""Enrolment (SPEC §2): identity from the registry, relationship, personal information, numbers, SSN."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.enrolment import (
    AcquaintanceInput,
    EmployerInput,
    EnrolmentInput,
    RelationshipInput,
    number_kind_for,
)
from desktop.domain.errors import Conflict, InvalidValue, NotFound
from desktop.domain.jalali import format_jalali
from desktop.domain.registry import RegistryIdentity
from desktop.domain.roles import require
from desktop.domain.text import persian_digits, search_key
from desktop.domain.vocabulary import MAIN_KINDS
from desktop.models import (
    Acquaintance,
    Employer,
    InsuranceNumber,
    Person,
    PersonalInfo,
    PersonRole,
    Relationship,
    Workshop,
)

from .actor import Actor
from .archive import check_paper, store_paper
from .numbering import (
    NumbersExhausted,
    allocate_branch_temporary,
    allocate_central_temporary,
    allocate_permanent,
    allocate_ssn,
)
from .store import Store
from .unit import Unit, mutation


@dataclass(frozen=True)
class EnrolmentResult:
    person_id: uuid.UUID
    ssn: str
    numbers: dict[str, str]
    known_before: bool

    def as_json(self) -> dict[str, Any]:
        return {"person_id": str(self.person_id), "ssn": self.ssn, "numbers": self.numbers,
                "known_before": self.known_before}


def query_registry(store: Store, national_code: str | None, foreign_id: str | None) -> RegistryIdentity:
    ident = store.registry.lookup(national_code=national_code, foreign_id=foreign_id)
    if ident is None:
        number = persian_digits(national_code or foreign_id or "")
        raise NotFound(
            f"هویتی با شماره {number} در پایگاه ثبت احوال (یا اتباع) پیدا نشد.",
            f"no identity {national_code or foreign_id} in the identity registry",
            field="national_code" if national_code else "foreign_id",
        )
    if ident.death_date is not None:
        raise InvalidValue(
            f"طبق ثبت احوال این شخص در {format_jalali(ident.death_date, persian=True)} فوت کرده است.",
            f"the registry records this person's death on {format_jalali(ident.death_date)}",
        )
    return ident


def find_person(session: Session, national_code: str | None, foreign_id: str | None) -> Person | None:
    if national_code:
        return session.scalar(select(Person).where(Person.national_code == national_code))
    return session.scalar(select(Person).where(Person.foreign_id == foreign_id))


def holds_main_relationship(session: Session, person: Person) -> bool:
    """Whether the person has ever been a main insured here (a role or a relationship of a
    main-insured kind), as opposed to holding an SSN only as a dependant or an employer."""
    role = session.scalar(select(PersonRole.id).where(PersonRole.person_id == person.id,
                                                      PersonRole.role == "main_insured").limit(1))
    if role is not None:
        return True
    kinds = session.scalars(select(Relationship.type_code).where(Relationship.person_id == person.id)).all()
    return any(kind in MAIN_KINDS for kind in kinds)


def becomes_main_insured(session: Session, person: Person | None, kind: str) -> bool:
    """SPEC §2: a person who holds an SSN only as a dependant or an employer and now starts a
    main-insured relationship — recorded on their SSN, with the enrolment questionnaire."""
    return (person is not None and bool(person.ssn) and kind in MAIN_KINDS
            and not holds_main_relationship(session, person))


def require_questionnaire(kinds: Iterable[str]) -> None:
    """The rule's paper (no personal-information form is needed then, SPEC §2)."""
    if "questionnaire" not in set(kinds):
        raise InvalidValue(
            "این شخص شماره تامین اجتماعی را فقط به عنوان فرد تبعی یا کارفرما گرفته است؛ برای آغاز "
            "ارتباط بیمه‌شده اصلی، پرسشنامه نام‌نویسی (اسکن‌شده) لازم است.",
            "a person who holds an SSN only as a dependant or employer must hand in the enrolment "
            "questionnaire to start a main-insured relationship",
            field="questionnaire",
        )


def refuse_if_enrolled(person: Person | None) -> None:
    if person is not None and person.ssn:
        raise Conflict(
            f"این شخص پیش‌تر نام‌نویسی شده و شماره تامین اجتماعی {persian_digits(person.ssn)} دارد.",
            f"already enrolled with SSN {person.ssn}",
            field="national_code", existing=person.ssn,
        )


def new_person(store: Store, ident: RegistryIdentity) -> Person:
    return Person(
        national_code=ident.national_code, foreign_id=ident.foreign_id, first_name=ident.first_name,
        last_name=ident.last_name, father_name=ident.father_name, birth_date=ident.birth_date,
        benefit_birth_date=ident.birth_date, gender=ident.gender,
        birth_certificate_number=ident.birth_certificate_number, place_of_issue=ident.place_of_issue,
        death_date=ident.death_date, identity_complete=ident.complete, enrolled_branch=store.branch_code,
        name_key=search_key(f"{ident.last_name} {ident.first_name}"),
    )


def workshop_by_code(session: Session, code: str | None) -> Workshop | None:
    if code is None:
        return None
    workshop = session.scalar(select(Workshop).where(Workshop.code == code))
    if workshop is None:
        raise NotFound(f"کارگاهی با کد {persian_digits(code)} ثبت نشده است.", f"no workshop {code}", field="workshop_code")
    return workshop


def issue_number(unit: Unit, person: Person, kind: str) -> InsuranceNumber:
    """Give a number of the kind (central temporary falls back to the branch range when offline)."""
    if kind == "permanent":
        value = allocate_permanent(unit.session)
    else:
        try:
            value = allocate_central_temporary(unit.session)
        except NumbersExhausted:
            kind, value = "branch_temporary", allocate_branch_temporary(unit.session)
    number = InsuranceNumber(person_id=person.id, kind=kind, value=value, branch_code=unit.store.branch_code)
    unit.session.add(number)
    return number


def current_number(session: Session, person: Person, kind: str) -> InsuranceNumber | None:
    return session.scalar(select(InsuranceNumber).where(
        InsuranceNumber.person_id == person.id, InsuranceNumber.kind == kind, InsuranceNumber.retired_at.is_(None)))


def number_for_relationship(unit: Unit, person: Person, rel: RelationshipInput,
                            employer: EmployerInput | None, *, new: bool = False) -> InsuranceNumber:
    """A person who already holds a permanent number keeps it (SPEC §1.3); else issue by rule."""
    kind = number_kind_for(rel.kind, person.identity_complete, bool(employer and employer.pays_premium))
    held = None if new else current_number(unit.session, person, kind)
    return held or issue_number(unit, person, kind)


def add_relationship_row(unit: Unit, person: Person, rel: RelationshipInput, number: str, *,
                         workshop: Workshop | None) -> Relationship:
    row = Relationship(
        person_id=person.id, type_code=rel.kind, start=rel.start, end=rel.end, insurance_number=number,
        branch_code=unit.store.branch_code, workshop_id=workshop.id if workshop else None,
        orientation=rel.orientation,
    )
    unit.session.add(row)
    return row


def add_employer(unit: Unit, person: Person, rel: RelationshipInput, employer: EmployerInput | None) -> None:
    if employer is None:
        return
    if employer.registration_number and unit.session.scalar(
        select(Employer.id).where(Employer.registration_number == employer.registration_number)
    ):
        raise Conflict(
            f"شرکتی با شماره ثبت {persian_digits(employer.registration_number)} پیش‌تر ثبت شده است.",
            f"a legal employer with registration number {employer.registration_number} exists",
            field="registration_number",
        )
    unit.session.add(Employer(kind=rel.kind, person_id=person.id, legal_name=employer.legal_name,
                              registration_number=employer.registration_number))


def enrol(store: Store, actor: Actor, data: dict[str, Any],
          papers: Iterable[tuple[str, str, bytes, str]] = ()) -> EnrolmentResult:
    """Enrol once per person. Known persons without an SSN take the shorter path of SPEC §2;
    so does a person who holds an SSN only as a dependant or an employer and now starts a
    main-insured relationship — it is recorded on that SSN, and the enrolment questionnaire
    must be among the papers (SPEC §2). Anyone else with an SSN is refused with it.

    `papers` (kind, filename, data, media type) — the scanned questionnaire and photo — are
    archived against the person in the same transaction, once the SSN is given."""
    request = EnrolmentInput.parse(data, store.today())
    if request.health_given:
        require(actor.role, "person.health")  # as for later updates of the same fields
    papers = list(papers)
    for kind, name, content, media in papers:
        check_paper(kind, name, content, media)
    ident = query_registry(store, request.national_code, request.foreign_id)
    with mutation(store, actor, "person.enrol") as unit:
        s = unit.session
        person = find_person(s, request.national_code, request.foreign_id)
        becoming_main = becomes_main_insured(s, person, request.relationship.kind)
        if becoming_main:
            require_questionnaire(kind for kind, *_ in papers)
        else:
            refuse_if_enrolled(person)
        known = person is not None
        if person is None:
            ssn = allocate_ssn(s)
            person = _added_person(unit, ident, request.documents_seen, ssn)
            s.flush()  # the person row first: the mappers declare no relationship() to order by
        elif person.ssn:
            ssn = person.ssn  # held as a dependant or employer: it stays (one SSN for life)
        else:
            ssn = person.ssn = allocate_ssn(s)
        with s.no_autoflush:  # the dependent rows are built, then written in one flush
            number = _record_relationship(unit, person, request, known)
            if request.personal and (not known or s.get(PersonalInfo, person.id) is None):
                s.add(PersonalInfo(person_id=person.id, **request.personal))
            add_acquaintances(s, person, request.acquaintances)
        s.flush()
        for kind, name, content, media in papers:
            store_paper(unit, person.id, kind, name, content, media)
        numbers = _numbers_of(s, person) if known else {number.kind: number.value}
        unit.record("person.enrol", "person", person.id, {
            "national_code": person.national_code, "foreign_id": person.foreign_id, "ssn": person.ssn,
            "relationship": {"kind": request.relationship.kind, "start": request.relationship.start,
                             "end": request.relationship.end, "workshop_code": request.relationship.workshop_code},
            "numbers": numbers, "known_before": known, "acquaintances": len(request.acquaintances),
            "became_main_insured": becoming_main,
        })
        return EnrolmentResult(person.id, ssn, numbers, known)


def add_acquaintances(session: Session, person: Person, acquaintances: Iterable[AcquaintanceInput]) -> None:
    for a in acquaintances:
        session.add(Acquaintance(person_id=person.id, first_name=a.first_name, last_name=a.last_name,
                                 national_code=a.national_code, address=a.address, mobile=a.mobile))


def _added_person(unit: Unit, ident: RegistryIdentity, documents_seen: bool, ssn: str) -> Person:
    person = new_person(unit.store, ident)
    person.identity_complete = ident.complete and documents_seen
    person.ssn = ssn
    unit.session.add(person)
    return person


def _record_relationship(unit: Unit, person: Person, request: EnrolmentInput, known: bool) -> InsuranceNumber:
    rel = request.relationship
    workshop = workshop_by_code(unit.session, rel.workshop_code)
    number = number_for_relationship(unit, person, rel, request.employer, new=not known)
    add_relationship_row(unit, person, rel, number.value, workshop=workshop)
    add_employer(unit, person, rel, request.employer)
    role = "employer" if request.employer else "main_insured"
    unit.session.add(PersonRole(person_id=person.id, role=role, since=rel.start))
    return number


def _numbers_of(session: Session, person: Person) -> dict[str, str]:
    rows = session.scalars(select(InsuranceNumber).where(InsuranceNumber.person_id == person.id))
    return {n.kind: n.value for n in rows}
