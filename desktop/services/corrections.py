"""Correcting an insurance document line (SPEC §5.2): request, system check, a supervisor's
decision, and — on approval — a new correction document whose line supersedes the original.

Each use case is one transaction: the request with its `request` and `check` ledger entries (and
the scanned form, archived through services.archive); the decision with its `approve`/`reject`
entry and, on approval, the correction document, its line, the person's account recomputed and
the `apply` entry. Every entry writes its audit and outbox row in that same transaction
(services.ledger.append). A refusal writes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import corrections as rules
from desktop.domain.errors import InvalidValue, NotFound, PermissionDenied, Refused
from desktop.domain.jalali import format_jalali
from desktop.domain.roles import allowed
from desktop.domain.text import ascii_digits, persian_digits
from desktop.models import (
    AppUser,
    CorrectionRequest,
    DocumentLine,
    InsuranceDocument,
    LedgerEntry,
    Person,
    Workshop,
    utcnow,
)

from . import ledger
from .account import (
    AccountLine,
    LifetimeTotal,
    line_by_id,
    parse_line_id,
    person_lines,
    recompute_account,
)
from .actor import Actor
from .archive import check_paper, paper_bytes, store_paper
from .store import Store
from .unit import Unit, mutation, reading, to_json

STATUSES = ("open", "approved", "rejected", "applied", "all")


@dataclass(frozen=True)
class ScannedForm:
    """The scanned correction request form (paper kind `correction_form`)."""

    filename: str
    data: bytes
    media_type: str


@dataclass(frozen=True)
class FiledRequest:
    id: uuid.UUID
    status: str
    changes: tuple[tuple[str, Any, Any], ...]  # (field, old, new)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id.hex, "status": self.status,
                "changes": {f: [old, new] for f, old, new in self.changes}}


@dataclass(frozen=True)
class CorrectionView:
    """One request as the list, the queue and the CLI show it."""

    id: uuid.UUID
    status: str  # open | rejected | applied
    line_id: uuid.UUID
    person_id: uuid.UUID | None
    national_code: str | None
    ssn: str | None
    person_name: str
    year: int
    month: int
    changes: tuple[tuple[str, Any, Any], ...]  # (field, old, new) as filed
    reasons: str
    unit: str
    requested_by: str  # username
    requested_by_name: str
    requested_at: str  # Jalali
    decided_by: str | None
    decided_by_name: str | None
    decided_at: str | None
    decision_reason: str | None
    correction_line_id: uuid.UUID | None
    form_identifier: str | None

    @property
    def period(self) -> str:
        return f"{self.year}/{self.month:02d}"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id.hex, "status": self.status, "line_id": self.line_id.hex,
            "national_code": self.national_code, "ssn": self.ssn, "period": self.period,
            "changes": {f: [old, new] for f, old, new in self.changes}, "reasons": self.reasons,
            "unit": self.unit, "requested_by": self.requested_by, "requested_at": self.requested_at}
        if self.decided_by is not None:
            data |= {"decided_by": self.decided_by, "decision_reason": self.decision_reason,
                     "decided_at": self.decided_at}
        if self.correction_line_id is not None:
            data["correction_line_id"] = self.correction_line_id.hex
        if self.form_identifier:
            data["form_identifier"] = self.form_identifier
        return data


@dataclass(frozen=True)
class LedgerStep:
    seq: int
    step: str
    user: str
    at: str  # Jalali date and time
    detail: str  # the reason of a decision, the checks passed, …


@dataclass(frozen=True)
class CorrectionDetail:
    """What a supervisor decides on: the request, the line's history, the ledger's steps."""

    view: CorrectionView
    line: AccountLine  # the line the request is about, as it is now
    history: tuple[AccountLine, ...]  # every version of that month's line, oldest first
    steps: tuple[LedgerStep, ...]
    stale: bool  # the line changed since filing: approval would be refused


@dataclass(frozen=True)
class Decision:
    id: uuid.UUID
    status: str  # rejected | applied
    correction_line_id: uuid.UUID | None
    lifetime: LifetimeTotal | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id.hex, "status": self.status,
                "correction_line_id": self.correction_line_id.hex if self.correction_line_id else None,
                "lifetime": self.lifetime.as_json() if self.lifetime else None}


# --- request -----------------------------------------------------------------------------------

def request_correction(store: Store, actor: Actor, line_id: object, changes: Mapping[str, object],
                       reasons: object, *, unit: object = None, form: ScannedForm | None = None) -> FiledRequest:
    """File a correction of one document line; refused (nothing written) when a check fails."""
    line_key = parse_line_id(line_id)
    why = rules.text_field(reasons, "reason", "دلایل درخواست", 1000, required=True)
    unit_name = rules.text_field(unit, "unit", "واحد درخواست‌کننده", rules.UNIT_MAX, required=False)
    if form is not None:
        check_paper("correction_form", form.filename, form.data, form.media_type)
    with mutation(store, actor, "correction.request") as u:
        session = u.session
        line = line_by_id(session, line_key)
        new = rules.parse_changes(changes, line.year, line.month)
        diff = rules.differences(line.components, new)
        code = new.get("workshop_code")
        known = code is None or session.scalar(select(Workshop.id).where(Workshop.code == code)) is not None
        problems = rules.request_problems(
            in_effect=line.in_effect, open_request=_open_request(session, line_key) is not None,
            workshop_known=known, workshop_code=str(code) if code else None, changes=diff)
        if problems:
            raise Refused(problems)
        person_id = session.scalar(select(DocumentLine.person_id).where(DocumentLine.id == line_key))
        request = CorrectionRequest(
            id=uuid.uuid4(), document_line_id=line_key, person_id=person_id,
            requesting_unit=unit_name or f"شعبه {store.branch_code}",
            components=to_json({f: new_value for f, (_old, new_value) in diff.items()}), reasons=why,
            status="open", requested_by=actor.id, created_at=utcnow(),
            base_fingerprint=_fingerprint(line))
        session.add(request)
        session.flush()
        if form is not None and person_id is not None:
            item = store_paper(u, person_id, "correction_form", form.filename, form.data, form.media_type)
            request.form_identifier = item.identifier
        filed = tuple((f, old, new_value) for f, (old, new_value) in diff.items())
        ledger.append(u, request.id, "request", {
            "line_id": line_key.hex, "period": f"{line.year}/{line.month:02d}",
            "changes": {f: [old, new_value] for f, old, new_value in filed}, "reasons": why,
            "unit": request.requesting_unit, "form": request.form_identifier,
            "base_fingerprint": request.base_fingerprint}, person_id=person_id)
        ledger.append(u, request.id, "check", {"checks": list(rules.CHECKS), "result": "passed"},
                      person_id=person_id)
        return FiledRequest(request.id, request.status, filed)


def _fingerprint(line: AccountLine) -> str:
    return rules.fingerprint(line.line_id.hex, line.document_id.hex, line.components, not line.in_effect)


def _open_request(session: Session, line_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(select(CorrectionRequest.id).where(
        CorrectionRequest.document_line_id == line_id, CorrectionRequest.status == "open").limit(1))


# --- decision and apply -------------------------------------------------------------------------

def approve_correction(store: Store, actor: Actor, request_id: object, reason: object) -> Decision:
    return decide_correction(store, actor, request_id, approve=True, reason=reason)


def reject_correction(store: Store, actor: Actor, request_id: object, reason: object) -> Decision:
    return decide_correction(store, actor, request_id, approve=False, reason=reason)


def decide_correction(store: Store, actor: Actor, request_id: object, *, approve: bool,
                      reason: object) -> Decision:
    """A supervisor's decision with a written reason; approval applies the correction at once."""
    key = _request_id(request_id)
    why = rules.text_field(reason, "reason", "دلیل تصمیم", rules.DECISION_REASON_MAX, required=True)
    with mutation(store, actor, "correction.decide") as u:
        request = u.session.get(CorrectionRequest, key)
        if request is None:
            raise NotFound(f"درخواست اصلاحی با شناسه {key.hex} نیست.", f"no correction request {key.hex}",
                           field="id")
        if request.requested_by == actor.id:
            raise PermissionDenied("درخواست‌کننده نمی‌تواند درباره درخواست خود تصمیم بگیرد (تفکیک وظایف).",
                                   "the user who requested a correction may not decide it (maker ≠ checker)")
        if request.status != "open":
            raise Refused([rules.ALREADY_DECIDED])
        line = line_by_id(u.session, request.document_line_id)
        if approve and _fingerprint(line) != request.base_fingerprint:
            raise Refused([rules.STALE])
        request.decided_by, request.decided_at, request.decision_reason = actor.id, utcnow(), why
        step = "approve" if approve else "reject"
        ledger.append(u, request.id, step, {"decision": step, "reason": why}, person_id=request.person_id)
        if not approve:
            request.status = "rejected"
            return Decision(request.id, "rejected", None, None)
        return _apply(u, request, line)


def _apply(u: Unit, request: CorrectionRequest, line: AccountLine) -> Decision:
    """The correction document: a new document (kind `correction`) referencing the original, with
    one line that supersedes the original line; then the account, then the `apply` entry."""
    session = u.session
    changes = json.loads(request.components)
    new = line.components.with_changes(changes)
    workshop_id = line.workshop_id  # the original document's, unless the workshop is corrected
    if "workshop_code" in changes:
        workshop_id = session.scalar(select(Workshop.id).where(Workshop.code == new.workshop_code))
    document = InsuranceDocument(id=uuid.uuid4(), kind="correction", workshop_id=workshop_id, year=line.year,
                                 month=line.month, branch_code=u.store.branch_code, corrects_id=line.document_id,
                                 created_at=utcnow())
    person_id = request.person_id or line_person(session, line.line_id)
    corrected = DocumentLine(id=uuid.uuid4(), document_id=document.id, person_id=person_id,
                             insurance_number=line.insurance_number, days=new.days, wage=new.wage,
                             rate=new.rate, job=new.job, supersedes_id=line.line_id)
    session.add(document)
    session.flush()  # no ORM relationship orders the inserts: the document before its line
    session.add(corrected)  # flushed by the recompute
    lifetime = recompute_account(session, person_id, {line.year})
    request.status, request.correction_line_id = "applied", corrected.id
    ledger.append(u, request.id, "apply", {
        "correction_document_id": document.id.hex, "correction_line_id": corrected.id.hex,
        "supersedes": line.line_id.hex, "lifetime": lifetime.as_json()}, person_id=person_id)
    return Decision(request.id, "applied", corrected.id, lifetime)


def _request_id(raw: object) -> uuid.UUID:
    if isinstance(raw, uuid.UUID):
        return raw
    text = ascii_digits(raw.strip()).lower() if isinstance(raw, str) and len(raw) <= 64 else ""
    try:
        return uuid.UUID(hex=text)
    except ValueError:
        raise InvalidValue(f"شناسه درخواست «{str(raw)[:40]}» درست نیست (۳۲ نویسه شانزده‌شانزدهی).",
                           f"request id {str(raw)[:40]!r} is not a 32-hex-digit id", field="id") from None


# --- reading ------------------------------------------------------------------------------------

def list_corrections(store: Store, actor: Actor, status: str = "open", *, person_id: uuid.UUID | None = None,
                     waiting_for_me: bool = False) -> tuple[CorrectionView, ...]:
    """Requests by status (`approved`: decided for, all applied at once); `waiting_for_me`: the open
    requests this supervisor may decide (not their own)."""
    if status not in STATUSES:
        raise InvalidValue(f"وضعیت «{status[:20]}» شناخته نیست؛ یکی از {'، '.join(STATUSES)}.",
                           f"unknown status {status[:20]!r}; one of {', '.join(STATUSES)}", field="status")
    with reading(store, actor, "correction.request") as session:
        query = select(CorrectionRequest).order_by(CorrectionRequest.created_at, CorrectionRequest.id)
        wanted = {"approved": "applied"}.get(status, status)
        if wanted != "all":
            query = query.where(CorrectionRequest.status == wanted)
        if person_id is not None:
            query = query.where(CorrectionRequest.person_id == person_id)
        if waiting_for_me:
            query = query.where(CorrectionRequest.status == "open", CorrectionRequest.requested_by != actor.id)
        return tuple(_views(session, list(session.scalars(query))))


def waiting_count(store: Store, actor: Actor) -> int:
    """The navigation's count: open requests this user may decide (0 for other roles)."""
    if not allowed(actor.role, "correction.decide"):
        return 0
    with store.sessions() as session:
        return len(list(session.scalars(select(CorrectionRequest.id).where(
            CorrectionRequest.status == "open", CorrectionRequest.requested_by != actor.id))))


def _views(session: Session, requests: list[CorrectionRequest]) -> list[CorrectionView]:
    if not requests:
        return []
    users = {uid: (name, full) for uid, name, full in session.execute(
        select(AppUser.id, AppUser.username, AppUser.full_name))}
    line_ids = [r.document_line_id for r in requests]
    facts = {lid: (year, month, pid) for lid, year, month, pid in session.execute(
        select(DocumentLine.id, InsuranceDocument.year, InsuranceDocument.month, DocumentLine.person_id)
        .join(InsuranceDocument, InsuranceDocument.id == DocumentLine.document_id)
        .where(DocumentLine.id.in_(line_ids)))}
    persons = {p.id: p for p in session.scalars(select(Person).where(
        Person.id.in_({f[2] for f in facts.values()})))}
    first_entries = {e.request_id: json.loads(e.payload) for e in session.scalars(
        select(LedgerEntry).where(LedgerEntry.request_id.in_([r.id for r in requests]),
                                  LedgerEntry.step == "request"))}
    views = []
    for r in requests:
        year, month, pid = facts[r.document_line_id]
        person = persons.get(pid)
        asked, decided = users.get(r.requested_by or uuid.UUID(int=0)), users.get(r.decided_by or uuid.UUID(int=0))
        filed = first_entries.get(r.id, {}).get("changes")
        changes = tuple((f, old, new) for f, (old, new) in filed.items()) if isinstance(filed, dict) else \
            tuple((f, None, v) for f, v in _components(r.components).items())
        views.append(CorrectionView(
            id=r.id, status=r.status, line_id=r.document_line_id, person_id=pid,
            national_code=person.national_code if person else None, ssn=person.ssn if person else None,
            person_name=f"{person.first_name} {person.last_name}" if person else "", year=year, month=month,
            changes=changes, reasons=r.reasons, unit=r.requesting_unit,
            requested_by=asked[0] if asked else "", requested_by_name=asked[1] if asked else "",
            requested_at=_when(r.created_at), decided_by=decided[0] if decided else None,
            decided_by_name=decided[1] if decided else None,
            decided_at=_when(r.decided_at) if r.decided_at else None, decision_reason=r.decision_reason,
            correction_line_id=r.correction_line_id, form_identifier=r.form_identifier))
    return views


def _components(raw: str) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _when(at: Any) -> str:
    return f"{format_jalali(at.date())} {at:%H:%M}" if at is not None else ""


def correction_detail(store: Store, actor: Actor, request_id: uuid.UUID) -> CorrectionDetail:
    with reading(store, actor, "correction.request") as session:
        request = session.get(CorrectionRequest, request_id)
        if request is None:
            raise NotFound(f"درخواست اصلاحی با شناسه {request_id.hex} نیست.",
                           f"no correction request {request_id.hex}", field="id")
        (view,) = _views(session, [request])
        line = line_by_id(session, request.document_line_id)
        history = tuple(sorted((x for x in person_lines(session, line_person(session, line.line_id))
                                if (x.year, x.month) == (line.year, line.month)),
                               key=lambda x: (x.supersedes is not None, x.line_id.int)))
        users = {uid: full or name for uid, name, full in session.execute(
            select(AppUser.id, AppUser.username, AppUser.full_name))}
        steps = tuple(LedgerStep(e.seq, e.step, users.get(e.user_id, ""), _when(e.at), _step_detail(e))
                      for e in ledger.entries_of(session, request.id))
        stale = request.status == "open" and _fingerprint(line) != request.base_fingerprint
        return CorrectionDetail(view, line, history, steps, stale)


def line_person(session: Session, line_id: uuid.UUID) -> uuid.UUID:
    pid = session.scalar(select(DocumentLine.person_id).where(DocumentLine.id == line_id))
    assert pid is not None
    return pid


def _step_detail(entry: LedgerEntry) -> str:
    payload = _components(entry.payload)
    if entry.step in ("approve", "reject"):
        return str(payload.get("reason", ""))
    if entry.step == "check":
        return "همه بررسی‌ها گذشت" if payload.get("result") == "passed" else ""
    if entry.step == "apply":
        return "سطر اصلاحی جایگزین سطر پیشین شد"
    return str(payload.get("reasons", ""))


def correction_form(store: Store, actor: Actor, request_id: uuid.UUID) -> tuple[str, bytes] | None:
    """The scanned form of a request (file name and bytes), read from the archive."""
    with reading(store, actor, "correction.request") as session:
        identifier = session.scalar(select(CorrectionRequest.form_identifier)
                                    .where(CorrectionRequest.id == request_id))
        if not identifier:
            return None
    # The bytes live in the archive's own storage and are checked against their hash on the way out.
    paper = paper_bytes(store, actor, identifier)
    return paper.filename, paper.data


def describe(field: str, value: Any) -> str:
    """A component's value for people: Persian digits, grouped wage."""
    if value is None:
        return "—"
    if field == "wage" and isinstance(value, int):
        return persian_digits(f"{value:,}").replace(",", "٬")
    return persian_digits(value)
