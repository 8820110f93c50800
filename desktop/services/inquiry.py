"""Answering an inquiry of insurance relationship (SPEC §4): read the facts, let the pure engine
answer, record the answer with a fresh tracking code in the hash chain — one transaction."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.db.person_queries import person_record
from desktop.domain import identifiers
from desktop.domain.errors import InvalidValue, NotFound
from desktop.domain.inquiry import (
    AuthorityFacts,
    BranchRef,
    InquiryAnswer,
    Period,
    PersonFacts,
    RelationshipFact,
    Requester,
    answer,
    parse_period,
)
from desktop.domain.letters import letter_digest
from desktop.domain.text import normalise_identifier
from desktop.domain.tracking import make_tracking_code
from desktop.models import Authority, InquiryRecord, Person, PersonalInfo, TrackingSerial, Workshop

from . import hashchain
from .actor import Actor
from .store import Store
from .unit import Unit, mutation


@dataclass(frozen=True)
class Recorded:
    answer: InquiryAnswer
    record: InquiryRecord
    person_id: uuid.UUID | None


# Called inside the transaction, before commit, with the answer (and, for a certificate, who
# asked, passcode included) — e.g. to write the PDF to a temporary file. If it raises, the
# record is rolled back with it.
Deliver = Callable[[InquiryAnswer, Requester | None], None]


def answer_inquiry(store: Store, actor: Actor, authority_code: str, national_code: str,
                   from_date: Any = None, to_date: Any = None, *, deliver: Deliver | None = None) -> InquiryAnswer:
    """Answer as that authority asked, record it, and return the answer (CLI.md "Inquiry")."""
    nc = identifiers.national_code(national_code)
    period = parse_period(from_date, to_date)
    with mutation(store, actor, "inquiry.answer") as unit:
        result = record_answer(unit, authority_code, nc, period, action="inquiry.answer").answer
        if deliver is not None:
            deliver(result, None)
        return result


def record_answer(unit: Unit, authority_code: str, nc: str, period: Period | None, *, action: str,
                  requester_id: uuid.UUID | None = None) -> Recorded:
    """Shared by inquiries and certificates: answer, tracking code, chain link, audit + outbox."""
    session, store = unit.session, unit.store
    authority = find_authority(session, authority_code)
    facts, person_id = person_facts(session, nc, with_contacts=authority.group == "judicial")
    code = make_tracking_code(store.branch_code, next_serial(session, store.branch_code))
    result = replace(
        answer(nc, facts, AuthorityFacts(authority.code, authority.name, authority.group),
               store.today(), period, tracking_code=code),
        branch=BranchRef(store.branch_code, store.branch_name))
    row = hashchain.append(session, InquiryRecord(
        tracking_code=code, authority_id=authority.id, national_code=nc, person_id=person_id,
        from_date=period.start if period else None, to_date=period.end if period else None,
        state=result.state, user_id=unit.actor.id, requester_person_id=requester_id,
        answer=result.stored_text(),
    ))
    result = _seal(result, row)
    # The audit row stays small (no addresses); headquarters gets the whole record.
    unit.audit(action, "inquiry_record", code, tracking_code=code, state=result.state,
               authority=authority.code, national_code=nc, hash=row.hash)
    unit.outbox("inquiry_record", code, action, {
        "tracking_code": code, "seq": row.seq, "at": row.at, "authority": authority.code,
        "national_code": nc, "state": row.state, "user": unit.actor.username, "answer": row.answer,
        "from_date": row.from_date, "to_date": row.to_date, "requester_person_id": requester_id,
        "prev_hash": row.prev_hash, "hash": row.hash,
    })
    return Recorded(result, row, person_id)


def find_authority(session: Session, code: str) -> Authority:
    code = normalise_identifier(code or "", field="authority")
    if not code:
        raise InvalidValue("مرجع استعلام‌کننده را انتخاب کنید.", "the asking authority is required", field="authority")
    authority = session.scalar(select(Authority).where(Authority.code == code))
    if authority is None:
        raise NotFound(f"مرجعی با کد «{code}» ثبت نشده است.", f"no authority {code!r}", field="authority")
    if not authority.active:
        raise InvalidValue(f"تفاهم‌نامه مرجع «{authority.name}» فعال نیست.", f"authority {code} is inactive",
                           field="authority")
    return authority


def next_serial(session: Session, branch_code: str) -> int:
    """Advance the branch's serial inside the caller's write transaction (BEGIN IMMEDIATE)."""
    serial = session.get(TrackingSerial, branch_code)
    if serial is None:
        session.add(TrackingSerial(branch_code=branch_code, next_serial=2))
        session.flush()
        return 1
    value = serial.next_serial
    session.execute(update(TrackingSerial).where(TrackingSerial.branch_code == branch_code)
                    .values(next_serial=value + 1))
    serial.next_serial = value + 1
    return value


def person_facts(session: Session, nc: str, *, with_contacts: bool) -> tuple[PersonFacts | None, uuid.UUID | None]:
    """The engine's input. Contacts are read only for judicial askers; the engine decides the rest."""
    raw = person_record(session.connection(), national_code=nc)
    if raw is None:
        return None, None
    personal = raw["personal"] if with_contacts else {}
    rels = tuple(_relationship_fact(session, r, with_contacts) for r in raw["relationships"])
    facts = PersonFacts(name=f"{raw['first_name']} {raw['last_name']}", gender=raw["gender"],
                        address=personal.get("address"), phone=_phone(personal), relationships=rels)
    return facts, uuid.UUID(str(raw["id"]))


def _phone(personal: dict[str, Any]) -> str | None:
    return personal.get("phone") or personal.get("mobile")


def _relationship_fact(session: Session, r: dict[str, Any], with_contacts: bool) -> RelationshipFact:
    fact = RelationshipFact(
        start=_day(r["start"]), end=_day(r["end"]) if r["end"] else None, type_code=r["type_code"],
        category=r["category"], insurance_number=r["insurance_number"], branch=r["branch_code"],
        workshop_name=r["workshop_name"],
    )
    if not with_contacts:
        return fact
    extra: dict[str, Any] = {}
    if r["workshop_code"]:
        extra["workshop_address"] = session.scalar(select(Workshop.address).where(Workshop.code == r["workshop_code"]))
    if r["main_insured_ssn"]:
        main = session.scalar(select(Person).where(Person.ssn == r["main_insured_ssn"]))
        info = session.get(PersonalInfo, main.id) if main else None
        extra["main_insured_name"] = f"{r['main_first_name']} {r['main_last_name']}"
        extra["main_insured_address"] = info.address if info else None
        extra["main_insured_phone"] = (info.phone or info.mobile) if info else None
    return RelationshipFact(**{**fact.__dict__, **extra})


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _seal(answer_: InquiryAnswer, record: InquiryRecord) -> InquiryAnswer:
    """`digest` is the letter's short QR digest (desktop.domain.letters); `record_hash` the chain link."""
    return replace(answer_, digest=letter_digest(answer_), record_hash=record.hash)


def stored_answer(record: InquiryRecord) -> InquiryAnswer:
    """The answer exactly as given (for re-printing and for verification). The record's text
    itself is what the chain hashes; it is read here, never rewritten."""
    return _seal(InquiryAnswer.from_json(json.loads(record.answer)), record)

