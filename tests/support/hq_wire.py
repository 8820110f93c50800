"""Building wire documents for headquarters tests (the branch's client builds the same ones)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from desktop.domain.identifiers import ssn_from_serial
from desktop.models.base import uuid7  # what a branch store uses for person and outbox ids
from desktop.sync.wire import (
    WIRE_VERSION,
    ChainHead,
    NumberBlockRef,
    OutgoingChange,
    PersonSnapshot,
    PushBatch,
    RelationshipRecord,
)

_seq = itertools.count(1)
AT = dt.datetime(2026, 9, 6, 9, 30)


def national_code(n: int) -> str:
    """A valid Iranian national code (check digit) from a serial. Reduced modulo a prime below
    10⁹: a serial of ten digits made an eleven-digit "code", which HQ now refuses (hq/guard.py)."""
    body = f"{n % 999_999_937:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body))
    r = total % 11
    return body + str(r if r < 2 else 11 - r)


def snapshot(branch: str, n: int, *, person_id: uuid.UUID | None = None, ssn_serial: int | None = None,
             nc: str | None = None, relationships: list[RelationshipRecord] | None = None,
             **over: Any) -> PersonSnapshot:
    serial = ssn_serial if ssn_serial is not None else int(branch) * 100_000 + n
    data: dict[str, Any] = dict(
        id=person_id or uuid7(), national_code=nc or national_code(int(branch) * 1_000_000 + n),
        foreign_id=None, ssn=ssn_from_serial(serial), first_name="علی", last_name=f"رضایی {n}",
        father_name="حسن", birth_date=dt.date(1990, 1, 1), benefit_birth_date=dt.date(1990, 1, 1),
        gender="male", enrolled_branch=branch, enrolled_at=AT, roles=["main_insured"],
        numbers={"permanent": f"00{int(branch) * 10_000 + n:08d}"},
        relationships=relationships or [])
    data.update(over)
    return PersonSnapshot(**data)


def change(entity: str, entity_id: object, op: str, payload: dict[str, Any] | None = None,
           snap: PersonSnapshot | None = None, change_id: uuid.UUID | None = None) -> OutgoingChange:
    return OutgoingChange(id=change_id or uuid7(), seq=next(_seq), at=AT, entity=entity,
                          entity_id=str(entity_id), op=op, payload=payload or {}, snapshot=snap)


def enrol(snap: PersonSnapshot) -> OutgoingChange:
    return change("person", snap.id, "person.enrol", {"national_code": snap.national_code}, snap)


def batch(branch: str, seq: int, changes: list[OutgoingChange], *, epoch: str = "epoch-0001",
          heads: list[ChainHead] | None = None,
          starter: list[NumberBlockRef] | None = None) -> PushBatch:
    return PushBatch(wire_version=WIRE_VERSION, branch=branch, install_epoch=epoch, batch_seq=seq,
                     changes=changes, chain_heads=heads or [], starter_blocks=starter or [])


def body(b: PushBatch) -> dict[str, Any]:
    return b.model_dump(mode="json")
