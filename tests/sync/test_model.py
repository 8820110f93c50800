"""Issue 14 item 1: a seeded, model-based test of the sync — five real branch stores and one real
`hq serve` on real PostgreSQL, random counter work at random branches interleaved with sync
rounds and faults (tests/sync/model_world.py says which and why a seeded generator). At the end,
faults stopped and every branch synced until quiet: HQ holds exactly the union of what the
branches acknowledged, nothing twice, no SSN or insurance number given twice, every outbox
drained with nothing quarantined, every branch agrees with HQ on workshops and authorities, and
SQLite's integrity_check is ok.

CI: SEEDS × OPS = 10,000 operations. Replay one seed: BD_SYNC_SEED=N (with BD_SYNC_OPS=M for its
length); a soak: BD_SYNC_SOAK=1 (200,000 operations, 20 seeds of 10,000).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support.hq_server import HqServer
from .model_world import World
from .test_kills import Forker

SOAK = os.environ.get("BD_SYNC_SOAK") == "1"
if os.environ.get("BD_SYNC_SEED"):
    SEEDS = [int(os.environ["BD_SYNC_SEED"])]
elif SOAK:
    SEEDS = list(range(101, 121))
else:
    SEEDS = [1, 2]  # two cases, so `-n 2` runs them side by side
OPS = int(os.environ.get("BD_SYNC_OPS", "10000" if SOAK else "5000"))


@pytest.fixture(scope="module")
def forker() -> Iterator[Forker]:
    f = Forker()
    yield f
    f.close()


def replay(seed: int) -> str:
    return (f"BD_SYNC_SEED={seed} BD_SYNC_OPS={OPS} .venv/bin/python -m pytest -p no:xdist -x -q "
            f"tests/sync/test_model.py")


@pytest.mark.parametrize("seed", SEEDS)
def test_random_work_and_faults_at_five_branches_converge_on_hq(seed: int, tmp_path: Path,
                                                                  hq_server: HqServer, forker: Forker):
    world = World(seed, tmp_path, hq_server, forker)
    started, cpu = time.monotonic(), time.process_time()
    try:
        world.start(people_per_branch=max(40, OPS // 10))
        laps = [time.monotonic()]
        world.run(OPS)
        laps.append(time.monotonic())
        passes = world.settle()
        world.verify()
        laps.append(time.monotonic())
    except BaseException as exc:
        story = "\n".join(world.log)
        raise AssertionError(f"sync model broke with seed {seed} ({type(exc).__name__}: {exc})\n"
                             f"replay: {replay(seed)}\nlast operations:\n{story}\n"
                             f"{world.nemesis.describe()}") from exc
    finally:
        world.close()
    print(f"\n{world.summary()} passes={passes} set-up={laps[0] - started:.1f}s"
          f" run={laps[1] - laps[0]:.1f}s end={laps[2] - laps[1]:.1f}s"
          f" cpu(test process)={time.process_time() - cpu:.1f}s")
