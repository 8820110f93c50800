"""The sync process killed with SIGKILL at every boundary of a round (desktop/sync/faults.py),
then a normal round: HQ holds every acknowledged change exactly once, no SSN twice, nothing the
other branch published is skipped, and SQLite's integrity_check is ok.

Each kill is a real `branch-desk sync` process on the real store against a real `hq serve`: the
first of each boundary a fresh `python -m desktop sync`, the others forked from a warm parent that
imported the command line once (tests/sync/sync_forker.py) — the same code and the same crash,
without a second of interpreter start-up per kill.
Kills per boundary: BRANCH_DESK_SYNC_KILLS (default 50, the issue's Done-when count).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models import Person, Workshop
from desktop.services.reference import add_workshops
from desktop.services.sync import sync_now
from desktop.sync.faults import BATCH_ENV, BOUNDARIES, KILL_AT_ENV, KILL_ENV

from ..support.hq_server import ROOT, HqServer
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

KILLS = int(os.environ.get("BRANCH_DESK_SYNC_KILLS", "50"))
# Kills per push boundary with many small batches, two in flight (wire.MAX_IN_FLIGHT).
KILLS_IN_FLIGHT = int(os.environ.get("BRANCH_DESK_SYNC_KILLS_IN_FLIGHT", "20"))
PUSH_BOUNDARIES = ("after_build", "after_send", "after_hq_commit", "after_ack_before_mark")


class Forker:
    """The warm parent (sync_forker.py), one per test module."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "tests.sync.sync_forker"], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def sync(self, db: Path, boundary: str, log: Path, env: dict[str, str] | None = None) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        request = {"db": str(db), "boundary": boundary, "log": str(log), "env": env or {}}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the sync forker died"
        return int(json.loads(answer)["returncode"])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def forker() -> Iterator[Forker]:
    f = Forker()
    yield f
    f.close()


@pytest.fixture
def pair(tmp_path: Path, hq_server: HqServer) -> Iterator[tuple[Branch, Branch]]:
    a, b = join(tmp_path, hq_server, "1031"), join(tmp_path, hq_server, "1032")
    yield a, b
    a.close()
    b.close()


def killed_sync(branch: Branch, boundary: str) -> tuple[int, str]:
    """A fresh `python -m desktop sync` killed at `boundary`: (returncode, stderr)."""
    done = subprocess.run([sys.executable, "-m", "desktop", "sync", "--db", str(branch.store.path), "--json"],
                          env={**os.environ, KILL_ENV: boundary}, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    return done.returncode, done.stderr


def forked_sync(forker: Forker, branch: Branch, boundary: str, log: Path,
                env: dict[str, str] | None = None) -> tuple[int, str]:
    code = forker.sync(branch.store.path, boundary, log, env)
    return code, log.read_text(errors="replace") if log.exists() else ""


def synced_whole(a: Branch, dsn: str) -> None:
    """After the kill, a normal round: HQ holds every change of the store exactly once, the
    same SSNs, no SSN twice, and SQLite's integrity check is ok."""
    assert sync_now(a.store, None).pending == 0
    received = hq_received(dsn, a.code)
    assert len(received) == len(set(received)), "a change applied twice"
    assert set(received) == acked_ids(a.store) == all_outbox_ids(a.store)
    with a.store.sessions() as s:
        ssns = set(s.scalars(select(Person.ssn).where(Person.ssn.is_not(None))))
    at_hq = {r[0] for r in hq_rows(dsn, "SELECT ssn FROM person WHERE enrolled_branch = %s", a.code)}
    assert at_hq == ssns
    assert duplicated_ssns(dsn) == []
    assert integrity(a.store) == "ok"


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_at_each_boundary_then_synced_loses_and_doubles_nothing(pair, hq_server: HqServer,
                                                                        forker: Forker, tmp_path: Path,
                                                                        boundary: str):
    a, b = pair
    for round_no in range(KILLS):
        add_workshops(b.store, b.admin, {"code": f"77{round_no:08d}", "name": f"کارگاه {round_no}"})
        sync_now(b.store, None)  # something for `a` to pull
        enrol_new(a)
        code, err = (killed_sync(a, boundary) if round_no == 0
                     else forked_sync(forker, a, boundary, tmp_path / "killed.log"))
        assert code == -signal.SIGKILL, (boundary, round_no, code, err[-2000:])
        synced_whole(a, hq_server.dsn)
        with a.store.sessions() as s:
            pulled = set(s.scalars(select(Workshop.code).where(Workshop.code.like("77%"))))
        assert pulled == {f"77{n:08d}" for n in range(round_no + 1)}, "a pulled row was skipped"


@pytest.mark.parametrize("boundary", PUSH_BOUNDARIES)
def test_killed_with_two_batches_in_flight_then_synced_loses_and_doubles_nothing(
        pair, hq_server: HqServer, forker: Forker, tmp_path: Path, boundary: str):
    """Batches of one change, so each round is several batches with two on their way at once;
    the kill lands at the 1st, 2nd, 3rd or 4th time the boundary is reached — before, beside or
    after an earlier batch's acknowledgement."""
    a, _ = pair
    for round_no in range(KILLS_IN_FLIGHT):
        for _ in range(4):
            enrol_new(a)
        env = {BATCH_ENV: "1", KILL_AT_ENV: str(1 + round_no % 4)}
        code, err = forked_sync(forker, a, boundary, tmp_path / "killed.log", env)
        assert code == -signal.SIGKILL, (boundary, round_no, code, err[-2000:])
        synced_whole(a, hq_server.dsn)
