"""The person file (پرونده شخص): everything the branch holds about one person, in one read.

Privacy is decided here, not in the screen: health fields (special disease, blood group,
medical history) and their change history leave this module only for roles with
`person.health`. Dates come as `dt.date` (for the timeline) and Jalali text (for tables).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from desktop.db.person_queries import person_record
from desktop.domain.enrolment import HEALTH_FIELDS
from desktop.domain.errors import NotFound
from desktop.domain.jalali import format_jalali
from desktop.domain.roles import allowed, require
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import CATEGORY_TITLES, NUMBER_KINDS, RELATIONSHIP_TYPES
from desktop.models import (
    AccountLifetime,
    AccountYear,
    AppUser,
    ArchiveItem,
    Authority,
    CorrectionRequest,
    DocumentLine,
    IdentityChange,
    InquiryRecord,
    InsuranceDocument,
    PersonalInfoChange,
)

from .actor import Actor
from .people import shape_person
from .store import Store

_ACCOUNT_MONTH = text(
    "SELECT year, month, days, wage, rate, job, workshop_code, branch_code FROM account_month "
    "WHERE person_id = :pid ORDER BY year DESC, month DESC"
)


@dataclass
class PersonFile:
    person_id: uuid.UUID
    identity: dict[str, Any]
    numbers: list[dict[str, str]]
    personal: dict[str, Any]
    health_visible: bool
    can_update: bool
    relationships: list[dict[str, Any]]
    dependants: list[dict[str, Any]]
    today: dt.date
    identity_changes: list[dict[str, Any]] = field(default_factory=list)
    personal_changes: list[dict[str, Any]] = field(default_factory=list)
    account_months: list[dict[str, Any]] = field(default_factory=list)
    account_years: list[dict[str, Any]] = field(default_factory=list)
    account_lifetime: dict[str, Any] | None = None
    archive: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    inquiries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.identity['first_name']} {self.identity['last_name']}"

    @property
    def active(self) -> bool:
        return any(r["active"] for r in self.relationships)


def load_person_file(store: Store, actor: Actor, person_id: uuid.UUID) -> PersonFile:
    """The whole file of an enrolled person; health data only for roles allowed to see it."""
    require(actor.role, "person.read")
    health = allowed(actor.role, "person.health")
    with store.reader() as conn:
        raw = person_record(conn, person_id=person_id.hex)
    if raw is None or not raw["ssn"]:
        raise NotFound(f"شخص {persian_digits(str(person_id))} در این شعبه نیست.", f"no person {person_id}")
    # PersonFile keeps its plain rows for the person-file screens (which the typed record
    # does not reach yet); they are the record's JSON, as before.
    shaped = shape_person(raw, actor.role).as_json()
    today = store.today()
    identity = {k: shaped[k] for k in ("first_name", "last_name", "father_name", "birth_date",
                                        "benefit_birth_date", "gender", "birth_certificate_number",
                                        "place_of_issue", "death_date", "identity_complete",
                                        "enrolled_branch", "ssn")}
    identity["national_code"] = raw["national_code"]
    identity["foreign_id"] = raw["foreign_id"]
    pfile = PersonFile(
        person_id=person_id, identity=identity,
        numbers=[{**n, "title": NUMBER_KINDS.get(n["kind"], n["kind"])} for n in shaped["numbers"]],
        personal=shaped["personal"], health_visible=health,
        can_update=allowed(actor.role, "person.update"),
        relationships=[_relationship(r, today) for r in raw["relationships"]],
        dependants=shaped["dependants"], today=today,
    )
    with store.sessions() as session:
        _fill_history(session, pfile, health)
        _fill_account(session, pfile)
        _fill_papers(session, pfile, raw["national_code"])
    return pfile


def _relationship(r: dict[str, Any], today: dt.date) -> dict[str, Any]:
    start = dt.date.fromisoformat(r["start"])
    end = dt.date.fromisoformat(r["end"]) if r["end"] else None
    category, title = RELATIONSHIP_TYPES.get(r["type_code"], (r["category"], r["type_code"]))
    main = f"{r['main_first_name']} {r['main_last_name']}" if r["main_insured_ssn"] else ""
    return {
        "type_code": r["type_code"], "category": category, "title": title,
        "category_title": CATEGORY_TITLES.get(category, category),
        "start_date": start, "end_date": end, "start": format_jalali(start), "end": format_jalali(end),
        "active": start <= today and (end is None or end >= today),
        "insurance_number": r["insurance_number"], "branch": r["branch_code"],
        "workshop": r["workshop_name"] or "", "workshop_code": r["workshop_code"] or "",
        "main_insured": main, "end_reason": r["end_reason"] or "",
    }


def _when(value: dt.datetime | None) -> str:
    return format_jalali(value.date()) if value else ""


def _fill_history(s: Session, pfile: PersonFile, health: bool) -> None:
    pid = pfile.person_id
    users = dict(s.execute(select(AppUser.id, AppUser.full_name)).all())
    pfile.identity_changes = [
        {"field": c.field, "old": c.old_value, "new": c.new_value, "at": _when(c.at), "user": users.get(c.user_id, "")}
        for c in s.scalars(select(IdentityChange).where(IdentityChange.person_id == pid)
                           .order_by(IdentityChange.at.desc()))
    ]
    changes = select(PersonalInfoChange).where(PersonalInfoChange.person_id == pid)
    if not health:  # not even that a health field changed: the old value is health data too
        changes = changes.where(PersonalInfoChange.field.not_in(HEALTH_FIELDS))
    pfile.personal_changes = [
        {"field": c.field, "old": c.old_value, "new": c.new_value, "reason": c.reason,
         "at": _when(c.at), "user": users.get(c.user_id, "")}
        for c in s.scalars(changes.order_by(PersonalInfoChange.at.desc()))
    ]


def _fill_account(s: Session, pfile: PersonFile) -> None:
    pid = pfile.person_id
    pfile.account_months = [dict(r._mapping) for r in s.execute(_ACCOUNT_MONTH, {"pid": pid.hex})]
    pfile.account_years = [
        {"year": y.year, "days": y.days, "wage_total": y.wage_total, "average_wage": y.average_wage}
        for y in s.scalars(select(AccountYear).where(AccountYear.person_id == pid).order_by(AccountYear.year.desc()))
    ]
    life = s.get(AccountLifetime, pid)
    pfile.account_lifetime = (
        {"days": life.days, "wage_total": life.wage_total, "months": life.months} if life else None
    )


def _fill_papers(s: Session, pfile: PersonFile, national_code: str | None) -> None:
    pid = pfile.person_id
    pfile.archive = [
        {"identifier": a.identifier, "chapter": a.chapter, "section": a.section, "paper_kind": a.paper_kind,
         "filename": a.filename, "version": a.version, "scanned_at": _when(a.scanned_at)}
        for a in s.scalars(select(ArchiveItem).where(ArchiveItem.person_id == pid).order_by(ArchiveItem.scanned_at))
    ]
    corrections = (
        select(CorrectionRequest, InsuranceDocument.year, InsuranceDocument.month)
        .join(DocumentLine, DocumentLine.id == CorrectionRequest.document_line_id)
        .join(InsuranceDocument, InsuranceDocument.id == DocumentLine.document_id)
        .where(DocumentLine.person_id == pid).order_by(CorrectionRequest.created_at.desc())
    )
    pfile.corrections = [
        {"period": f"{year}/{month:02d}", "requesting_unit": c.requesting_unit, "status": c.status,
         "components": _json(c.components), "reasons": c.reasons, "created_at": _when(c.created_at)}
        for c, year, month in s.execute(corrections)
    ]
    who = or_(InquiryRecord.person_id == pid, InquiryRecord.national_code == national_code) if national_code \
        else InquiryRecord.person_id == pid
    inquiries = (select(InquiryRecord, Authority.name).join(Authority, Authority.id == InquiryRecord.authority_id)
                 .where(who).order_by(InquiryRecord.seq.desc()))
    pfile.inquiries = [
        {"tracking_code": i.tracking_code, "authority": name, "state": i.state, "at": _when(i.at),
         "from": format_jalali(i.from_date), "to": format_jalali(i.to_date),
         "certificate": i.requester_person_id is not None}
        for i, name in s.execute(inquiries)
    ]


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw
