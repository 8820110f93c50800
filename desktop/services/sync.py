"""Headquarters sync, the use cases: run a round, the status the screens and `sync status` show,
the quarantine list (supervisors), and joining a new store to headquarters (`init --hq`).

Who may sync: a person with `sync.run` from the screen; a scheduler or the application's own
periodic round with no person at all (`actor=None`) — the branch token stored in the store is
the credential, and a round only moves changes already committed by signed-in users.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from desktop.domain import identifiers
from desktop.domain.errors import InvalidValue
from desktop.domain.roles import require
from desktop.models import SyncConflict, SyncQuarantine, SyncRound
from desktop.sync import wire
from desktop.sync.client import (
    CONNECT_TIMEOUT,
    HqClient,
    HqRefused,
    HqUnreachable,
    check_hq_url,
    check_token,
)
from desktop.sync.leases import LeaseLeft, lease_first_blocks, lease_left
from desktop.sync.local import put_setting, sync_state
from desktop.sync.outbox import pending_count, quarantined_count
from desktop.sync.round import Progress, SyncReport, sync_round

from .actor import Actor
from .admin import FirstBlock, branch_facts, init_store_with
from .demo_outbox import announce_demo_people
from .numbering import starter_blocks
from .store import Store
from .sync_lock import one_round

HQ_URL = "hq_url"
HQ_TOKEN = "hq_token"
RECENT_ROUNDS = 20


class NotJoined(InvalidValue):
    """No headquarters address or token, given or stored."""


def hq_client(store: Store, url: str | None = None, token: str | None = None, *,
              connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float | None = None) -> HqClient:
    """A client for the URL/token given, else those stored by `init --hq`."""
    url = url or store.settings.get(HQ_URL, "")
    token = token or store.settings.get(HQ_TOKEN, "")
    if not url or not token:
        raise NotJoined("این شعبه به ستاد وصل نشده است؛ نشانی و توکن ستاد را بدهید (--hq و --token).",
                        "this store has no headquarters address and token; give --hq URL --token T",
                        field="hq")
    return HqClient(url, token, connect_timeout=connect_timeout, read_timeout=read_timeout)


def is_joined(store: Store) -> bool:
    return bool(store.settings.get(HQ_URL) and store.settings.get(HQ_TOKEN))


def sync_now(store: Store, actor: Actor | None, *, url: str | None = None, token: str | None = None,
             cancel: Callable[[], bool] | None = None, progress: Progress | None = None) -> SyncReport:
    """One round. Raises HqUnreachable (exit 6; nothing lost) or HqRefused after recording it;
    SyncBusy (nothing done) while another round runs on this store, in any process."""
    if actor is not None:
        require(actor.role, "sync.run")
    if url and token and not is_joined(store):
        announce_demo_people(store)  # joining: a demo store's people go up with this round
    with one_round(store.path), hq_client(store, url, token) as client:
        report = sync_round(store, client, cancel=cancel or (lambda: False), progress=progress)
    if url and token and not is_joined(store):
        remember_headquarters(store, check_hq_url(url), check_token(token))
    return report


def remember_headquarters(store: Store, url: str, token: str) -> None:
    announce_demo_people(store)  # once, and only for a store holding demo data
    with store.sessions() as s, s.begin():
        put_setting(s, HQ_URL, url)
        put_setting(s, HQ_TOKEN, token)
    store.reload_settings()


@dataclass(frozen=True)
class RoundRow:
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    pushed: int
    pulled: int
    quarantined: int
    error: str | None


@dataclass(frozen=True)
class SyncStatus:
    joined: bool
    hq_url: str
    last_success: dt.datetime | None
    last_attempt: dt.datetime | None
    last_error: str | None
    pending: int
    quarantined: int
    conflicts: int
    lease: LeaseLeft
    rounds: tuple[RoundRow, ...]

    def as_json(self) -> dict[str, object]:
        """`sync status --json` (CLI.md), plus what support asks next."""
        return {
            "last_success": _iso(self.last_success), "pending": self.pending,
            "quarantined": self.quarantined, "lease": self.lease.as_json(),
            "joined": self.joined, "hq": self.hq_url, "last_attempt": _iso(self.last_attempt),
            "last_error": self.last_error, "conflicts": self.conflicts,
            "rounds": [{**dataclasses.asdict(r), "started_at": _iso(r.started_at),
                        "finished_at": _iso(r.finished_at)} for r in self.rounds],
        }


def _iso(value: dt.datetime | None) -> str | None:
    return value.replace(tzinfo=dt.UTC).isoformat() if value else None


def sync_status(store: Store, actor: Actor | None) -> SyncStatus:
    """Read only, never contacts headquarters (the status bar asks it often)."""
    if actor is not None:
        require(actor.role, "person.read")
    with store.sessions() as s:
        state = sync_state(s)
        rounds = s.scalars(select(SyncRound).order_by(SyncRound.started_at.desc()).limit(RECENT_ROUNDS))
        conflicts = s.scalar(select(func.count()).select_from(SyncConflict)
                             .where(SyncConflict.resolved_at.is_(None))) or 0
        return SyncStatus(
            joined=is_joined(store), hq_url=store.settings.get(HQ_URL, ""),
            last_success=state.last_success_at, last_attempt=state.last_attempt_at,
            last_error=state.last_error, pending=pending_count(s), quarantined=quarantined_count(s),
            conflicts=conflicts, lease=lease_left(s),
            rounds=tuple(RoundRow(r.started_at, r.finished_at, r.outcome, r.pushed, r.pulled,
                                  r.quarantined, r.error) for r in rounds),
        )


@dataclass(frozen=True)
class QuarantinedChange:
    change_id: uuid.UUID
    outbox_seq: int
    entity: str
    entity_id: str
    op: str
    reason_fa: str
    reason_en: str
    at: dt.datetime


def quarantine_list(store: Store, actor: Actor) -> list[QuarantinedChange]:
    require(actor.role, "sync.quarantine")
    with store.sessions() as s:
        return [QuarantinedChange(q.change_id, q.outbox_seq, q.entity, q.entity_id, q.op, q.reason_fa,
                                  q.reason_en, q.at)
                for q in s.scalars(select(SyncQuarantine).order_by(SyncQuarantine.at.desc()))]


@dataclass(frozen=True)
class ConflictRow:
    id: uuid.UUID
    kind: str
    national_code: str | None
    branches: tuple[str, ...]
    created_at: dt.datetime


def open_conflicts(store: Store, actor: Actor, national_code: str | None = None) -> list[ConflictRow]:
    """Conflicts HQ told this branch about (the sync screen; the person's file by national code)."""
    require(actor.role, "person.read")
    query = select(SyncConflict).where(SyncConflict.resolved_at.is_(None))
    if national_code is not None:
        query = query.where(SyncConflict.national_code == national_code)
    with store.sessions() as s:
        return [ConflictRow(c.id, c.kind, c.national_code, tuple(json.loads(c.branches)), c.created_at)
                for c in s.scalars(query.order_by(SyncConflict.created_at))]


def join_headquarters(path: str | Path, branch_code: str, branch_name: str, *, admin_password: str,
                      url: str, token: str) -> Store:
    """`init --hq URL --token T`: a new store whose first SSN and central-number blocks are leased
    from headquarters. Everything is checked and leased before the store is built, so an
    unreachable or refusing HQ leaves nothing behind. An existing store of the branch is opened
    and remembers the address (it keeps its blocks and pushes them as starter blocks)."""
    facts = branch_facts(branch_code, branch_name, admin_password, "")
    url, token = check_hq_url(url), check_token(token)
    hq = ((HQ_URL, url), (HQ_TOKEN, token))
    if Path(path).exists() and Path(path).stat().st_size > 0:
        store = init_store_with(path, facts)
        if not is_joined(store):
            remember_headquarters(store, url, token)
        return store
    epoch = secrets.token_hex(8)
    with HqClient(url, token) as client:
        leases = lease_first_blocks(client, epoch)
    for lease in leases:
        _check_lease_is_for(facts.code, lease)
    blocks = tuple(FirstBlock(lease.kind, lease.first, lease.last, lease.lease_id) for lease in leases)
    return init_store_with(path, dataclasses.replace(facts, first_blocks=blocks, install_epoch=epoch,
                                                     hq_settings=hq))


@dataclass(frozen=True)
class CentralLookup:
    state: str  # found | not_found | not_joined | unreachable
    person: wire.CentralPerson | None = None


def central_person(store: Store, actor: Actor, national_code: str) -> CentralLookup:
    """The central record of a person enrolled at another branch (the counter asks when its own
    store does not know the national code). Offline is an answer, not an error: the counter goes
    on with what it has."""
    require(actor.role, "person.read")
    code = identifiers.national_code(national_code)
    if not is_joined(store):
        return CentralLookup("not_joined")
    try:
        with hq_client(store, connect_timeout=1.0) as client:
            found = client.person(code)
    except (HqUnreachable, HqRefused):
        return CentralLookup("unreachable")
    return CentralLookup("found", found) if found else CentralLookup("not_found")


def _check_lease_is_for(branch_code: str, lease: wire.Lease) -> None:
    """HQ leases from the token's branch region (or the shared overflow pool): a block from
    another branch's region means the token is that branch's — refuse before any store exists
    (the block stays an unused gap at HQ)."""
    own = starter_blocks(branch_code)[lease.kind]
    pool = (starter_blocks(OVERFLOW_FIRST)[lease.kind][0], starter_blocks(OVERFLOW_LAST)[lease.kind][1])
    if not any(first <= lease.first and lease.last <= last for first, last in (own, pool)):
        raise TokenOfAnotherBranch(
            f"توکن داده‌شده از آن شعبه {branch_code} نیست؛ توکن همین شعبه را از ستاد بگیرید.",
            f"the token is not branch {branch_code}'s: HQ leased numbers of another branch's region",
            field="token")


OVERFLOW_FIRST, OVERFLOW_LAST = "9900", "9999"  # docs/sync.md "Numbers": the overflow pool


class TokenOfAnotherBranch(InvalidValue):
    exit_code = 4
