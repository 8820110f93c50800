"""Which papers a person's records require, and which of them the archive holds.

Enrolment as a main insured requires the questionnaire and the photo (SPEC §2; dependants and
employers hand in no questionnaire). For every dependant link in force today — the person's
dependants, and the person's own link when they are someone's dependant — the rules engine is
asked, with no papers presented, which papers it would name today; a requirement may be met by
one of several kinds (a son over 19: a university enrolment or a disability certificate). Papers
the link was registered with count as required too: they are what it rests on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.dependants import decide
from desktop.domain.errors import DomainError, NotFound
from desktop.domain.vocabulary import PAPER_KINDS, RELATIONS
from desktop.models import ArchiveItem, Person, PersonRole, Relationship, RelationshipPaper

from ..actor import Actor
from ..store import Store
from ..unit import reading

ENROLMENT_PAPERS = ("questionnaire", "photo")


@dataclass(frozen=True)
class Requirement:
    scope: str  # "enrolment", or "dependant:<person id>" for one dependant link
    scope_title: str  # Persian: «نامنویسی» or the dependant's name and relation
    person_id: uuid.UUID  # whose archive must hold the paper
    kinds: tuple[str, ...]  # any one of these meets it
    title: str  # Persian: the kinds' names joined with «یا»
    why: str  # Persian: the rule that asks for it
    present: tuple[str, ...]  # identifiers of the archived papers that meet it (newest first)

    @property
    def met(self) -> bool:
        return bool(self.present)

    def as_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "person_id": str(self.person_id), "kinds": list(self.kinds),
                "met": self.met, "present": list(self.present)}


@dataclass(frozen=True)
class Checklist:
    person_id: uuid.UUID
    requirements: tuple[Requirement, ...]

    @property
    def missing(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if not r.met)

    @property
    def complete(self) -> bool:
        return not self.missing


def _title(kinds: tuple[str, ...]) -> str:
    return " یا ".join(f"«{PAPER_KINDS.get(k, k)}»" for k in kinds)


def _held(s: Session, person_id: uuid.UUID) -> dict[str, list[str]]:
    """Paper kind → identifiers the person's archive holds, newest version first."""
    held: dict[str, list[str]] = {}
    for kind, ident in s.execute(select(ArchiveItem.paper_kind, ArchiveItem.identifier)
                                 .where(ArchiveItem.person_id == person_id)
                                 .order_by(ArchiveItem.version.desc())):
        held.setdefault(kind, []).append(ident)
    return held


def _requirement(scope: str, scope_title: str, person_id: uuid.UUID, kinds: tuple[str, ...], why: str,
                 held: dict[str, list[str]]) -> Requirement:
    present = tuple(i for k in kinds for i in held.get(k, ()))
    return Requirement(scope, scope_title, person_id, kinds, _title(kinds), why, present)


def _enrolment(s: Session, person: Person) -> list[Requirement]:
    main = s.scalar(select(PersonRole.id).where(PersonRole.person_id == person.id,
                                                PersonRole.role == "main_insured").limit(1))
    if main is None:
        return []
    held = _held(s, person.id)
    return [_requirement("enrolment", "نامنویسی", person.id, (kind,), "نامنویسی بیمه‌شده اصلی", held)
            for kind in ENROLMENT_PAPERS]


def _link_requirements(store: Store, s: Session, link: Relationship, main: Person,
                       dependant: Person) -> list[Requirement]:
    relation = RELATIONS.get(link.type_code, link.type_code)
    scope = f"dependant:{dependant.id}"
    title = f"{dependant.first_name} {dependant.last_name} ({relation})"
    held = _held(s, dependant.id)
    asked: dict[tuple[str, ...], str] = {}
    if main.national_code and dependant.national_code:
        # Imported here: dependant_facts → enrolment → archive would be a cycle at import time.
        from ..dependant_facts import gather

        try:
            facts, *_ = gather(store, s, main.national_code, dependant.national_code, link.type_code,
                               papers=(), request_date=store.today())
            for reason in decide(facts).reasons:
                if reason.papers:
                    asked.setdefault(tuple(reason.papers), reason.fa)
        except DomainError:  # the registry no longer answers for them: what was presented still counts
            pass
    rested_on = s.scalars(select(ArchiveItem.paper_kind).join(
        RelationshipPaper, RelationshipPaper.archive_item_id == ArchiveItem.id)
        .where(RelationshipPaper.relationship_id == link.id)).all()
    for kind in dict.fromkeys(rested_on):
        if not any(kind in kinds for kinds in asked):
            asked[(kind,)] = "مدرکی که این ارتباط با آن ثبت شد"
    return [_requirement(scope, title, dependant.id, kinds, why, held) for kinds, why in asked.items()]


def read_checklist(store: Store, s: Session, person_id: uuid.UUID) -> Checklist:
    person = s.get(Person, person_id)
    if person is None:
        raise NotFound("این شخص در این شعبه ثبت نشده است.", f"no person {person_id}", field="person")
    out = _enrolment(s, person)
    today = store.today()
    links = s.scalars(select(Relationship).where(
        (Relationship.main_insured_id == person_id) | (
            (Relationship.person_id == person_id) & Relationship.main_insured_id.is_not(None)))
        .order_by(Relationship.start)).all()
    for link in links:
        if link.end is not None and link.end < today or link.main_insured_id is None:
            continue
        main, dependant = s.get(Person, link.main_insured_id), s.get(Person, link.person_id)
        if main is not None and dependant is not None:
            out += _link_requirements(store, s, link, main, dependant)
    return Checklist(person_id, tuple(out))


def checklist(store: Store, actor: Actor, person_id: uuid.UUID) -> Checklist:
    """The person's required papers and which are present (role `person.read`)."""
    with reading(store, actor) as s:
        return read_checklist(store, s, person_id)
