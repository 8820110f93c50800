"""Gathering the dependant rules' facts from the identity registry and the store (one session)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desktop.domain import identifiers
from desktop.domain.dependants import (
    DependantFacts,
    ExistingDependant,
    Link,
    Paper,
    Person,
    SoldierFacts,
    jalali_add_months,
)
from desktop.domain.dependants.facts import SOLDIER_LOOKBACK_MONTHS
from desktop.domain.errors import InvalidValue
from desktop.domain.jalali import parse_jalali
from desktop.domain.registry import RegistryIdentity
from desktop.models import Person as PersonRow
from desktop.models import Relationship

from .enrolment import query_registry
from .records import enrolled_person
from .store import Store

# (kind, filename, data, media_type, attrs) — attrs: date, until (Jalali text or date), seminary.
PaperInput = tuple[str, str, bytes, str, dict[str, Any]]


def _date(value: Any, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return parse_jalali(str(value), field=field)


def paper_facts(papers: Iterable[PaperInput]) -> tuple[Paper, ...]:
    out = []
    for kind, _name, _data, _media, attrs in papers:
        attrs = attrs or {}
        unknown = set(attrs) - {"date", "until", "seminary"}
        if unknown:
            raise InvalidValue(f"ویژگی «{', '.join(sorted(unknown))}» برای مدرک شناخته نیست.",
                               f"unknown paper attributes {sorted(unknown)}", field="papers")
        out.append(Paper(kind, _date(attrs.get("date"), "paper.date"), _date(attrs.get("until"), "paper.until"),
                         bool(attrs.get("seminary", False))))
    return tuple(out)


def links_of(session: Session, person_id: uuid.UUID | None) -> tuple[Link, ...]:
    if person_id is None:
        return ()
    main = aliased(PersonRow)
    rows = session.execute(
        select(Relationship, main.national_code, main.gender)
        .outerjoin(main, main.id == Relationship.main_insured_id).where(Relationship.person_id == person_id)
    ).all()
    return tuple(Link(r.type_code, r.start, r.end, r.orientation, str(r.id), code, gender, r.medical_link, r.end_reason)
                 for r, code, gender in rows)


def _person(ident: RegistryIdentity | None, row: PersonRow | None, links: tuple[Link, ...]) -> Person:
    if ident is not None:
        return Person(ident.national_code, ident.gender, ident.birth_date, ident.death_date,
                      ident.father_national_code, ident.mother_national_code, ident.marriages, links)
    assert row is not None
    return Person(row.national_code, row.gender, row.birth_date, row.death_date, links=links)


def existing_dependants(store: Store, session: Session, main_id: uuid.UUID) -> tuple[ExistingDependant, ...]:
    rows = session.execute(select(Relationship, PersonRow.national_code).join(
        PersonRow, PersonRow.id == Relationship.person_id).where(Relationship.main_insured_id == main_id)).all()
    out = []
    for rel, code in rows:
        father = mother = None
        if rel.type_code == "adopted_child" and code:  # siblings are judged by registry parents
            ident = store.registry.lookup(national_code=code)
            father, mother = (ident.father_national_code, ident.mother_national_code) if ident else (None, None)
        out.append(ExistingDependant(code, rel.type_code, rel.start, rel.end, father, mother))
    return tuple(out)


def soldier_facts(links: tuple[Link, ...]) -> SoldierFacts:
    """From the soldier's own record: the military-service link and work in the two months before."""
    service = max((k for k in links if k.kind == "military_service" and k.main_insured_code is None),
                  key=lambda k: k.start, default=None)
    if service is None:
        return SoldierFacts()
    window_start = jalali_add_months(service.start, -SOLDIER_LOOKBACK_MONTHS)
    worked = any(k.kind == "mandatory" and k.start < service.start and (k.end is None or k.end >= window_start)
                 for k in links)
    return SoldierFacts(service.start, service.end, worked, False)


def gather(store: Store, session: Session, main_code: str, candidate_code: str, relation: str, *,
           papers: tuple[Paper, ...], request_date: dt.date, other_fund: bool = False,
           soldier: dict[str, Any] | None = None) -> tuple[DependantFacts, PersonRow, PersonRow | None,
                                                            RegistryIdentity]:
    main_row = enrolled_person(session, national_code=main_code)
    cand_code = identifiers.national_code(candidate_code)
    cand_ident = query_registry_any(store, cand_code)
    cand_row = session.scalar(select(PersonRow).where(PersonRow.national_code == cand_code))
    main_links = links_of(session, main_row.id)
    main = _person(store.registry.lookup(national_code=main_row.national_code) if main_row.national_code else None,
                   main_row, main_links)
    candidate = _person(cand_ident, cand_row, links_of(session, cand_row.id if cand_row else None))
    s_facts = soldier_facts(main_links)
    if soldier:
        s_facts = SoldierFacts(**{**s_facts.__dict__, **{k: _soldier_value(k, v) for k, v in soldier.items()}})
    facts = DependantFacts(main, candidate, relation, request_date, papers,
                           existing_dependants(store, session, main_row.id), other_fund, s_facts)
    return facts, main_row, cand_row, cand_ident


def _soldier_value(key: str, value: Any) -> Any:
    if key in ("dispatch_date", "service_end"):
        return _date(value, f"soldier.{key}")
    if key in ("on_wage_list_or_inspection", "wage_compensation_or_unemployment"):
        return bool(value)
    raise InvalidValue(f"«{key}» از اطلاعات سرباز شناخته نیست.", f"unknown soldier fact {key!r}", field="soldier")


def query_registry_any(store: Store, national_code: str) -> RegistryIdentity:
    """The candidate's identity; a death is a rule's reason (listed), not an input error."""
    ident = store.registry.lookup(national_code=national_code)
    return ident if ident is not None else query_registry(store, national_code, None)
