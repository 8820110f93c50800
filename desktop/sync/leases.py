"""Number leases (docs/sync.md "Numbers"): ask HQ for the next block while 200 numbers are still
left, so the counter never waits for one.

Asking is two-phase and idempotent: a `lease_request` row is committed first (its id goes to HQ,
which answers the same id with the same block), then the block is inserted with its lease id and
the request deleted in one transaction. A crash between the two leaves the request, which the
next round asks again — or a pulled lease row settles it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import get_args

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from desktop.models import LeaseRequest, NumberBlock

from . import wire
from .client import HqClient
from .local import BranchStore, put_setting, read_only, setting
from .pull import store_lease

LOW_WATER = 200
KINDS: tuple[wire.NumberKind, ...] = get_args(wire.NumberKind)


@dataclass(frozen=True)
class LeaseLeft:
    ssn_left: int
    central_left: int

    def as_json(self) -> dict[str, int]:
        return {"ssn_left": self.ssn_left, "central_left": self.central_left}


def numbers_left(session: Session, kind: str) -> int:
    left = session.scalar(select(func.sum(NumberBlock.last - NumberBlock.next + 1))
                          .where(NumberBlock.kind == kind, NumberBlock.next <= NumberBlock.last))
    return int(left or 0)


def lease_left(session: Session) -> LeaseLeft:
    return LeaseLeft(numbers_left(session, "ssn"), numbers_left(session, "central_temporary"))


def pending_request(session: Session, kind: str) -> uuid.UUID:
    """The request already asked for this kind, or a new one (the caller commits it)."""
    existing = session.scalar(select(LeaseRequest.request_id).where(LeaseRequest.kind == kind)
                              .order_by(LeaseRequest.asked_at).limit(1))
    if existing is not None:
        return existing
    request = LeaseRequest(request_id=uuid.uuid4(), kind=kind)
    session.add(request)
    return request.request_id


def renew_leases(store: BranchStore, client: HqClient) -> int:
    """Lease a block for every kind below the low-water mark; returns the blocks received."""
    received = 0
    with store.sessions() as s:  # a reader's look first: most rounds need no lease
        read_only(s)
        low = [kind for kind in KINDS if numbers_left(s, kind) < LOW_WATER]
    for kind in low:
        for _ in range(3):  # one block of 1,000 lifts any kind above 200; never loop on HQ
            with store.sessions() as s, s.begin():
                if numbers_left(s, kind) >= LOW_WATER:
                    break
                ask = wire.LeaseRequest(request_id=pending_request(s, kind), kind=kind,
                                        install_epoch=setting(s, "install_epoch"))
            lease = client.lease(ask)
            with store.sessions() as s, s.begin():
                received += store_lease(s, lease)
    return received


def lease_first_blocks(client: HqClient, install_epoch: str) -> list[wire.Lease]:
    """For `init --hq`: one block of each kind before the store exists (nothing is created if HQ
    cannot be reached; a block leased for a store whose creation then fails is only a gap)."""
    return [client.lease(wire.LeaseRequest(request_id=uuid.uuid4(), kind=kind, install_epoch=install_epoch))
            for kind in KINDS]


def start_new_epoch(session: Session) -> str:
    """A store restored from a backup: a new install epoch, every block it held abandoned (its
    former self may have handed those numbers out), pending requests forgotten."""
    epoch = secrets.token_hex(8)
    put_setting(session, "install_epoch", epoch)
    session.execute(update(NumberBlock).where(NumberBlock.next <= NumberBlock.last)
                    .values(next=NumberBlock.last + 1, source="abandoned"))
    session.execute(delete(LeaseRequest))
    return epoch
