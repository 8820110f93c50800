"""One sync round (docs/sync.md): push until the outbox is empty or a batch fails, pull until HQ
says there is no more, renew number leases; the round is recorded in `sync_round`.

Each step commits on its own, so a round stopped anywhere — cancelled, offline, killed — loses
nothing: the next round starts where this one stopped. `cancel` is asked between batches and
pages, never in the middle of one.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop.domain.errors import DomainError
from desktop.models import OutboxEntry, SyncRound, utcnow

from . import wire
from .client import HqClient, HqRefused, HqUnreachable
from .faults import batch_limit, checkpoint
from .leases import LeaseLeft, lease_left, renew_leases
from .local import BranchStore, read_only, sync_state
from .outbox import (
    OutgoingBatch,
    ReadAhead,
    build_batch,
    has_unassigned,
    mark_acknowledged,
    new_batch,
    open_batches,
    pending_count,
    read_ahead,
)
from .pull import apply_page
from .recovery import recover, recovery_pending

Progress = Callable[[str, int], None]  # (stage, count so far)


class SyncCancelled(DomainError):
    exit_code = 3


@dataclass(frozen=True)
class SyncReport:
    outcome: str  # ok | offline | refused | cancelled
    pushed: int
    pulled: int
    quarantined: int
    pending: int
    lease: LeaseLeft
    leases_received: int = 0
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        """`branch-desk sync --json` (CLI.md)."""
        return {"pushed": self.pushed, "pulled": self.pulled, "quarantined": self.quarantined,
                "pending": self.pending, "lease": self.lease.as_json(), "outcome": self.outcome}


@dataclass
class _Tally:
    pushed: int = 0
    pulled: int = 0
    quarantined: int = 0
    leases: int = 0
    started: dt.datetime = field(default_factory=utcnow)


def _never() -> bool:
    return False


def sync_round(store: BranchStore, client: HqClient, *, cancel: Callable[[], bool] = _never,
               progress: Progress | None = None) -> SyncReport:
    """Raises HqUnreachable (exit 6), HqRefused or SyncCancelled after recording the round."""
    tally = _Tally()
    try:
        if recovery_pending(store):  # a store restored from a backup: before anything is pushed
            recover(store, client)
        _push_all(store, client, tally, cancel, progress)
        _pull_all(store, client, tally, cancel, progress)
        tally.leases = renew_leases(store, client)
    except HqUnreachable as exc:
        _record(store, tally, "offline", exc.en)
        raise
    except HqRefused as exc:
        _record(store, tally, "refused", exc.en)
        raise
    except SyncCancelled as exc:
        _record(store, tally, "cancelled", exc.en)
        raise
    return _record(store, tally, "ok", None)


def _check(cancel: Callable[[], bool]) -> None:
    if cancel():
        raise SyncCancelled("همگام‌سازی لغو شد؛ آنچه فرستاده شده بود محفوظ است.",
                            "sync cancelled; what was sent stays sent")


@dataclass(frozen=True)
class _InFlight:
    batch: OutgoingBatch
    answer: Future[wire.PushAck]


def _push_all(store: BranchStore, client: HqClient, tally: _Tally, cancel: Callable[[], bool],
              progress: Progress | None) -> None:
    """Up to wire.MAX_IN_FLIGHT batches are on their way at once, each sent from its own worker
    thread: HQ reads and checks the next batch while it applies the previous one (in order: each
    names the batch before it, after_batch_seq), and this thread meanwhile reads and encodes the
    one after. Acknowledgements are taken in order."""
    with ThreadPoolExecutor(max_workers=wire.MAX_IN_FLIGHT, thread_name_prefix="hq-push") as sender:
        flight: deque[_InFlight] = deque()
        ahead: ReadAhead | None = None
        with store.sessions() as s:  # batches a crash or a failed round left open go first
            reopened = open_batches(read_only(s))
        while True:
            if cancel():
                _drain(store, flight, tally)  # what is on its way is acknowledged first
                _check(cancel)
            while len(flight) < wire.MAX_IN_FLIGHT:
                batch_seq = reopened.pop(0) if reopened else _next_batch(store)
                if batch_seq is None:
                    break
                earlier = flight[-1].batch.batch_seq if flight else None
                with store.sessions() as s:
                    batch = build_batch(s, store.branch_code, batch_seq, ahead, earlier)
                ahead = None
                checkpoint("after_build")
                before = flight[-1].answer if flight else None
                flight.append(_InFlight(batch, sender.submit(_send, client, batch.body, before)))
            if not flight:
                return
            with store.sessions() as s:
                ahead = read_ahead(s, batch_limit())
            _take_oldest(store, flight, tally)
            if progress is not None:
                progress("push", tally.pushed)


def _next_batch(store: BranchStore) -> int | None:
    with store.sessions() as s:  # a reader's look first: an idle round takes no write lock
        if not has_unassigned(read_only(s)):
            return None
    with store.sessions() as s, s.begin():
        return new_batch(s, batch_limit())


def _send(client: HqClient, body: bytes, before: Future[wire.PushAck] | None) -> wire.PushAck:
    """On a sender thread. HQ refuses a batch that overtook the one before it on the way (409
    earlier_batch_pending): this thread waits for that one's answer and sends the batch again at
    once — retried later by the main thread instead, every following batch overtook its
    predecessor's resend in turn and went up twice (found in review)."""
    try:
        return client.push_body(body)
    except HqRefused as refused:
        if refused.code != wire.EARLIER_BATCH_PENDING or before is None:
            raise
    before.result()  # its failure is the round's failure, raised in order by _take_oldest
    return client.push_body(body)


def _take_oldest(store: BranchStore, flight: deque[_InFlight], tally: _Tally) -> None:
    """Wait for the oldest batch's acknowledgement and mark its rows."""
    oldest = flight.popleft()
    _acknowledged(store, oldest.batch.batch_seq, oldest.answer.result(), tally)


def _drain(store: BranchStore, flight: deque[_InFlight], tally: _Tally) -> None:
    while flight:
        _take_oldest(store, flight, tally)


def _acknowledged(store: BranchStore, batch_seq: int, ack: wire.PushAck, tally: _Tally) -> None:
    if ack.batch_seq != batch_seq:
        raise HqUnreachable("پاسخ ستاد با بسته فرستاده‌شده نمی‌خواند؛ دوباره فرستاده می‌شود.",
                            f"headquarters acknowledged batch {ack.batch_seq}, not {batch_seq}",
                            field="hq")
    checkpoint("after_ack_before_mark")
    with store.sessions() as s, s.begin():
        marked = mark_acknowledged(s, batch_seq, ack)
    tally.pushed += marked.acknowledged
    tally.quarantined += marked.quarantined


def _pull_all(store: BranchStore, client: HqClient, tally: _Tally, cancel: Callable[[], bool],
              progress: Progress | None) -> None:
    for _ in range(100_000):  # a bound, not a limit: 100 million rows
        _check(cancel)
        with store.sessions() as s:
            after = sync_state(s).pull_cursor
        page = client.changes(after, wire.MAX_PULL_PAGE)
        checkpoint("mid_pull")
        if not page.changes and page.cursor == after:
            return  # nothing new: no write transaction
        with store.sessions() as s, s.begin():
            applied = apply_page(s, after, page)
        tally.pulled += applied or 0
        if progress is not None:
            progress("pull", tally.pulled)
        if not page.more or page.cursor == after:
            return


def _record(store: BranchStore, tally: _Tally, outcome: str, error: str | None) -> SyncReport:
    now = utcnow()
    with store.sessions() as s, s.begin():
        s.add(SyncRound(started_at=tally.started, finished_at=now, outcome=outcome, pushed=tally.pushed,
                        pulled=tally.pulled, quarantined=tally.quarantined, error=error))
        state = sync_state(s)
        state.last_attempt_at = tally.started
        state.last_error = error
        if outcome == "ok":
            state.last_success_at = now
        _prune(s, now, pushed=tally.pushed > 0)
        pending = pending_count(s)
        left = lease_left(s)
    return SyncReport(outcome, tally.pushed, tally.pulled, tally.quarantined, pending, left,
                      tally.leases, error)


KEEP_ACKED = dt.timedelta(days=30)  # acknowledged outbox rows, for support to look at
KEEP_ROUNDS = 1000  # history rows (a round every 5 minutes: three and a half days)


def _prune(session: Session, now: dt.datetime, *, pushed: bool) -> None:
    """The outbox does not grow for ever: rows HQ acknowledged a month ago go (HQ holds them;
    a refused one is kept in the quarantine list). Only after a round that pushed, so an idle
    round stays cheap."""
    if pushed:
        session.execute(delete(OutboxEntry).where(OutboxEntry.acked_at < now - KEEP_ACKED))
    cutoff = (select(SyncRound.started_at).order_by(SyncRound.started_at.desc())
              .offset(KEEP_ROUNDS).limit(1).scalar_subquery())
    session.execute(delete(SyncRound).where(SyncRound.started_at <= cutoff))


@dataclass
class Backoff:
    """For the periodic caller: 1 s, 2 s, 4 s … after failures, capped at the sync interval."""

    interval: float
    failures: int = 0

    def next_delay(self) -> float:
        if self.failures == 0:
            return self.interval
        return float(min(2 ** (self.failures - 1), self.interval))

    def succeeded(self) -> None:
        self.failures = 0

    def failed(self) -> None:
        self.failures += 1
