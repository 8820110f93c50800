"""The correction ledger (دفتر اصلاح سند بیمه‌ای, SPEC §5.2): append-only and hash-chained.

Each entry's `hash` is sha256(prev_hash + canonical JSON of its seq, request, step, user, time
and payload), so an altered entry no longer matches its hash and a removed or inserted one
breaks the next link. What the links alone cannot show is anchored twice:
- `ledger_head` (one row, written in the same transaction as every entry) holds the newest
  seq, hash and the number of entries: a deleted last entry, or one appended behind the
  services' back (even with a well-made hash), no longer matches it;
- every entry is named (seq and hash) in the audit row of its step, itself hash-chained, and
  the ledger's head goes to headquarters with every sync batch (DESIGN.md "Tamper evidence"):
  when HQ is reachable its copy is compared too.
`verify_ledger` names the first bad entry.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.roles import require
from desktop.models import AuditEntry, LedgerEntry, LedgerHead, utcnow
from desktop.sync.wire import ChainName

from .actor import Actor
from .chain_anchor import HqCopy, compare_with_copy, fetch_copy
from .store import Store
from .unit import Unit, to_json

GENESIS = "0" * 64
AUDIT_PREFIX = "correction."


def canonical(entry: LedgerEntry) -> str:
    content = {"seq": entry.seq, "request_id": entry.request_id.hex, "step": entry.step,
               "user_id": entry.user_id.hex, "at": entry.at.isoformat(), "payload": entry.payload}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link_hash(prev_hash: str, entry: LedgerEntry) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def _head(session: Session) -> LedgerHead:
    with session.no_autoflush:  # the pending rows of this step need no flush to read the anchor
        head = session.get(LedgerHead, 1)
    if head is None:  # a store made before any entry and without the anchor row
        head = LedgerHead(id=1, seq=0, hash="", entries=0)
        session.add(head)
    return head


def append(unit: Unit, request_id: uuid.UUID, step: str, payload: dict[str, Any],
           *, person_id: uuid.UUID | None = None) -> LedgerEntry:
    """One step into the ledger, with its audit row (naming the entry) and its outbox row, in the
    caller's transaction (the writer's BEGIN IMMEDIATE: reading the head cannot race)."""
    session = unit.session
    head = _head(session)
    entry = LedgerEntry(seq=head.seq + 1, request_id=request_id, step=step, user_id=unit.actor.id,
                        at=utcnow(), payload=to_json(payload), prev_hash=head.hash or GENESIS)
    entry.hash = link_hash(entry.prev_hash, entry)
    session.add(entry)
    head.seq, head.hash, head.entries = entry.seq, entry.hash, head.entries + 1
    record = {"request_id": request_id.hex, "step": step, "ledger_seq": entry.seq,
              "ledger_hash": entry.hash, "prev_hash": entry.prev_hash, "at": entry.at,
              "user_id": unit.actor.id.hex, "payload": payload}
    if person_id is not None:
        record["person_id"] = person_id.hex
    unit.record(AUDIT_PREFIX + step, "correction_request", request_id, record)
    return entry


@dataclass(frozen=True)
class LedgerProblem:
    seq: int
    problem: str  # missing | inserted | broken_link | altered | head_mismatch | HQ's findings
    fa: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "problem": self.problem, "fa": self.fa}


@dataclass(frozen=True)
class LedgerReport:
    ok: bool
    entries: int
    head: str
    problems: tuple[LedgerProblem, ...]
    hq: str = "not_joined"  # compared | not_joined | unreachable | refused

    @property
    def first_bad(self) -> LedgerProblem | None:
        return min(self.problems, key=_rank) if self.problems else None

    def as_json(self) -> dict[str, Any]:
        """CLI `ledger verify --json`."""
        first = self.first_bad
        return {"ok": self.ok, "entries": self.entries, "head": self.head, "hq": self.hq,
                "first_bad": None if first is None else {"seq": first.seq, "problem": first.problem,
                                                         "fa": first.fa},
                "problems": [p.as_json() for p in self.problems]}


# Several findings on one entry: the one that explains the others is named first.
_PRIORITY = ("missing", "inserted", "broken_link", "altered", "head_mismatch")


def _rank(p: LedgerProblem) -> tuple[int, int]:
    return p.seq, _PRIORITY.index(p.problem) if p.problem in _PRIORITY else len(_PRIORITY)


ALTERED = "محتوای این ردیف دفتر پس از ثبت تغییر کرده است."
BROKEN = "پیوند این ردیف با ردیف پیشین گسسته است (ردیفی پیش از آن حذف یا جابه‌جا شده است)."
MISSING = "این ردیف در گزارش رویدادها یا نشانگر سر دفتر ثبت شده ولی در دفتر نیست: حذف شده است."
INSERTED = "این ردیف بیرون از سامانه افزوده شده است: نه در نشانگر سر دفتر هست و نه در گزارش رویدادها."
NOT_AUDITED = "این ردیف در گزارش رویدادها نیست: بیرون از سامانه افزوده یا بازنویسی شده است."
HEAD = "نشانگر سر دفتر با آخرین ردیف دفتر یکسان نیست."


def verify_ledger(store: Store, actor: Actor, *, against_hq: bool = True) -> LedgerReport:
    require(actor.role, "correction.decide")
    hq = fetch_copy(store, ChainName.CORRECTION_LEDGER) if against_hq else HqCopy("not_joined")
    with store.sessions() as session:
        problems, links, prev = _walk(session)
        problems += _against_anchors(session, links, prev)
    if hq.copy is not None:
        problems += [LedgerProblem(f.seq, f.problem, f.fa)
                     for f in compare_with_copy(links, {}, hq.copy, links_complete=False)]
    unique = {(p.seq, p.problem): p for p in problems}
    ordered = tuple(sorted(unique.values(), key=_rank))
    return LedgerReport(not ordered, len(links), prev, ordered, hq.state)


def _walk(session: Session) -> tuple[list[LedgerProblem], dict[int, str], str]:
    problems: list[LedgerProblem] = []
    links: dict[int, str] = {}
    prev, last_seq = GENESIS, 0
    for row in session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).yield_per(1000):
        if row.prev_hash != prev or row.seq != last_seq + 1:
            problems.append(LedgerProblem(row.seq, "broken_link", BROKEN))
        if link_hash(row.prev_hash, row) != row.hash:
            problems.append(LedgerProblem(row.seq, "altered", ALTERED))
        links[row.seq] = row.hash
        prev, last_seq = row.hash, row.seq
    return problems, links, prev


def _against_anchors(session: Session, links: dict[int, str], last_hash: str) -> list[LedgerProblem]:
    problems: list[LedgerProblem] = []
    audited = _audited(session)
    steps = {seq: (rid.hex, step) for seq, rid, step in session.execute(
        select(LedgerEntry.seq, LedgerEntry.request_id, LedgerEntry.step))}
    for seq in sorted(set(audited) - set(links)):
        problems.append(LedgerProblem(seq, "missing", MISSING))
    for seq, link in sorted(links.items()):
        known = audited.get(seq)
        if known is None or known[1] != steps.get(seq):
            # Not written by the services: no audit row names this request's step at this place.
            problems.append(LedgerProblem(seq, "inserted", NOT_AUDITED))
        elif known[0] != link:
            problems.append(LedgerProblem(seq, "altered", ALTERED))
    head = session.get(LedgerHead, 1)
    last_seq = max(links, default=0)
    if head is not None and (head.seq, head.hash or GENESIS) != (last_seq, last_hash):
        if head.seq > last_seq:
            problems.append(LedgerProblem(last_seq + 1, "missing", MISSING))
        elif head.seq < last_seq:
            problems.append(LedgerProblem(head.seq + 1, "inserted", INSERTED))
        else:
            problems.append(LedgerProblem(last_seq, "head_mismatch", HEAD))
    return problems


def _audited(session: Session) -> dict[int, tuple[str, tuple[str, str]]]:
    """seq → (hash, (request id, step)) of every ledger entry the audit log names."""
    found: dict[int, tuple[str, tuple[str, str]]] = {}
    rows = session.scalars(select(AuditEntry.detail).where(AuditEntry.action.like(AUDIT_PREFIX + "%")))
    for detail in rows:
        data = json.loads(detail)
        seq, link = data.get("ledger_seq"), data.get("ledger_hash")
        if isinstance(seq, int) and isinstance(link, str):
            found[seq] = (link, (str(data.get("request_id")), str(data.get("step"))))
    return found


def entries_of(session: Session, request_id: uuid.UUID) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.request_id == request_id)
                                .order_by(LedgerEntry.seq)))
