"""The seeded model-based sync test's world (issue 14 item 1): five real branch stores joined to
one real `hq serve` on real PostgreSQL, driven by a seeded generator of counter work, sync
rounds and faults, with a model beside it of what each branch wrote and acknowledged.

Why a seeded generator and not hypothesis' RuleBasedStateMachine: every example of a state
machine needs a fresh HQ and five fresh stores (seconds), and shrinking replays whole runs
against that real system — minutes per failure on a loaded 2-core machine, with a flaky result
when a fault depends on timing. A `random.Random(seed)` stream makes the same run from the same
seed in a fraction of the time, so 10,000 operations fit CI's budget, and a failure prints the
seed, the replay command and the last operations, which is what shrinking would give us.

An operation is one of: counter work at a random branch (enrolment, dependant, further
relationship, correction requested and approved, inquiry answer, certificate, archive paper,
workshop or authority, the same national code enrolled at a second branch, numbers used up to
the lease's low-water mark), a sync round (clean, or through a fault in the HTTP path:
a request lost, an answer lost after HQ committed, a request sent twice, a request held back and
delivered after the branch moved on, an old batch replayed), a branch's `branch-desk sync`
process SIGKILLed at a random boundary, or HQ killed with SIGKILL and started again.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import func, select, text, update

from desktop.domain.checkdigits import national_code_check
from desktop.models import (
    Authority,
    InsuranceNumber,
    NumberBlock,
    OutboxEntry,
    Person,
    Relationship,
    SyncConflict,
    SyncQuarantine,
    Workshop,
)
from desktop.services import archive
from desktop.services.certificates import issue_certificate
from desktop.services.corrections import approve_correction, request_correction
from desktop.services.dependants import add_dependant, end_dependency
from desktop.services.enrolment import enrol
from desktop.services.inquiry import answer_inquiry
from desktop.services.records import add_relationship
from desktop.services.reference import add_authority, add_registry_identities, add_workshops
from desktop.services.users import create_user
from desktop.sync.client import HqClient, HqUnreachable
from desktop.sync.faults import BOUNDARIES
from desktop.sync.leases import LOW_WATER
from desktop.sync.round import sync_round

from ..archive_files import image_bytes
from ..factories import identity, questionnaire
from ..services.correction_kit import add_monthly_lines
from ..support.hq_server import HqServer
from ..support.nemesis import Nemesis
from .faulty import FaultTransport
from .kit import Branch, hq_rows, integrity, join

CODES = ("1041", "1042", "1043", "1044", "1045")
ON_THE_WIRE = ("1044", "1045")  # these branches reach HQ through the TCP nemesis
# Per request at those branches (tests/support/nemesis.py), on top of the code-path faults.
WIRE_FAULTS: dict[str, Any] = {"reset": 0.02, "drop_request": 0.02, "cut_request": 0.02,
                               "drop_response": 0.03, "cut_mid_body": 0.02, "duplicate_request": 0.04}
PUSH, PULL, LEASE = "/sync/push", "/sync/changes", "/sync/leases"


@dataclass
class Family:
    father: dict[str, Any]
    wife: dict[str, Any]
    son: dict[str, Any]
    father_enrolled: bool = False
    wife_added: bool = False
    son_added: bool = False
    links: list[Any] = field(default_factory=list)  # dependant relationship ids still open


@dataclass
class Seen:
    """What the model knows of one branch."""

    branch: Branch
    clerk: Any
    boss: Any
    transport: FaultTransport
    client: HqClient
    singles: list[dict[str, Any]] = field(default_factory=list)  # in the registry, not enrolled
    families: list[Family] = field(default_factory=list)
    enrolled: dict[str, Any] = field(default_factory=dict)  # national code → person id
    ssns: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    years: dict[str, int] = field(default_factory=dict)  # national code → next free year (relationships)
    workshops: list[str] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)
    written: set[str] = field(default_factory=set)  # outbox ids ever seen
    acknowledged: set[str] = field(default_factory=set)  # outbox ids ever seen acknowledged
    mutations_since_read: int = 0
    watermark: int = 0  # outbox seq at or below which every row was acknowledged at the last read
    below: int = 0  # how many rows those were
    recent_written: set[str] = field(default_factory=set)  # above the watermark at the last read
    recent_acked: set[str] = field(default_factory=set)
    pushed_bodies: deque[bytes] = field(default_factory=lambda: deque(maxlen=6))

    @property
    def code(self) -> str:
        return self.branch.code


class ModelBroken(AssertionError):
    pass


def check(cond: bool, what: str) -> None:
    if not cond:
        raise ModelBroken(what)


class World:
    def __init__(self, seed: int, tmp_path: Path, hq: HqServer, forker: Any) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.tmp = tmp_path
        self.hq = hq
        self.forker = forker
        self.used_codes: set[str] = set()
        self.branches: list[Seen] = []
        self.log: deque[str] = deque(maxlen=40)
        self.counts: Counter[str] = Counter()
        self.cpu: Counter[str] = Counter()  # seconds of this process's CPU per kind of operation
        self.wall: Counter[str] = Counter()
        self.double_enrolled: dict[str, set[str]] = {}  # national code → branches
        self.hq_restarts_left = 2
        self.kills_left = 8
        self.backlogs_left = 1
        self.serial = 0
        self.scans = [image_bytes("PNG", size=(120, 160), shade=s) for s in (10, 90, 170)]
        self.nemesis = Nemesis(upstream=("127.0.0.1", hq.port), seed=seed).start()
        self.http = httpx.Client(verify=False, timeout=60)  # replays of old batches, straight to HQ

    # --- set-up -------------------------------------------------------------------------------

    def national_code(self) -> str:
        while True:
            nine = f"{self.rng.randrange(1, 999_999_999):09d}"
            code = nine + str(national_code_check(nine))
            if len(set(code)) > 1 and code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def start(self, people_per_branch: int) -> None:
        for code in CODES:
            branch = join(self.tmp, self.hq, code)
            clerk = create_user(branch.store, branch.admin, f"clerk{code}", "کارمند", "clerk", "password123")
            boss = create_user(branch.store, branch.admin, f"boss{code}", "سرپرست", "supervisor", "password123")
            transport = FaultTransport()
            url = self.nemesis.url if code in ON_THE_WIRE else self.hq.url
            seen = Seen(branch, clerk, boss, transport, HqClient(url, branch.token, transport=transport))
            self._fill_registry(seen, people_per_branch)
            workshop = f"{code}{0:06d}"
            add_workshops(branch.store, branch.admin, {"code": workshop, "name": f"کارگاه {code}", "address": "تهران"})
            add_authority(branch.store, branch.admin, f"A{code}", f"مرجع {code}", "fund")
            seen.workshops.append(workshop)
            seen.authorities.append(f"A{code}")
            seen.mutations_since_read += 2
            self.branches.append(seen)

    def _fill_registry(self, seen: Seen, people: int) -> None:
        singles = [identity(national_code=self.national_code()) for _ in range(people)]
        families = []
        for _ in range(people // 4):
            wife = identity(national_code=self.national_code(), gender="female", first_name="مریم",
                            birth_date="1366/01/01")
            father = identity(national_code=self.national_code(), marriages=[
                {"spouse_national_code": wife["national_code"], "date": "1388/05/05"}])
            son = identity(national_code=self.national_code(), first_name="رضا", birth_date="1395/03/03",
                           father_national_code=father["national_code"],
                           mother_national_code=wife["national_code"])
            families.append(Family(father, wife, son))
        everyone = singles + [p for f in families for p in (f.wife, f.father, f.son)]
        add_registry_identities(seen.branch.store, seen.branch.admin, everyone)
        seen.singles, seen.families = singles, families

    def close(self) -> None:
        self.http.close()
        self.nemesis.close()
        for seen in self.branches:
            seen.client.close()
            seen.transport.close()
            seen.branch.close()

    # --- the run ------------------------------------------------------------------------------

    def run(self, ops: int) -> None:
        self.nemesis.set_faults(**WIRE_FAULTS)
        # Weights: counter work is most of it (a sync round carries ~25 changes), faults often
        # enough that each kind meets every branch; kills and HQ restarts are capped per run
        # (kills_left, hq_restarts_left) because each costs a process start on a loaded machine.
        table: list[tuple[float, Callable[[], str | None]]] = [
            (22, self.op_enrol), (8, self.op_dependant), (8, self.op_relationship), (2, self.op_end_dependency),
            (2, self.op_correction), (20, self.op_inquiry), (1, self.op_certificate),
            (3, self.op_paper), (3, self.op_workshop), (1, self.op_workshop_twice), (0.1, self.op_backlog), (2, self.op_authority),
            (1, self.op_enrol_elsewhere), (1, self.op_use_numbers),
            (1.5, self.op_sync), (1.5, self.op_faulty_sync), (0.35, self.op_sync_together), (0.5, self.op_release_held),
            (0.5, self.op_replay_old), (0.3, self.op_kill_sync), (0.1, self.op_restart_hq),
        ]
        weights = [w for w, _ in table]
        n = 0
        while n < ops:  # operations done; a skipped pick (nothing to do) does not count
            (op,) = self.rng.choices([f for _, f in table], weights)
            cpu, wall = time.process_time(), time.monotonic()
            done = op()
            name = op.__name__.removeprefix("op_")
            self.log.append(f"{n}: {name} {done or '-'}")
            self.counts[name if done != "skip" else "skipped"] += 1
            n += done != "skip"
            self.cpu[name] += time.process_time() - cpu
            self.wall[name] += time.monotonic() - wall

    def pick(self) -> Seen:
        return self.rng.choice(self.branches)

    def _mutated(self, seen: Seen) -> None:
        seen.mutations_since_read += 1

    # --- counter work -------------------------------------------------------------------------

    def op_enrol(self, seen: Seen | None = None) -> str | None:
        seen = seen or self.pick()
        if seen.singles and (not seen.families or self.rng.random() < 0.6):
            person = seen.singles.pop()
        elif seen.families:
            family = self.rng.choice(seen.families)
            if family.father_enrolled:
                return "skip"
            family.father_enrolled = True
            person = family.father
        else:
            return "skip"
        self._enrol(seen, person["national_code"])
        return f"{seen.code} {person['national_code']}"

    def _enrol(self, seen: Seen, nc: str) -> None:
        rel: dict[str, Any] = {"kind": "voluntary", "start": "1402/01/01"}
        if self.rng.random() < 0.5:
            rel = {"kind": "mandatory", "start": "1400/01/01", "workshop_code": self.rng.choice(seen.workshops)}
        done = enrol(seen.branch.store, seen.branch.admin, questionnaire(nc, relationship=rel))
        seen.enrolled[nc] = done.person_id
        seen.ssns.add(done.ssn)
        seen.numbers.update(done.numbers.values())
        seen.years[nc] = 1380
        self._mutated(seen)

    def op_dependant(self, seen: Seen | None = None) -> str | None:
        seen = seen or self.pick()
        ready = [f for f in seen.families if f.father_enrolled and not (f.wife_added and f.son_added)]
        if not ready:
            return "skip"
        family = self.rng.choice(ready)
        main = family.father["national_code"]
        if not family.wife_added:
            added = add_dependant(seen.branch.store, seen.branch.admin, main, family.wife["national_code"], "wife")
            family.wife_added = True
        else:
            added = add_dependant(seen.branch.store, seen.branch.admin, main, family.son["national_code"], "son")
            family.son_added = True
        family.links.append(added.relationship_id)
        seen.ssns.add(added.ssn)
        self._mutated(seen)
        return seen.code

    def op_end_dependency(self) -> str | None:
        """A dependant link ended (the person's snapshot changes: HQ must follow it)."""
        seen = self.pick()
        open_links = [(f, link) for f in seen.families for link in f.links]
        if not open_links:
            return "skip"
        family, link = self.rng.choice(open_links)
        family.links.remove(link)
        end_dependency(seen.branch.store, seen.boss, link, self.rng.choice(("divorce", "other")),
                       seen.branch.store.today())
        self._mutated(seen)
        return f"{seen.code} {link}"

    def _someone(self, seen: Seen) -> str | None:
        return self.rng.choice(list(seen.enrolled)) if seen.enrolled else None

    def op_relationship(self, seen: Seen | None = None) -> str | None:
        seen = seen or self.pick()
        nc = self._someone(seen)
        if nc is None or seen.years[nc] > 1399:
            return "skip"
        year = seen.years[nc]
        seen.years[nc] = year + 1
        added = add_relationship(seen.branch.store, seen.branch.admin, nc, {
            "kind": "mandatory", "start": f"{year}/01/01", "end": f"{year}/12/29",
            "workshop_code": self.rng.choice(seen.workshops)})
        seen.numbers.add(added.insurance_number)
        self._mutated(seen)
        return f"{seen.code} {nc} {year}"

    def op_correction(self) -> str | None:
        seen = self.pick()
        nc = self._someone(seen)
        if nc is None:
            return "skip"
        store = seen.branch.store
        (line,) = add_monthly_lines(store, seen.enrolled[nc], seen.workshops[0],
                                    [(1403, self.rng.randrange(1, 13), 31, 100_000_000)])
        filed = request_correction(store, seen.clerk, line, {"days": self.rng.randrange(1, 30)}, "لیست اشتباه")
        approve_correction(store, seen.boss, filed.id, "درست است")
        seen.mutations_since_read += 2
        return f"{seen.code} {nc}"

    def op_inquiry(self, seen: Seen | None = None) -> str | None:
        seen = seen or self.pick()
        nc = self._someone(seen) if self.rng.random() < 0.8 else self.national_code()
        if nc is None:
            return "skip"
        answer_inquiry(seen.branch.store, seen.branch.admin, self.rng.choice(seen.authorities), nc)
        self._mutated(seen)
        return f"{seen.code} {nc}"

    def op_certificate(self) -> str | None:
        seen = self.pick()
        nc = self._someone(seen)
        if nc is None:
            return "skip"
        issue_certificate(seen.branch.store, seen.branch.admin, nc, self.rng.choice(seen.authorities))
        self._mutated(seen)
        return f"{seen.code} {nc}"

    def op_paper(self) -> str | None:
        seen = self.pick()
        nc = self._someone(seen)
        if nc is None:
            return "skip"
        archive.add_paper_result(seen.branch.store, seen.branch.admin, seen.enrolled[nc], "photo", "p.png",
                                 self.rng.choice(self.scans))
        self._mutated(seen)
        return f"{seen.code} {nc}"

    def op_workshop(self) -> str | None:
        seen = self.pick()
        self.serial += 1
        code = f"{seen.code}{self.serial:06d}"
        add_workshops(seen.branch.store, seen.branch.admin, {"code": code, "name": f"کارگاه {self.serial}",
                                                             "address": "تهران"})
        seen.workshops.append(code)
        self._mutated(seen)
        return code

    def op_workshop_twice(self) -> str | None:
        """Another branch registers the same workshop code under another name before it has
        heard of it: HQ keeps the first definition and every branch must end up with it."""
        first, second = self.rng.sample(self.branches, 2)
        code = self.rng.choice(first.workshops)
        with second.branch.store.sessions() as s:
            if s.scalar(select(Workshop.id).where(Workshop.code == code)) is not None:
                return "skip"
        add_workshops(second.branch.store, second.branch.admin,
                      {"code": code, "name": f"کارگاه دوباره {second.code}", "address": "کرج"})
        self._mutated(second)
        return f"{first.code}->{second.code} {code}"

    def op_backlog(self) -> str | None:
        """A branch back from days offline: more than a batch waits (one mutation registering
        1,001-1,300 workshops), so its round pushes several batches — reading ahead while each is
        on the wire — with a fault at a later batch; every other branch then pulls several pages."""
        if self.backlogs_left <= 0:
            return "skip"
        self.backlogs_left -= 1
        seen = self.pick()
        first = self.serial + 1
        count = self.rng.randint(1001, 1300)
        self.serial += count
        codes = [f"{seen.code}{n:06d}" for n in range(first, first + count)]
        add_workshops(seen.branch.store, seen.branch.admin,
                      [{"code": code, "name": f"کارگاه {code}"} for code in codes])
        seen.workshops.extend(codes)
        seen.mutations_since_read += count
        fault = self.rng.choice(("drop_request", "drop_response", "duplicate", "hold"))
        seen.transport.arm(fault, PUSH, skip=1)
        outcome = self._round(seen)
        seen.transport.disarm()
        return f"{seen.code} {count} workshops, {fault} at batch 2: {outcome}"

    def op_authority(self) -> str | None:
        seen = self.pick()
        self.serial += 1
        code = f"A{seen.code}{self.serial}"
        add_authority(seen.branch.store, seen.branch.admin, code, f"مرجع {self.serial}", "fund")
        seen.authorities.append(code)
        self._mutated(seen)
        return code

    def op_enrol_elsewhere(self) -> str | None:
        """A national code enrolled here is enrolled at another branch too: one conflict at HQ."""
        first, second = self.rng.sample(self.branches, 2)
        candidates = [nc for nc in first.enrolled if nc not in second.enrolled
                      and nc not in self.double_enrolled and _is_single(first, nc)]
        if not candidates:
            return "skip"
        nc = self.rng.choice(candidates)
        add_registry_identities(second.branch.store, second.branch.admin, identity(national_code=nc))
        self._enrol(second, nc)
        self.double_enrolled[nc] = {first.code, second.code}
        return f"{first.code}+{second.code} {nc}"

    def op_use_numbers(self) -> str | None:
        """Numbers handed out up to the low-water mark (as a busy day would): the next round asks
        HQ for a lease, so lease requests meet the faults too."""
        seen = self.pick()
        kind = self.rng.choice(("ssn", "central_temporary"))
        with seen.branch.store.engine.begin() as conn:
            block = conn.execute(select(NumberBlock.id, NumberBlock.next, NumberBlock.last)
                                 .where(NumberBlock.kind == kind, NumberBlock.next <= NumberBlock.last,
                                        NumberBlock.source != "abandoned")
                                 .order_by(NumberBlock.first.desc()).limit(1)).first()
            if block is None or block.last - block.next < LOW_WATER + 5:
                return "skip"
            conn.execute(update(NumberBlock).where(NumberBlock.id == block.id)
                         .values(next=block.last - LOW_WATER + 2))
        return f"{seen.code} {kind}"

    # --- sync rounds and faults ---------------------------------------------------------------

    def op_sync(self) -> str | None:
        seen = self.pick()
        return self._round(seen)

    def op_faulty_sync(self) -> str | None:
        seen = self.pick()
        fault = self.rng.choice(("drop_request", "drop_response", "duplicate", "hold", "counter"))
        path = self.rng.choices((PUSH, PULL, LEASE), (6, 2, 1))[0]
        if fault == "counter":  # the counter goes on while a request is on the wire (another thread)
            work = self.rng.choice((self.op_enrol, self.op_relationship, self.op_inquiry, self.op_dependant))
            seen.transport.before_next(path, lambda: work(seen))
        else:
            seen.transport.arm(fault, path)
        outcome = self._round(seen)
        seen.transport.disarm()
        return f"{seen.code} {fault} {path} {outcome}"

    def op_sync_together(self) -> str | None:
        """Several branches' rounds at the same moment (threads): HQ applies their batches
        concurrently — the same national code enrolled at two of them included."""
        group = self.rng.sample(self.branches, self.rng.randint(2, len(self.branches)))
        for seen in group:
            if self.rng.random() < 0.3:
                seen.transport.arm(self.rng.choice(("drop_request", "drop_response", "duplicate")), PUSH)
        with ThreadPoolExecutor(max_workers=len(group)) as pool:
            outcomes = list(pool.map(self._round, group))
        for seen in group:
            seen.transport.disarm()
        return " ".join(f"{seen.code}:{outcome}" for seen, outcome in zip(group, outcomes, strict=True))

    def op_release_held(self) -> str | None:
        """Requests held back arrive now, after the branch moved on: an old batch after newer
        ones. HQ must answer it from the batch key and change nothing it should not."""
        seen = self.pick()
        if not seen.transport.held:
            return "skip"
        self._hq_settled()
        for held, response in seen.transport.release():
            if response is None:
                continue
            check(response.status_code < 500, f"HQ answered a late request with {response.status_code}")
            if not httpx.URL(held.url).path.endswith(PUSH):
                continue
            check(response.status_code == 200, f"late push refused: {response.text[:300]}")
            batch = orjson.loads(held.body)
            with seen.branch.store.sessions() as s:
                rows = {str(i) for i, at in s.execute(select(OutboxEntry.id, OutboxEntry.acked_at)
                                                      .where(OutboxEntry.batch_seq == batch["batch_seq"]))
                        if at is not None}
            if response.json()["status"] == "applied":  # its first arrival: the branch never had an answer
                check(not rows, f"batch {batch['batch_seq']} applied again after the branch had its acknowledgement")
            else:  # HQ holds that batch once: exactly what the branch had acknowledged of it, or more
                at_hq = hq_rows(self.hq.dsn, "SELECT id::text FROM received_change WHERE branch = %s"
                                " AND install_epoch = %s AND batch_seq = %s",
                                seen.code, batch["install_epoch"], batch["batch_seq"])
                ids = [r[0] for r in at_hq]
                check(len(ids) == len(set(ids)) and rows <= set(ids),
                      f"a late copy of batch {batch['batch_seq']} at {seen.code}: HQ holds {len(ids)} of its"
                      f" changes ({len(set(ids))} distinct), the branch acknowledged {len(rows)}")
        return seen.code

    def op_replay_old(self) -> str | None:
        """A batch HQ applied long ago arrives again: answered `already_applied`, nothing written."""
        seen = self.pick()
        if not seen.pushed_bodies:
            return "skip"
        body = self.rng.choice(list(seen.pushed_bodies))
        self._hq_settled()
        before = self._hq_received_count(seen.code)
        answer = self.http.post(f"{self.hq.url}/api/v1/sync/push", content=body, headers={
            "Authorization": f"Bearer {seen.branch.token}", "Content-Type": "application/json"})
        check(answer.status_code == 200, f"a replayed batch was refused: {answer.status_code} {answer.text[:300]}")
        check(answer.json()["status"] == "already_applied", f"a replayed batch applied again: {answer.text[:300]}")
        check(self._hq_received_count(seen.code) == before, "a replayed batch wrote received changes")
        return seen.code

    def op_kill_sync(self) -> str | None:
        if self.kills_left <= 0:
            return "skip"
        self.kills_left -= 1
        seen = self.pick()
        boundary = self.rng.choice(BOUNDARIES)
        code = self.forker.sync(seen.branch.store.path, boundary, self.tmp / "killed.log")
        check(code in (-signal.SIGKILL, 0, 6),
              f"a killed sync ended {code}: {(self.tmp / 'killed.log').read_text(errors='replace')[-2000:]}")
        self._read_back(seen)
        return f"{seen.code} {boundary} rc={code}"

    def op_restart_hq(self) -> str | None:
        if self.hq_restarts_left <= 0:
            return "skip"
        self.hq_restarts_left -= 1
        seen = self.pick()
        # HQ dies (SIGKILL) while this branch's push is on its way or being applied.
        delay = self.rng.uniform(0.0, 0.05)
        seen.transport.kill_during_next_push(self.hq.kill, delay)
        outcome = self._round(seen)
        if self.hq.process is not None:  # the round pushed nothing: kill it now
            self.hq.kill()
        self._round(seen)  # HQ down: offline, nothing lost
        self.hq.start()
        return f"{seen.code} {delay * 1000:.0f}ms {outcome}"

    def _round(self, seen: Seen) -> str:
        self._capture_pushes(seen)
        try:
            report = sync_round(seen.branch.store, seen.client)
            outcome = f"ok +{report.pushed}/{report.pulled}"
            check(report.quarantined == 0, f"HQ refused {report.quarantined} change(s) at {seen.code}")
        except HqUnreachable:
            outcome = "offline"
        self._read_back(seen)
        return outcome

    def _capture_pushes(self, seen: Seen) -> None:
        # Keep the last pushed bodies HQ answered 200 (for op_replay_old).
        transport = seen.transport
        if getattr(transport, "_capturing", False):
            return
        inner = transport.inner
        original = inner.handle_request

        def capture(request: httpx.Request) -> httpx.Response:
            response = original(request)
            if request.url.path.endswith(PUSH) and response.status_code == 200:
                seen.pushed_bodies.append(request.read())
            return response

        inner.handle_request = capture  # type: ignore[method-assign]
        transport._capturing = True  # type: ignore[attr-defined]

    # --- the model ----------------------------------------------------------------------------

    def _read_back(self, seen: Seen) -> None:
        """The branch's outbox as the model sees it after a round: nothing written vanished, no
        acknowledgement was lost, every mutation left its outbox row. Rows at or below the
        watermark (all acknowledged when last read) are only counted, so a long run does not
        read its whole outbox after every round."""
        with seen.branch.store.sessions() as s:
            rows = s.execute(select(OutboxEntry.id, OutboxEntry.seq, OutboxEntry.acked_at)
                             .where(OutboxEntry.seq > seen.watermark)).all()
            below = s.scalar(select(func.count()).select_from(OutboxEntry).where(
                OutboxEntry.seq <= seen.watermark, OutboxEntry.acked_at.is_not(None)))
        check(below == seen.below, f"outbox rows acknowledged before vanished or were un-acknowledged"
                                   f" at {seen.code}: {below} of {seen.below}")
        written = {str(i) for i, _, _ in rows}
        acked = {str(i) for i, _, at in rows if at is not None}
        old_written = seen.recent_written
        check(old_written <= written, f"outbox rows vanished at {seen.code}: {len(old_written - written)}")
        check(seen.recent_acked <= acked, f"acknowledgements lost at {seen.code}: "
                                          f"{sorted(seen.recent_acked - acked)[:5]}")
        check(len(written - old_written) >= seen.mutations_since_read,
              f"{seen.mutations_since_read} mutations at {seen.code} left {len(written - old_written)} outbox rows")
        seen.written |= written
        seen.acknowledged |= acked
        seen.mutations_since_read = 0
        unacked = [seq for _, seq, at in rows if at is None]
        # Move the watermark up to just below the oldest row still waiting.
        top = (min(unacked) - 1) if unacked else max((seq for _, seq, _ in rows), default=seen.watermark)
        moved = [(i, seq) for i, seq, _ in rows if seq <= top]
        seen.below += len(moved)
        seen.watermark = top
        gone = {str(i) for i, _ in moved}
        seen.recent_written = written - gone
        seen.recent_acked = acked - gone

    def _hq_settled(self, timeout: float = 20.0) -> None:
        """Wait until no HQ transaction is under way: a `branch-desk sync` killed after sending
        leaves its request to be applied by HQ on its own time, and a count taken meanwhile
        would move under the check."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = hq_rows(self.hq.dsn, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')")
            if busy[0][0] == 0:
                return
            time.sleep(0.02)

    def _hq_received_count(self, code: str) -> int:
        return int(hq_rows(self.hq.dsn, "SELECT count(*) FROM received_change WHERE branch = %s", code)[0][0])

    # --- the end: faults stopped, sync until quiet, then compare ------------------------------

    def settle(self) -> int:
        self.nemesis.set_faults()
        for seen in self.branches:
            seen.transport.disarm()
            seen.transport.held.clear()  # never delivered: lost on the network for good
        for rounds in range(1, 8):
            quiet = True
            for seen in self.branches:
                try:
                    report = sync_round(seen.branch.store, seen.client)
                except HqUnreachable:
                    # Once at most: a kept-alive connection HQ's restart closed is found dead.
                    check(rounds == 1, f"{seen.code}: HQ unreachable with every fault stopped")
                    quiet = False
                    continue
                finally:
                    self._read_back(seen)
                if report.pushed or report.pulled or report.leases_received:
                    quiet = False
            if quiet:
                return rounds
        raise ModelBroken("the branches did not become quiet in 7 full sync passes")

    def verify(self) -> None:
        dsn = self.hq.dsn
        received = hq_rows(dsn, "SELECT branch, id::text FROM received_change")
        ids = Counter(i for _, i in received)
        check(not [i for i, n in ids.items() if n > 1], "a change is held twice at HQ")
        at_hq: dict[str, set[str]] = {}
        for branch, i in received:
            at_hq.setdefault(branch, set()).add(i)
        for seen in self.branches:
            with seen.branch.store.sessions() as s:
                pending = s.scalar(select(func.count()).select_from(OutboxEntry)
                                   .where(OutboxEntry.acked_at.is_(None)))
                quarantined = s.scalar(select(func.count()).select_from(SyncQuarantine))
            check(pending == 0, f"{seen.code}: {pending} outbox rows never acknowledged (a stuck queue)")
            check(quarantined == 0, f"{seen.code}: {quarantined} changes quarantined")
            check(seen.acknowledged == seen.written, f"{seen.code}: written and acknowledged differ")
            held = at_hq.get(seen.code, set())
            check(held == seen.acknowledged,
                  f"{seen.code}: HQ holds {len(held - seen.acknowledged)} unknown and misses "
                  f"{len(seen.acknowledged - held)} acknowledged changes")
            check(integrity(seen.branch.store) == "ok", f"{seen.code}: integrity_check failed")
        self._verify_numbers()
        self._verify_leases()
        self._verify_reference()
        self._verify_persons()

    def _verify_numbers(self) -> None:
        ssns: Counter[str] = Counter()
        numbers: Counter[str] = Counter()
        for seen in self.branches:
            with seen.branch.store.sessions() as s:
                here = list(s.scalars(select(Person.ssn).where(Person.ssn.is_not(None))))
                issued = list(s.scalars(select(InsuranceNumber.value)))
            check(seen.ssns <= set(here), f"{seen.code}: an SSN the model saw given is gone")
            check(seen.numbers <= set(issued), f"{seen.code}: an insurance number the model saw is gone")
            ssns.update(here)
            numbers.update(issued)
        check(not [s for s, n in ssns.items() if n > 1], "an SSN given twice across branches: "
              f"{[s for s, n in ssns.items() if n > 1][:5]}")
        check(not [v for v, n in numbers.items() if n > 1], "an insurance number given twice across branches: "
              f"{[v for v, n in numbers.items() if n > 1][:5]}")
        hq_ssns = [r[0] for r in hq_rows(self.hq.dsn, "SELECT ssn FROM person WHERE ssn IS NOT NULL")]
        check(len(hq_ssns) == len(set(hq_ssns)), "an SSN twice at HQ")
        check(set(hq_ssns) == set(ssns), "HQ's SSNs differ from the branches'")
        hq_numbers = [r[0] for r in hq_rows(self.hq.dsn, "SELECT value FROM insurance_number")]
        check(len(hq_numbers) == len(set(hq_numbers)), "an insurance number twice at HQ")
        check(set(hq_numbers) == set(numbers), "HQ's insurance numbers differ from the branches' "
              f"(only at HQ {sorted(set(hq_numbers) - set(numbers))[:5]},"
              f" only at branches {sorted(set(numbers) - set(hq_numbers))[:5]})")

    def _verify_leases(self) -> None:
        """Every block a branch holds from HQ is a lease HQ granted to that branch, and no two
        branches' blocks overlap (whatever requests were lost, doubled or held back)."""
        granted = {(str(i), b, k, f, last) for i, b, k, f, last in hq_rows(
            self.hq.dsn, "SELECT id, branch, kind, first, last FROM number_lease")}
        held: list[tuple[str, int, int, str]] = []
        for seen in self.branches:
            with seen.branch.store.sessions() as s:
                blocks = s.execute(select(NumberBlock.lease_id, NumberBlock.kind, NumberBlock.first,
                                          NumberBlock.last).where(NumberBlock.source == "hq")).all()
            for lease_id, kind, first, last in blocks:
                check((str(lease_id), seen.code, kind, first, last) in granted,
                      f"{seen.code} holds a block HQ did not grant it: {kind} {first}-{last}")
                held.append((kind, first, last, seen.code))
        held.sort()
        for (k1, _, last1, b1), (k2, first2, _, b2) in zip(held, held[1:], strict=False):
            check(k1 != k2 or first2 > last1, f"blocks of {b1} and {b2} overlap ({k1} at {first2})")

    def _verify_reference(self) -> None:
        hq_workshops = dict(hq_rows(self.hq.dsn, "SELECT code, name FROM workshop"))
        hq_authorities = dict(hq_rows(self.hq.dsn, "SELECT code, name FROM authority"))
        expected = {code for seen in self.branches for code in seen.workshops}
        check(set(hq_workshops) == expected, "HQ's workshops are not every branch's")
        check({code for seen in self.branches for code in seen.authorities} <= set(hq_authorities),
              "HQ lacks an authority a branch added")
        shipped: set[str] | None = None
        for seen in self.branches:
            with seen.branch.store.sessions() as s:
                workshops = {c: n for c, n in s.execute(select(Workshop.code, Workshop.name))}
                authorities = {c: n for c, n in s.execute(select(Authority.code, Authority.name))}
            check(workshops == hq_workshops, f"{seen.code} disagrees with HQ on workshops: "
                  f"{sorted(set(workshops) ^ set(hq_workshops))[:5]}")
            own = {c: n for c, n in authorities.items() if c in hq_authorities}
            check(own == hq_authorities, f"{seen.code} disagrees with HQ on authorities: "
                  f"{sorted(set(own) ^ set(hq_authorities))[:5]}")
            rest = set(authorities) - set(hq_authorities)  # the ones every store is made with
            shipped = rest if shipped is None else shipped
            check(rest == shipped, f"{seen.code} holds authorities no other branch has: {rest ^ shipped}")

    def _verify_persons(self) -> None:
        rows = hq_rows(self.hq.dsn, "SELECT national_code, enrolled_branch, ssn FROM person")
        by_branch: dict[str, set[str]] = {}
        for nc, branch, _ in rows:
            by_branch.setdefault(branch, set()).add(nc)
        for seen in self.branches:
            with seen.branch.store.sessions() as s:
                here = set(s.scalars(select(Person.national_code).where(Person.enrolled_branch == seen.code)))
            check(by_branch.get(seen.code, set()) == here, f"{seen.code}: HQ's persons differ from the store's")
            check(set(seen.enrolled) <= here, f"{seen.code}: an enrolled person is missing")
        conflicts = {nc: set(branches) for nc, branches in hq_rows(
            self.hq.dsn, "SELECT national_code, branches FROM conflict WHERE kind = 'national_code_enrolled_twice'")}
        check(conflicts == self.double_enrolled, "HQ's conflicts differ from the national codes enrolled twice")
        for seen in self.branches:  # and each branch concerned was told, with every branch named
            with seen.branch.store.sessions() as s:
                told = {nc: set(orjson.loads(branches)) for nc, branches in s.execute(
                    select(SyncConflict.national_code, SyncConflict.branches)
                    .where(SyncConflict.resolved_at.is_(None)))}
            mine = {nc: b for nc, b in self.double_enrolled.items() if seen.code in b}
            check(told == mine, f"{seen.code}: conflicts told {sorted(told)[:3]}, expected {sorted(mine)[:3]}")
        self._verify_relationships()
        inquiries = hq_rows(self.hq.dsn, "SELECT branch, count(*) FROM inquiry_record GROUP BY branch")
        for branch, count in inquiries:
            seen = next(b for b in self.branches if b.code == branch)
            with seen.branch.store.engine.connect() as conn:
                local = conn.execute(text("SELECT count(*) FROM inquiry_record")).scalar_one()
            check(local == count, f"{branch}: {local} inquiry records here, {count} at HQ")

    def _verify_relationships(self) -> None:
        """Each branch's relationships — ids, start, end and number — are HQ's, field for field."""
        for seen in self.branches:
            with seen.branch.store.sessions() as s:
                local = {(str(i), start, end, number) for i, start, end, number in s.execute(
                    select(Relationship.id, Relationship.start, Relationship.end, Relationship.insurance_number)
                    .join(Person, Person.id == Relationship.person_id)
                    .where(Person.enrolled_branch == seen.code))}
            central = {(str(i), start, end, number) for i, start, end, number in hq_rows(
                self.hq.dsn, 'SELECT id, start, "end", insurance_number FROM relationship WHERE branch = %s',
                seen.code)}
            check(local == central, f"{seen.code}: relationships differ from HQ's: only here "
                  f"{sorted(local - central)[:3]}, only at HQ {sorted(central - local)[:3]}")

    def summary(self) -> str:
        return orjson.dumps({"seed": self.seed, "ops": dict(sorted(self.counts.items())),
                             "wire_faults": self.nemesis.stats,
                             "cpu_ms": {k: round(1000 * v / max(1, self.counts[k])) for k, v in self.cpu.items()},
                             "wall_ms": {k: round(1000 * v / max(1, self.counts[k])) for k, v in self.wall.items()},
                             }).decode()


def _is_single(seen: Seen, nc: str) -> bool:
    return not any(nc in (f.father["national_code"],) for f in seen.families)
