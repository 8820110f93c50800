"""Number leases: disjoint blocks of SSN serials and central temporary numbers (docs/sync.md
"Numbers").

Branch `c` owns SSN serials c·10⁵+1 … c·10⁵+99 999 and central numbers c·10⁴ … c·10⁴+9 999.
A lease is the next 1,000 after every block already leased or recorded in the branch's region,
then from the overflow pool (the regions of codes 9900–9999, which no branch may take). The
same request_id always gets the same lease; the exclusion constraint on number_lease is the
backstop.

Locking (issue 14, a thousand branches): a lease in the branch's own region takes the per-kind
lock SHARED and a per-(kind, branch) lock exclusively, so different branches are granted blocks
at the same time and one branch's leases still come one at a time. Whatever may touch another
branch's numbers — a lease from the overflow pool, recording a starter block (hq/push.py) —
takes the per-kind lock exclusively and so waits for every grant in progress. With one
exclusive per-kind lock for every grant, the first rounds of a thousand branches starting at
once all queued on it (tests/hq/test_concurrency.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, text
from sqlalchemy.exc import IntegrityError

from desktop.sync.wire import Lease, LeaseRequest

from .changelog import LogRow, announce
from .errors import Forbidden, Refused

BLOCK = 1000
OVERFLOW_CODES = range(9900, 10000)
KIND_LOCK = {"ssn": 1, "central_temporary": 2}


@dataclass(frozen=True)
class Region:
    first: int
    last: int


def region(kind: str, code: int) -> Region:
    if kind == "ssn":
        return Region(code * 100_000 + 1, code * 100_000 + 99_999)
    return Region(max(code * 10_000, 1), code * 10_000 + 9_999)


def overflow_pool(kind: str) -> Region:
    return Region(region(kind, OVERFLOW_CODES.start).first, region(kind, OVERFLOW_CODES[-1]).last)


def lock_kind(conn: Connection, kind: str) -> None:
    """Exclusive: no other grant or starter-block check of this kind runs until commit."""
    conn.execute(text("SELECT pg_advisory_xact_lock(2, CAST(:k AS integer))"), {"k": KIND_LOCK[kind]})


def lock_region(conn: Connection, kind: str, branch: int) -> None:
    """The per-kind lock shared (grants in other branches' regions go on), then this branch's
    region of this kind exclusively."""
    conn.execute(text("SELECT pg_advisory_xact_lock_shared(2, CAST(:k AS integer)),"
                      " pg_advisory_xact_lock(CAST(:c AS integer), CAST(:b AS integer))"),
                 {"k": KIND_LOCK[kind], "c": REGION_LOCK_CLASS + KIND_LOCK[kind], "b": branch})


REGION_LOCK_CLASS = 10  # advisory lock class ids 11, 12: (kind, branch code)


def _free_block(conn: Connection, kind: str, where: Region) -> tuple[int, int] | None:
    end = conn.execute(text(
        "SELECT max(last) FROM number_lease WHERE kind = :kind"
        " AND int8range(first, last, '[]') && int8range(:f, :l, '[]')"),
        {"kind": kind, "f": where.first, "l": where.last}).scalar()
    first = where.first if end is None else int(end) + 1
    if first > where.last:
        return None
    return first, min(first + BLOCK - 1, where.last)


def _as_lease(row: Row[Any]) -> Lease:
    return Lease(lease_id=row.id, request_id=row.request_id, kind=row.kind, first=row.first,
                 last=row.last, granted_at=row.granted_at)


class _RegionUsedUp(Exception):
    """The branch's own region has no free block: start again holding the per-kind lock."""


def grant(engine: Engine, branch: str, request: LeaseRequest) -> Lease:
    try:
        try:
            return _grant(engine, branch, request, whole_kind=False)
        except _RegionUsedUp:
            # Not an upgrade of the shared lock inside one transaction: two such upgrades
            # would deadlock each other. The first transaction wrote nothing.
            return _grant(engine, branch, request, whole_kind=True)
    except IntegrityError:
        # Two branches sent the same request id at the same moment (each holding only its own
        # region's lock): the first one's lease is in now, and the next attempt finds it.
        return _grant(engine, branch, request, whole_kind=True)


def _grant(engine: Engine, branch: str, request: LeaseRequest, *, whole_kind: bool) -> Lease:
    with engine.begin() as conn:
        if whole_kind:
            lock_kind(conn, request.kind)
        else:
            lock_region(conn, request.kind, int(branch))
        existing = conn.execute(text("SELECT * FROM number_lease WHERE request_id = :r"),
                                {"r": request.request_id}).first()
        if existing is not None:
            if existing.branch != branch:
                raise Forbidden("این شناسه درخواست از آن شعبه دیگری است.",
                                f"request {request.request_id} belongs to another branch")
            if existing.kind != request.kind:
                raise Refused("این شناسه درخواست پیش‌تر برای نوع دیگری از شماره به کار رفته است.",
                              f"request {request.request_id} was for {existing.kind} numbers")
            return _as_lease(existing)
        block = _free_block(conn, request.kind, region(request.kind, int(branch)))
        if block is None:  # the region is used up: the shared pool, one grant at a time
            if not whole_kind:
                raise _RegionUsedUp
            block = _free_block(conn, request.kind, overflow_pool(request.kind))
        if block is None:
            raise Refused("شماره‌ای برای واگذاری نمانده است.",
                          f"no {request.kind} numbers left to lease", field="kind")
        row = conn.execute(text(
            "INSERT INTO number_lease (id, branch, install_epoch, request_id, kind, first, last,"
            " source) VALUES (:id, :b, :e, :r, :k, :f, :l, 'lease') RETURNING *"),
            {"id": uuid.uuid4(), "b": branch, "e": request.install_epoch, "r": request.request_id,
             "k": request.kind, "f": block[0], "l": block[1]}).one()
        lease = _as_lease(row)
        # Pulled too: a branch whose answer was lost still learns of its block.
        announce(conn, [LogRow("lease", str(lease.lease_id), lease.model_dump(mode="json"),
                               audience=branch)])
        return lease
