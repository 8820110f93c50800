"""The audit log as a hash chain, the same way as the inquiry record (hashchain.py).

Each row's `hash` is sha256(prev_hash + canonical JSON of its content). Rows are appended inside
the writer's BEGIN IMMEDIATE transaction, so reading the head cannot race another writer. Several
rows in one transaction chain on each other before any flush: the head is remembered per
transaction in `session.info` (the rows of a rolled-back transaction never reach the file, and a
new transaction reads the head afresh).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import AuditEntry, utcnow

GENESIS = "0" * 64
_HEAD_KEY = "audit_chain_head"


def canonical(entry: AuditEntry) -> str:
    content = {"at": entry.at.isoformat(), "user_id": entry.user_id.hex if entry.user_id else None,
               "action": entry.action, "subject_type": entry.subject_type,
               "subject_id": entry.subject_id, "detail": entry.detail}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def audit_link(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def _head(session: Session) -> str:
    transaction = session.get_transaction()
    cached = session.info.get(_HEAD_KEY)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return str(cached[1])
    with session.no_autoflush:
        last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    return last or GENESIS


def add_audit(session: Session, entry: AuditEntry) -> AuditEntry:
    """Chain `entry` onto the log's head and add it to the session (not flushed)."""
    entry.at = entry.at or utcnow()
    entry.detail = entry.detail if entry.detail is not None else "{}"
    entry.prev_hash = _head(session)
    entry.hash = audit_link(entry.prev_hash, entry)
    session.add(entry)
    session.info[_HEAD_KEY] = (session.get_transaction(), entry.hash)
    return entry


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    problem: str  # broken_link | altered
    fa: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "problem": self.problem, "fa": self.fa}


@dataclass(frozen=True)
class AuditChainWalk:
    entries: int
    head_seq: int
    head: str
    problems: tuple[AuditProblem, ...]
    links: dict[int, str]  # seq → hash, for comparing with headquarters' copy


def walk_audit_chain(session: Session) -> AuditChainWalk:
    problems: list[AuditProblem] = []
    links: dict[int, str] = {}
    prev, seq = GENESIS, 0
    for row in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        if row.prev_hash != prev:
            problems.append(AuditProblem(row.seq, "broken_link",
                                         "پیوند این رویداد با رویداد پیشین گسسته است."))
        if audit_link(row.prev_hash, row) != row.hash:
            problems.append(AuditProblem(row.seq, "altered",
                                         "محتوای این رویداد پس از ثبت تغییر کرده است."))
        links[row.seq] = row.hash
        prev, seq = row.hash, row.seq
    return AuditChainWalk(len(links), seq, prev, tuple(problems), links)


def audit_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest row; (0, "") for an empty log."""
    row = session.execute(select(AuditEntry.seq, AuditEntry.hash)
                          .order_by(AuditEntry.seq.desc()).limit(1)).first()
    return (int(row[0]), str(row[1])) if row else (0, "")
