"""Dependants (SPEC §3): check, add (one transaction, nothing on refusal), end a link.

Due ends (stored or by rule) and the medical link's handover live in dependant_due.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from desktop.domain.dependants import CHILD_RELATIONS, END_REASONS, Verdict, decide
from desktop.domain.errors import InvalidValue, NotFound, Refused
from desktop.domain.jalali import format_jalali
from desktop.domain.roles import require
from desktop.domain.shapes import shown
from desktop.domain.text import normalise_text, persian_digits
from desktop.models import Person, PersonRole, Relationship, RelationshipPaper

from .actor import Actor
from .archive import check_paper, store_paper
from .dependant_due import due_to_end, pass_medical_link
from .dependant_facts import PaperInput, gather, paper_facts
from .enrolment import current_number, issue_number, new_person
from .numbering import allocate_ssn
from .store import Store
from .unit import Unit, mutation, reading

__all__ = ["DependantResult", "DependencyEnded", "add_dependant", "check_dependant", "due_to_end",
           "end_dependency", "verdict_json"]


@dataclass(frozen=True)
class DependantResult:
    person_id: uuid.UUID
    relationship_id: uuid.UUID
    ssn: str
    central_temporary: str
    relation: str
    start: dt.date
    end: dt.date | None
    end_reason: str | None
    medical_link: bool
    known_before: bool
    papers: list[str] = field(default_factory=list)  # archive identifiers

    def as_json(self) -> dict[str, Any]:
        return {"person_id": str(self.person_id), "relationship_id": str(self.relationship_id), "ssn": self.ssn,
                "central_temporary": self.central_temporary, "relation": self.relation,
                "start": format_jalali(self.start), "end": format_jalali(self.end) or None,
                "end_reason": self.end_reason, "medical_link": self.medical_link,
                "known_before": self.known_before, "papers": self.papers}


@dataclass(frozen=True)
class DependencyEnded:
    relationship_id: uuid.UUID
    end: dt.date
    end_reason: str

    def as_json(self) -> dict[str, str]:
        """CLI.md `dependant end`."""
        return {"relationship_id": str(self.relationship_id), "end": format_jalali(self.end),
                "end_reason": self.end_reason}


def verdict_json(v: Verdict) -> dict[str, Any]:
    return {"eligible": v.eligible, "relation": v.relation, "start": format_jalali(v.start) or None,
            "end": format_jalali(v.end) or None, "end_reason": v.end_reason, "medical_link": v.medical_link,
            "papers_needed": list(v.papers_needed),
            "reasons": [{"rule": r.rule, "fa": r.fa, "en": r.en, "remedy_fa": r.remedy_fa, "papers": list(r.papers)}
                        for r in v.reasons]}


def _request_date(store: Store, request_date: dt.date | None) -> dt.date:
    day = request_date or store.today()
    if day > store.today():
        raise InvalidValue("تاریخ درخواست نمی‌تواند در آینده باشد.", "the request date is in the future",
                           field="request_date")
    return day


def check_dependant(store: Store, actor: Actor, main_national_code: str, candidate_national_code: str,
                    relation: str, *, papers: Iterable[PaperInput] = (), request_date: dt.date | None = None,
                    other_fund: bool = False, soldier: dict[str, Any] | None = None) -> Verdict:
    """The engine's answer without writing anything (the screen's live answer)."""
    day = _request_date(store, request_date)
    with reading(store, actor, "dependant.add") as s:
        facts, *_ = gather(store, s, main_national_code, candidate_national_code, relation,
                           papers=paper_facts(papers), request_date=day, other_fund=other_fund, soldier=soldier)
        return decide(facts)


def add_dependant(store: Store, actor: Actor, main_national_code: str, candidate_national_code: str,
                  relation: str, *, papers: Iterable[PaperInput] = (), request_date: dt.date | None = None,
                  other_fund: bool = False, soldier: dict[str, Any] | None = None) -> DependantResult:
    """Register a dependant; refused → `Refused(reasons)` and nothing is written."""
    papers = list(papers)
    for kind, name, data, media, _attrs in papers:
        check_paper(kind, name, data, media)
    day = _request_date(store, request_date)
    with mutation(store, actor, "dependant.add") as unit:
        facts, main, cand, ident = gather(store, unit.session, main_national_code, candidate_national_code,
                                          relation, papers=paper_facts(papers), request_date=day,
                                          other_fund=other_fund, soldier=soldier)
        verdict = decide(facts)
        if not verdict.eligible:
            raise Refused(list(verdict.reasons))
        return _write(unit, verdict, main, cand, ident, papers)


def _write(unit: Unit, v: Verdict, main: Person, cand: Person | None, ident: Any,
           papers: list[PaperInput]) -> DependantResult:
    s = unit.session
    known = cand is not None and bool(cand.ssn)
    if cand is None:
        cand = new_person(unit.store, ident)
        s.add(cand)
        s.flush()
    if not s.scalar(select(PersonRole.id).where(PersonRole.person_id == cand.id, PersonRole.role == "dependant")):
        s.add(PersonRole(person_id=cand.id, role="dependant", since=v.start))
    if not cand.ssn:
        cand.ssn = allocate_ssn(s)
    ssn = cand.ssn  # known before, or allocated just now
    temporary = current_number(s, cand, "central_temporary") or issue_number(unit, cand, "central_temporary")
    for rid in v.takes_medical_link_from:  # the father's request wins the medical link
        other = s.get(Relationship, uuid.UUID(rid))
        if other is not None:
            other.medical_link = False
            unit.record("dependant.medical_link", "relationship", other.id, {"medical_link": False})
    row = Relationship(person_id=cand.id, type_code=v.relation, start=v.start, end=v.end, end_reason=v.end_reason,
                       insurance_number=temporary.value, branch_code=unit.store.branch_code,
                       main_insured_id=main.id, medical_link=v.medical_link)
    s.add(row)
    s.flush()
    identifiers = []
    for kind, name, data, media, _attrs in papers:
        item = store_paper(unit, cand.id, kind, name, data, media)
        s.add(RelationshipPaper(relationship_id=row.id, archive_item_id=item.id))
        identifiers.append(item.identifier)
    unit.record("dependant.add", "relationship", row.id, {
        "main_insured_ssn": main.ssn, "national_code": cand.national_code, "ssn": cand.ssn,
        "central_temporary": temporary.value, "relation": v.relation, "start": v.start, "end": v.end,
        "end_reason": v.end_reason, "medical_link": v.medical_link, "papers": identifiers, "known_before": known,
    })
    # arg-type: an eligible verdict always has its start (Verdict keeps it optional for refusals).
    return DependantResult(cand.id, row.id, ssn, temporary.value, v.relation, v.start, v.end,  # type: ignore[arg-type]
                           v.end_reason, v.medical_link, known, identifiers)


def end_dependency(store: Store, actor: Actor, relationship_id: uuid.UUID | str, reason: str,
                   end_date: dt.date, note: str = "") -> DependencyEnded:
    """End a dependant link on a day, recording why; a medical link passes to the other parent's link."""
    require(actor.role, "dependant.end")
    if not isinstance(reason, str) or reason not in END_REASONS:
        raise InvalidValue(f"دلیل پایان «{shown(reason)}» شناخته نیست.", f"unknown end reason {shown(reason)!r}",
                           field="reason")
    try:
        rid = uuid.UUID(str(relationship_id))
    except ValueError:
        raise InvalidValue("شناسه ارتباط معتبر نیست.", f"{relationship_id!r} is not a relationship id",
                           field="relationship_id") from None
    with mutation(store, actor, "dependant.end") as unit:
        row = unit.session.get(Relationship, rid)
        if row is None or row.main_insured_id is None:
            raise NotFound(f"ارتباط تبعی {persian_digits(rid)} پیدا نشد.", f"no dependant link {rid}")
        if end_date < row.start:
            raise InvalidValue("تاریخ پایان پیش از شروع ارتباط است.", "end date before the link's start",
                               field="end_date")
        if row.end is not None and end_date > row.end:
            # Ending can only shorten a link: a later end would extend coverage the rules ended.
            raise InvalidValue(
                f"این ارتباط پیش‌تر در {format_jalali(row.end, persian=True)} پایان یافته است؛ "
                "تاریخ پایان را نمی‌توان دیرتر کرد.",
                f"the link already ends on {format_jalali(row.end)}; an end date cannot move later",
                field="end_date")
        old = row.end
        row.end, row.end_reason = end_date, reason
        row.note = normalise_text(note, field="note") or row.note
        # Medical services move to the other parent's link once this one is over; a link ended on
        # a later day keeps them until then (the father's request wins while it lasts).
        if row.medical_link and row.type_code in CHILD_RELATIONS and end_date <= store.today():
            pass_medical_link(unit, row, end_date)
        unit.record("dependant.end", "relationship", row.id, {
            "reason": reason, "end": end_date, "previous_end": old, "note": row.note})
        return DependencyEnded(row.id, end_date, reason)
