"""Read-only look-ups the enrolment and dependant screens show as the clerk types: the identity
the registry holds, whether the person is already in this store, a workshop's name by its code,
and the reference lists (kinds, relations, papers) with their Persian titles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from desktop.domain import identifiers
from desktop.domain.errors import DomainError
from desktop.domain.jalali import format_jalali
from desktop.domain.roles import require
from desktop.domain.vocabulary import (
    BLOOD_GROUPS,
    EDUCATION,
    GENDERS,
    MARITAL,
    MILITARY,
    NUMBER_KINDS,
    ORIENTATIONS,
    PAPER_KINDS,
    RELATIONSHIP_TYPES,
)
from desktop.models import PaperKind, Person, RelationshipType, Workshop
from desktop.printing.registration_slip import SlipData, render_registration_slip

from .actor import Actor
from .enrolment import holds_main_relationship
from .people import get_person
from .store import Store


@dataclass(frozen=True)
class IdentityPreview:
    """What the registry says about a number, and what this store already knows of it."""

    number: str  # the normalised national code or foreign id
    in_registry: bool
    full_name: str = ""
    father_name: str = ""
    birth_date_fa: str = ""  # Jalali, Persian digits
    gender: str = ""
    gender_fa: str = ""
    dead_on_fa: str = ""
    person_id: uuid.UUID | None = None  # known in this store
    ssn: str | None = None  # known and enrolled: a second enrolment is refused …
    # … unless the SSN is held only as a dependant or an employer: then a main-insured
    # relationship may start, with the enrolment questionnaire (SPEC §2).
    ssn_without_main: bool = False

    @property
    def known(self) -> bool:
        return self.person_id is not None


def identity_preview(store: Store, actor: Actor, *, national_code: str | None = None,
                     foreign_id: str | None = None) -> IdentityPreview:
    """Raises InvalidValue for a malformed number; an unknown one gives `in_registry=False`."""
    require(actor.role, "person.read")
    nc = identifiers.national_code(national_code) if national_code else None
    fid = identifiers.foreign_id(foreign_id) if foreign_id and not nc else None
    ident = store.registry.lookup(national_code=nc, foreign_id=fid)
    with store.sessions() as s:
        column = Person.national_code if nc else Person.foreign_id
        person = s.scalar(select(Person).where(column == (nc or fid)))
        person_id, ssn = (person.id, person.ssn) if person else (None, None)
        without_main = bool(person and person.ssn and not holds_main_relationship(s, person))
    if ident is None:
        return IdentityPreview(nc or fid or "", False, person_id=person_id, ssn=ssn,
                               ssn_without_main=without_main)
    return IdentityPreview(
        nc or fid or "", True, f"{ident.first_name} {ident.last_name}", ident.father_name,
        format_jalali(ident.birth_date, persian=True), ident.gender, GENDERS.get(ident.gender, ""),
        format_jalali(ident.death_date, persian=True) if ident.death_date else "", person_id, ssn,
        without_main,
    )


def workshop_name(store: Store, actor: Actor, code: str) -> str | None:
    """The workshop's name, or None when the code is malformed or unknown."""
    require(actor.role, "person.read")
    try:
        code = identifiers.workshop_code(code)
    except DomainError:
        return None
    with store.sessions() as s:
        return s.scalar(select(Workshop.name).where(Workshop.code == code))


def relationship_kinds(store: Store, category: str) -> list[tuple[str, str]]:
    """(code, Persian title) of the relationship types of a category: main | dependant | employer."""
    with store.sessions() as s:
        rows = s.execute(select(RelationshipType.code, RelationshipType.title_fa)
                         .where(RelationshipType.category == category)).all()
    return [(r[0], r[1]) for r in rows]


def paper_kinds(store: Store) -> list[tuple[str, str]]:
    with store.sessions() as s:
        rows = s.execute(select(PaperKind.code, PaperKind.title_fa)).all()
    return [(r[0], r[1]) for r in rows] or list(PAPER_KINDS.items())


def personal_choices() -> dict[str, list[tuple[str, str]]]:
    """The closed lists of the personal-information form."""
    return {
        "education": list(EDUCATION.items()), "marital_status": list(MARITAL.items()),
        "military_status": list(MILITARY.items()), "blood_group": [(b, b) for b in BLOOD_GROUPS],
        "orientation": list(ORIENTATIONS.items()),
    }


def write_registration_slip(store: Store, actor: Actor, ssn: str, path: str | Path) -> Path:
    """The registration slip of an enrolled person, read back from the store (what was written,
    not what the form held), as a PDF at `path`."""
    person = get_person(store, actor, ssn=ssn)
    last = person.relationships[-1] if person.relationships else None
    kind = last.type_code if last else ""
    foreign = not person.national_code
    slip = SlipData(
        full_name=person.full_name, father_name=person.father_name, birth_date=person.birth_date,
        id_title="شماره اختصاصی اتباع خارجی" if foreign else "کد ملی",
        id_number=person.foreign_id if foreign else person.national_code, ssn=person.ssn,
        relationship=RELATIONSHIP_TYPES.get(kind, ("", kind))[1], start=last.start if last else None,
        branch_code=store.branch_code, branch_name=store.branch_name, issued_on=store.today(),
        numbers=[(NUMBER_KINDS.get(n.kind, n.kind), n.value) for n in person.numbers if n.kind != "ssn"],
        workshop=(last.workshop_name if last else None) or "", clerk=actor.full_name or actor.username,
    )
    return render_registration_slip(path, slip)
