"""Checking the branch's hash chains against headquarters' copy (docs/sync.md "Tamper evidence").

A chain rewritten and re-chained locally is valid on its own; HQ's copy is what it cannot
rewrite. Compared link by link: a record HQ holds with another hash was edited after it was
pushed; a record HQ holds that is gone here was deleted (HQ's head beyond the local end: deleted
from the end); a local record at or below HQ's head that HQ never received (and that is not
waiting in the outbox) was forged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from desktop.domain.roles import require
from desktop.sync import wire
from desktop.sync.client import HqRefused, HqUnreachable

from .actor import Actor
from .audit_chain import walk_audit_chain
from .store import Store
from .sync import hq_client, is_joined


@dataclass(frozen=True)
class HqFinding:
    seq: int
    key: str  # the tracking code where known
    problem: str  # altered_since_sync | deleted | not_received
    fa: str


@dataclass(frozen=True)
class HqCopy:
    state: str  # compared | not_joined | unreachable | refused
    copy: wire.ChainCopy | None = None


def fetch_copy(store: Store, chain: wire.ChainName) -> HqCopy:
    """HQ's copy, or why there is none; never raises for an unreachable HQ (verify works offline)."""
    if not is_joined(store):
        return HqCopy("not_joined")
    try:
        with hq_client(store) as client:
            return HqCopy("compared", client.chain(chain))
    except HqUnreachable:
        return HqCopy("unreachable")
    except HqRefused:
        return HqCopy("refused")


def hq_passcode_hash(store: Store, tracking_code: str) -> str | None:
    """HQ's copy of a certificate's passcode hash; None when not joined, unreachable or unknown
    there (not yet pushed) — then the local hash alone decides."""
    if not is_joined(store):
        return None
    try:
        with hq_client(store, connect_timeout=LOOKUP_CONNECT_TIMEOUT) as client:
            found = client.certificate(tracking_code)
    except (HqUnreachable, HqRefused):
        return None
    return found.passcode_hash if found else None


LOOKUP_CONNECT_TIMEOUT = 1.0  # a lookup at the counter must not hang on a dead line

ALTERED = "این رکورد پس از فرستادن به ستاد تغییر کرده است (نسخه ستاد هش دیگری دارد)."
DELETED = "ستاد این رکورد را دارد ولی در این شعبه نیست: حذف شده است."
NOT_RECEIVED = "این رکورد هرگز به ستاد نرسیده و در صف ارسال هم نیست: ساختگی است."


def compare_with_copy(local: Mapping[int, str], keys: Mapping[int, str], copy: wire.ChainCopy, *,
                      links_complete: bool, unsent: frozenset[str] = frozenset()) -> list[HqFinding]:
    """`local`: seq → hash here; `keys`: seq → tracking code; `links_complete`: HQ holds a link
    for every record pushed (the inquiry record), so a local one it lacks is suspicious."""
    findings: dict[int, HqFinding] = {}
    hq_links = {link.seq: link for link in copy.links}
    if copy.head is not None and copy.head.seq > 0 and copy.head.seq not in hq_links:
        hq_links[copy.head.seq] = wire.ChainLink(seq=copy.head.seq, hash=copy.head.hash)
    for seq, link in sorted(hq_links.items()):
        key = link.key or keys.get(seq, "")
        mine = local.get(seq)
        if mine is None:
            findings[seq] = HqFinding(seq, key, "deleted", DELETED)
        elif mine != link.hash:
            findings[seq] = HqFinding(seq, key, "altered_since_sync", ALTERED)
    head_seq = copy.head.seq if copy.head is not None else 0
    if links_complete:
        for seq in sorted(local):
            if seq <= head_seq and seq not in hq_links and keys.get(seq, "") not in unsent:
                findings[seq] = HqFinding(seq, keys.get(seq, ""), "not_received", NOT_RECEIVED)
    return [findings[seq] for seq in sorted(findings)]


@dataclass(frozen=True)
class AuditChainReport:
    ok: bool
    entries: int
    head: str
    problems: tuple[HqFinding, ...]
    hq: str

    def as_json(self) -> dict[str, object]:
        """CLI `audit-chain verify --json`."""
        return {"ok": self.ok, "entries": self.entries, "head": self.head, "hq": self.hq,
                "problems": [{"seq": p.seq, "problem": p.problem, "fa": p.fa} for p in self.problems]}


def verify_audit_chain(store: Store, actor: Actor, *, against_hq: bool = True) -> AuditChainReport:
    """The audit log's own links, then HQ's copy of its head (sent with every batch)."""
    require(actor.role, "audit.verify")
    hq = fetch_copy(store, wire.ChainName.AUDIT_LOG) if against_hq else HqCopy("not_joined")
    with store.sessions() as session:
        walk = walk_audit_chain(session)
    problems = [HqFinding(p.seq, "", p.problem, p.fa) for p in walk.problems]
    if hq.copy is not None:
        problems += compare_with_copy(walk.links, {}, hq.copy, links_complete=False)
    return AuditChainReport(not problems, walk.entries, walk.head, tuple(problems), hq.state)
