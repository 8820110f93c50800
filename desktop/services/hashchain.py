"""The inquiry record's hash chain (SPEC §4.6, DESIGN.md "Storage").

Each `inquiry_record` row's `hash` is sha256(prev_hash + canonical JSON of the row's content),
so altering, removing or reordering any row breaks every link after it. Removing the newest
rows leaves a shorter but valid chain; that is caught against the audit log, which records the
tracking code and hash of every answer in the same transaction (and the outbox sends both to
headquarters, which keeps its own copy).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.roles import require
from desktop.models import AuditEntry, InquiryRecord, OutboxEntry
from desktop.sync.wire import ChainName

from .actor import Actor
from .chain_anchor import HqCopy, compare_with_copy, fetch_copy
from .store import Store
from .unit import reading

GENESIS = "0" * 64
CHAINED_FIELDS = ("tracking_code", "at", "authority_id", "national_code", "person_id", "from_date",
                  "to_date", "state", "user_id", "requester_person_id", "answer")
AUDIT_ACTIONS = ("inquiry.answer", "certificate.issue")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return value.hex
    return value


def canonical(row: InquiryRecord) -> str:
    content = {name: _plain(getattr(row, name)) for name in CHAINED_FIELDS}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link_hash(prev_hash: str, row: InquiryRecord) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode("utf-8")).hexdigest()


def chain_head(session: Session) -> str:
    """The newest hash; read inside the writer's BEGIN IMMEDIATE transaction, so no race."""
    last = session.scalar(select(InquiryRecord.hash).order_by(InquiryRecord.seq.desc()).limit(1))
    return last or GENESIS


def append(session: Session, row: InquiryRecord) -> InquiryRecord:
    row.at = row.at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row.prev_hash = chain_head(session)
    row.hash = link_hash(row.prev_hash, row)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None  # None: the row is gone (known only from the audit log)
    tracking_code: str
    problem: str  # broken_link | altered | missing
    fa: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "tracking_code": self.tracking_code, "problem": self.problem,
                "fa": self.fa}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    records: int
    head: str
    problems: tuple[ChainProblem, ...]
    hq: str = "not_joined"  # compared with HQ's copy | not_joined | unreachable | refused

    def as_json(self) -> dict[str, Any]:
        """CLI `inquiry-chain verify --json`."""
        return {"ok": self.ok, "records": self.records, "head": self.head,
                "problems": [p.as_json() for p in self.problems], "hq": self.hq}


def verify_chain(store: Store, actor: Actor, *, against_hq: bool = True) -> ChainReport:
    """Walk the chain in order; report every broken link and every audited answer that is gone;
    then, when headquarters is reachable, every difference from HQ's copy."""
    require(actor.role, "inquiry.answer")
    hq = fetch_copy(store, ChainName.INQUIRY_RECORD) if against_hq else HqCopy("not_joined")
    with reading(store, actor, "inquiry.answer") as session:
        problems: list[ChainProblem] = []
        prev = GENESIS
        count = 0
        seen: set[str] = set()
        local: dict[int, str] = {}
        keys: dict[int, str] = {}
        for row in session.scalars(select(InquiryRecord).order_by(InquiryRecord.seq)).yield_per(1000):
            count += 1
            seen.add(row.tracking_code)
            local[row.seq], keys[row.seq] = row.hash, row.tracking_code
            if row.prev_hash != prev:
                problems.append(_problem(row, "broken_link", "پیوند این ردیف با ردیف پیشین گسسته است."))
            if link_hash(row.prev_hash, row) != row.hash:
                problems.append(_problem(row, "altered", "محتوای این ردیف پس از ثبت تغییر کرده است."))
            prev = row.hash
        for code in _audited_codes(session) - seen:
            problems.append(ChainProblem(None, code, "missing",
                                         "پاسخی که در گزارش رویدادها ثبت شده در دفتر استعلام‌ها نیست."))
        if hq.copy is not None:
            unsent = frozenset(session.scalars(select(OutboxEntry.entity_id).where(
                OutboxEntry.entity == "inquiry_record", OutboxEntry.acked_at.is_(None))))
            problems += [ChainProblem(f.seq, f.key, f.problem, f.fa) for f in compare_with_copy(
                local, keys, hq.copy, links_complete=True, unsent=unsent)]
        return ChainReport(not problems, count, prev, tuple(problems), hq.state)


def _problem(row: InquiryRecord, kind: str, fa: str) -> ChainProblem:
    return ChainProblem(row.seq, row.tracking_code, kind, fa)


def _audited_codes(session: Session) -> set[str]:
    codes = set()
    for detail in session.scalars(select(AuditEntry.detail).where(AuditEntry.action.in_(AUDIT_ACTIONS))):
        code = json.loads(detail).get("tracking_code")
        if code:
            codes.add(code)
    return codes
