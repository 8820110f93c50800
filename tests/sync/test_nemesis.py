"""Sync through a hostile network (issue 14 item 2): real branch stores, a real `hq serve` on real
PostgreSQL, and the nemesis (tests/support/nemesis.py) between them, dropping, cutting, resetting,
duplicating and delaying requests on the wire.

Each scenario runs sync rounds with enrolments, dependants, inquiries and workshops made at the
branches between them; after every round each branch's acknowledged changes must already be at HQ
(an acknowledgement is never ahead of the data). Then faults stop and every branch syncs until
quiet: HQ holds every change exactly once, no SSN twice, every outbox drained, nothing quarantined,
every branch has every other branch's reference data, SQLite's integrity_check is ok.

Seeded: BD_NEMESIS_SEED fixes the seed (default: fixed per scenario); a failure prints the seed and
the nemesis's last events. BD_NEMESIS_SOAK=1 runs 20 times the rounds with a fresh random seed.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from desktop.models import NumberBlock, Person, Workshop
from desktop.services.dependants import add_dependant
from desktop.services.enrolment import enrol
from desktop.services.inquiry import answer_inquiry
from desktop.services.reference import add_authority, add_registry_identities, add_workshops
from desktop.services.sync import sync_now, sync_status
from desktop.sync import client as sync_client
from desktop.sync.client import HqUnreachable
from desktop.sync.round import SyncReport

from ..cli.conftest import run_cli
from ..factories import identity, questionnaire
from ..support.hq_server import ROOT, HqServer
from ..support.nemesis import FAULT_KINDS, Event, Nemesis
from .kit import (
    Branch,
    acked_ids,
    all_outbox_ids,
    duplicated_ssns,
    enrol_new,
    hq_received,
    hq_rows,
    integrity,
    join,
)

SOAK = os.environ.get("BD_NEMESIS_SOAK") == "1"
ROUNDS = 200 if SOAK else 10
CODES = ("1041", "1042", "1043")
PUSH = "/api/v1/sync/push"


def seed_for(scenario: int) -> int:
    if "BD_NEMESIS_SEED" in os.environ:
        return int(os.environ["BD_NEMESIS_SEED"])
    return random.SystemRandom().randrange(2**31) if SOAK else 14_000 + scenario


@dataclass
class World:
    """The branches, HQ, the nemesis between them, and what the test made where."""

    hq: HqServer
    nem: Nemesis
    branches: list[Branch]
    rng: random.Random
    enrolled: dict[str, list[str]] = field(default_factory=dict)
    workshops: set[str] = field(default_factory=set)
    authorities: set[str] = field(default_factory=set)
    offline_rounds: int = 0
    ok_rounds: int = 0

    def sync(self, branch: Branch) -> SyncReport | None:
        """One round through the nemesis: None when it ended offline (exit 6's error)."""
        try:
            report = sync_now(branch.store, None, url=self.nem.url, token=branch.token)
        except HqUnreachable:
            self.offline_rounds += 1
            return None
        self.ok_rounds += 1
        return report

    def work(self, branch: Branch) -> None:
        """One or two things a clerk does at `branch`."""
        for _ in range(self.rng.randint(1, 2)):
            what = self.rng.choice(("enrol", "enrol", "dependant", "inquiry", "workshop"))
            people = self.enrolled.setdefault(branch.code, [])
            if what == "enrol" or (what == "inquiry" and not people):
                people.append(enrol_new(branch))
            elif what == "dependant":
                father = identity()
                son = identity(first_name="رضا", birth_date="1395/03/03",
                               father_national_code=father["national_code"])
                add_registry_identities(branch.store, branch.admin, [father, son])
                enrol(branch.store, branch.admin, questionnaire(father["national_code"]))
                add_dependant(branch.store, branch.admin, father["national_code"],
                              son["national_code"], "son")
                people.append(father["national_code"])
            elif what == "inquiry":
                answer_inquiry(branch.store, branch.admin, f"A{branch.code}", self.rng.choice(people))
            else:
                code = f"{branch.code}{self.rng.randrange(10**6):06d}"
                add_workshops(branch.store, branch.admin, {"code": code, "name": f"کارگاه {code}"})
                self.workshops.add(code)

    def check_acks_never_ahead(self) -> None:
        """Every change a branch marked acknowledged is already at HQ (PouchDB's lost writes were
        a checkpoint written before the documents it covered)."""
        for b in self.branches:
            missing = acked_ids(b.store) - set(hq_received(self.hq.dsn, b.code))
            assert not missing, f"{b.code} acknowledged {len(missing)} changes HQ does not hold"

    def settle(self) -> None:
        """Faults off; every branch syncs until a whole pass moves nothing."""
        self.nem.set_faults()
        for _ in range(10):
            moved = 0
            for b in self.branches:
                report = sync_now(b.store, None, url=self.nem.url, token=b.token)
                moved += report.pushed + report.pulled
            if moved == 0:
                return
        raise AssertionError("the branches never went quiet")

    def check_converged(self) -> None:
        dsn = self.hq.dsn
        for b in self.branches:
            status = sync_status(b.store, None)
            assert status.pending == 0, f"{b.code}: {status.pending} changes stuck in the outbox"
            assert status.quarantined == 0, f"{b.code}: {status.quarantined} changes quarantined"
            received = hq_received(dsn, b.code)
            assert len(received) == len(set(received)), f"{b.code}: a change applied twice"
            assert set(received) == acked_ids(b.store) == all_outbox_ids(b.store)
            with b.store.sessions() as s:
                ssns = set(s.scalars(select(Person.ssn).where(Person.ssn.is_not(None))))
                local_workshops = set(s.scalars(select(Workshop.code)))
            at_hq = {r[0] for r in hq_rows(dsn, "SELECT ssn FROM person WHERE enrolled_branch = %s",
                                           b.code)}
            assert at_hq == ssns
            people = set(self.enrolled.get(b.code, []))
            hq_people = {r[0] for r in hq_rows(dsn, "SELECT national_code FROM person"
                                                    " WHERE enrolled_branch = %s", b.code)}
            assert people <= hq_people, f"{b.code}: {len(people - hq_people)} enrolments missing"
            assert self.workshops <= local_workshops, f"{b.code} lacks another branch's workshop"
            assert integrity(b.store) == "ok"
        assert duplicated_ssns(dsn) == []
        records = hq_rows(dsn, "SELECT branch, count(*), count(DISTINCT tracking_code)"
                               " FROM inquiry_record GROUP BY branch")
        assert all(n == distinct for _, n, distinct in records)
        batches = hq_rows(dsn, "SELECT count(*) FROM applied_batch WHERE ack IS NULL")
        assert batches == [(0,)], "a batch key without its acknowledgement"


@dataclass
class Worlds:
    """Makes the world of one test (a seed each) and prints its seed and the nemesis's last events
    when the test fails (pytest shows a failing test's captured output)."""

    tmp_path: Path
    hq: HqServer
    made: list[World] = field(default_factory=list)

    def __call__(self, seed: int) -> World:
        branches = [join(self.tmp_path, self.hq, code) for code in CODES]
        for b in branches:
            add_authority(b.store, b.admin, f"A{b.code}", f"مرجع {b.code}", "fund")
        nem = Nemesis(upstream=("127.0.0.1", self.hq.port), seed=seed).start()
        world = World(self.hq, nem, branches, random.Random(seed))
        self.made.append(world)
        print(f"BD_NEMESIS_SEED={seed}")
        return world

    def close(self) -> None:
        for world in self.made:
            print(world.nem.describe(40))
            print(f"rounds ok={world.ok_rounds} offline={world.offline_rounds}")
            world.nem.close()
            for b in world.branches:
                b.close()


@pytest.fixture
def worlds(tmp_path: Path, hq_server: HqServer) -> Iterator[Worlds]:
    made = Worlds(tmp_path, hq_server)
    yield made
    made.close()


SCENARIOS: dict[str, dict[str, object]] = {
    "reset": {"reset": 0.4},
    "drop_request": {"drop_request": 0.4},
    "cut_request": {"cut_request": 0.4},
    "drop_response": {"drop_response": 0.4},
    "cut_mid_body": {"cut_mid_body": 0.4},
    "duplicate_request": {"duplicate_request": 0.5},
    "delay": {"delay": (0.0, 0.05), "delay_response": (0.0, 0.05)},
    "mix": {**{k: 0.08 for k in FAULT_KINDS}, "delay": (0.0, 0.02)},
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_rounds_under_each_fault_converge(worlds: Worlds, scenario: str):
    world = worlds(seed_for(list(SCENARIOS).index(scenario)))
    world.nem.set_faults(**SCENARIOS[scenario])
    for _ in range(ROUNDS):
        for b in world.branches:
            world.work(b)
        for b in world.rng.sample(world.branches, len(world.branches)):
            world.sync(b)
        world.check_acks_never_ahead()
    stats = world.nem.stats
    assert sum(stats.get(k, 0) for k in (*FAULT_KINDS, "delay")) > 0, "the nemesis injected nothing"
    world.settle()
    world.check_converged()


# --- one fault, exactly where it hurts ------------------------------------------------------


def push_events(nem: Nemesis) -> list[Event]:
    return [e for e in nem.events if e.target == PUSH]


def test_a_response_cut_after_hq_committed_loses_and_doubles_nothing(worlds: Worlds):
    world = worlds(seed_for(20))
    a = world.branches[0]
    for _ in range(3):
        world.work(a)
    outbox = all_outbox_ids(a.store)
    world.nem.set_faults(cut_mid_body=1.0, only=(PUSH,))
    assert world.sync(a) is None  # offline: HQ's answer was cut
    [cut] = push_events(world.nem)
    assert cut.fault == "cut_mid_body" and b'"status":"applied"' in cut.answer.replace(b" ", b"")
    assert set(hq_received(world.hq.dsn, a.code)) == outbox, "HQ committed the batch"
    assert acked_ids(a.store) == set() and sync_status(a.store, None).pending == len(outbox)
    world.nem.set_faults()
    report = world.sync(a)
    assert report is not None and report.pushed == len(outbox) and report.pending == 0
    again = push_events(world.nem)[-1]
    assert b"already_applied" in again.answer, "the same batch key, answered from HQ's record"
    received = hq_received(world.hq.dsn, a.code)
    assert sorted(received) == sorted(outbox)
    world.settle()
    world.check_converged()


def test_a_duplicated_push_is_answered_already_applied(worlds: Worlds):
    world = worlds(seed_for(21))
    a = world.branches[0]
    for _ in range(3):
        world.work(a)
    outbox = all_outbox_ids(a.store)
    world.nem.set_faults(duplicate_request=1.0, only=(PUSH,))
    report = world.sync(a)
    assert report is not None and report.pushed == len(outbox) and report.pending == 0
    [dup] = push_events(world.nem)
    assert dup.upstream_status == (200, 200), "both copies reached HQ"
    assert b"already_applied" in dup.answer, "the second copy was answered from HQ's record"
    assert sorted(hq_received(world.hq.dsn, a.code)) == sorted(outbox)
    assert acked_ids(a.store) == outbox
    world.settle()
    world.check_converged()


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    """The client's read timeout cut from 30 s to 1 s, so a test can be slower than it."""
    monkeypatch.setattr(sync_client, "READ_TIMEOUT", 1.0)
    return 1.0


def test_a_slow_hq_times_out_and_leaves_the_branch_usable(worlds: Worlds, short_timeout: float):
    world = worlds(seed_for(22))
    a = world.branches[0]
    world.work(a)
    world.nem.set_faults(delay_response=(short_timeout * 2.5, short_timeout * 2.5), only=(PUSH,))
    outcome: list[object] = []
    syncing = threading.Thread(target=lambda: outcome.append(world.sync(a)))
    started = time.monotonic()
    syncing.start()
    time.sleep(short_timeout / 2)  # the push is out, HQ is "slow"
    assert syncing.is_alive()
    enrolled_during = enrol_new(a)  # the clerk goes on working meanwhile
    status = sync_status(a.store, None)
    assert syncing.is_alive(), "the enrolment waited for the round"
    syncing.join(timeout=30)
    waited = time.monotonic() - started
    assert outcome == [None], "a timeout is HqUnreachable (exit 6), the round recorded offline"
    assert short_timeout <= waited < short_timeout * 2.5
    assert sync_status(a.store, None).rounds[0].outcome == "offline"
    assert status.pending >= 2
    time.sleep(short_timeout * 2)  # HQ's late answer goes nowhere
    world.nem.set_faults()
    world.enrolled.setdefault(a.code, []).append(enrolled_during)
    world.settle()
    world.check_converged()


def test_a_late_copy_of_a_push_racing_its_retry_is_applied_once(worlds: Worlds, short_timeout: float):
    """The first copy is held on the wire longer than the client waits; the retry overtakes it.
    Whichever reaches HQ second is answered from HQ's record of the first."""
    world = worlds(seed_for(23))
    a = world.branches[0]
    for _ in range(3):
        world.work(a)
    outbox = all_outbox_ids(a.store)
    world.nem.set_faults(delay=(short_timeout * 2, short_timeout * 2), only=(PUSH,))
    assert world.sync(a) is None
    world.nem.set_faults()
    report = world.sync(a)
    assert report is not None and report.pushed == len(outbox)
    deadline = time.monotonic() + 10
    while len(push_events(world.nem)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    answers = sorted(b"already_applied" in e.answer for e in push_events(world.nem))
    assert answers == [False, True], "one copy applied, the other answered already_applied"
    assert sorted(hq_received(world.hq.dsn, a.code)) == sorted(outbox)
    world.settle()
    world.check_converged()


# --- the command line through the nemesis ---------------------------------------------------


def cli_sync(world: World, branch: Branch) -> tuple[int, str]:
    done = run_cli(["sync", "--db", str(branch.store.path), "--hq", world.nem.url,
                    "--token", branch.token, "--json"])
    return done.returncode, done.stderr


def test_sync_exit_codes_on_a_hostile_network(worlds: Worlds):
    world = worlds(seed_for(24))
    a = world.branches[0]
    world.work(a)
    # A real process once: exit 6 and the bilingual message, never a traceback.
    world.nem.set_faults(reset=1.0)
    done = subprocess.run([sys.executable, "-m", "desktop", "sync", "--db", str(a.store.path),
                           "--hq", world.nem.url, "--token", a.token, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 6, done.stderr
    assert "ستاد در دسترس نیست" in done.stderr and "could not be reached" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    for kind in ("drop_request", "cut_request", "drop_response", "cut_mid_body"):
        world.nem.set_faults(**{kind: 1.0})
        code, err = cli_sync(world, a)
        assert code == 6 and "could not be reached" in err, (kind, err)
    world.nem.set_faults(duplicate_request=1.0)
    assert cli_sync(world, a)[0] == 0
    world.nem.set_faults(**SCENARIOS["mix"])
    for _ in range(6):
        world.work(a)
        code, err = cli_sync(world, a)
        assert code in (0, 6) and "unexpected" not in err, err
    world.settle()
    world.check_converged()


# --- number leases on a hostile network ------------------------------------------------------


def burn_numbers(branch: Branch, leave: int = 50) -> None:
    """Move the branch below the low-water mark (as if it had enrolled that many people): the
    next round asks HQ for a block of each kind."""
    with branch.store.sessions() as s, s.begin():
        s.execute(update(NumberBlock).where(NumberBlock.next <= NumberBlock.last)
                  .values(next=func.max(NumberBlock.next, NumberBlock.last - leave + 1)))


@pytest.mark.parametrize("scenario", ["drop_response", "duplicate_request", "mix"])
def test_leases_asked_on_a_hostile_network_are_granted_once_and_kept(worlds: Worlds, scenario: str):
    world = worlds(seed_for(30 + list(SCENARIOS).index(scenario)))
    world.nem.set_faults(**SCENARIOS[scenario])
    for _ in range(3):
        for b in world.branches:
            burn_numbers(b)
            world.work(b)
            for _ in range(3):
                world.sync(b)
    world.settle()
    world.check_converged()
    for b in world.branches:
        with b.store.sessions() as s:
            held = {str(i) for i in s.scalars(select(NumberBlock.lease_id)
                                              .where(NumberBlock.lease_id.is_not(None)))}
        granted = {str(r[0]) for r in hq_rows(world.hq.dsn, "SELECT id FROM number_lease"
                                                            " WHERE branch = %s AND source <> 'starter'",
                                              b.code)}
        assert granted == held, f"{b.code}: HQ granted {len(granted - held)} blocks the branch lost"
        left = sync_status(b.store, None).lease
        assert left.ssn_left >= 200 and left.central_left >= 200
