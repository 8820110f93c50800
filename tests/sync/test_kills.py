"""The sync process killed with SIGKILL at every boundary of a round (desktop/sync/faults.py),
then a normal round: HQ holds every acknowledged change exactly once, no SSN twice, nothing the
other branch published is skipped, and SQLite's integrity_check is ok.

Each kill is a real `branch-desk sync` subprocess on the real store against a real `hq serve`.
Kills per boundary: BRANCH_DESK_SYNC_KILLS (default 8, about a minute for the file on a loaded
2-core machine; the full run uses 50).
"""

from __future__ import annotations

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
from desktop.sync.faults import BOUNDARIES, KILL_ENV

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

KILLS = int(os.environ.get("BRANCH_DESK_SYNC_KILLS", "8"))


@pytest.fixture
def pair(tmp_path: Path, hq_server: HqServer) -> Iterator[tuple[Branch, Branch]]:
    a, b = join(tmp_path, hq_server, "1031"), join(tmp_path, hq_server, "1032")
    yield a, b
    a.close()
    b.close()


def killed_sync(branch: Branch, boundary: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop", "sync", "--db", str(branch.store.path), "--json"],
                          env={**os.environ, KILL_ENV: boundary}, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_at_each_boundary_then_synced_loses_and_doubles_nothing(pair, hq_server: HqServer,
                                                                        boundary: str):
    a, b = pair
    dsn = hq_server.dsn
    for round_no in range(KILLS):
        add_workshops(b.store, b.admin, {"code": f"77{round_no:08d}", "name": f"کارگاه {round_no}"})
        sync_now(b.store, None)  # something for `a` to pull
        enrol_new(a)
        done = killed_sync(a, boundary)
        assert done.returncode == -signal.SIGKILL, (boundary, done.returncode, done.stderr[-2000:])
        report = sync_now(a.store, None)
        assert report.pending == 0
        received = hq_received(dsn, a.code)
        assert len(received) == len(set(received)), "a change applied twice"
        assert set(received) == acked_ids(a.store) == all_outbox_ids(a.store)
        with a.store.sessions() as s:
            ssns = set(s.scalars(select(Person.ssn).where(Person.ssn.is_not(None))))
            pulled = set(s.scalars(select(Workshop.code).where(Workshop.code.like("77%"))))
        assert pulled == {f"77{n:08d}" for n in range(round_no + 1)}, "a pulled row was skipped"
        at_hq = {r[0] for r in hq_rows(dsn, "SELECT ssn FROM person WHERE enrolled_branch = %s", a.code)}
        assert at_hq == ssns
        assert duplicated_ssns(dsn) == []
        assert integrity(a.store) == "ok"
