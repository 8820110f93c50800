"""Not collected (no test_ prefix): run explicitly to measure a push of N outbox rows and an idle
round against a real hq serve. `pytest tests/sync/measure_sync.py -s`."""

from __future__ import annotations

import json
import os
import time
import uuid

from sqlalchemy import insert

from desktop.models import OutboxEntry, utcnow, uuid7
from desktop.services.sync import sync_now

from .kit import join

N = int(os.environ.get("MEASURE_ROWS", "10000"))


def test_measure(tmp_path, hq_server):
    branch = join(tmp_path, hq_server, "1071")
    rows = [{"id": uuid7(), "at": utcnow(), "entity": "authority", "entity_id": str(uuid.uuid4()),
             "op": "authority.add",
             "payload": json.dumps({"code": f"M{i:06d}", "name": f"مرجع {i}", "group": "fund",
                                    "branch": "1071"})} for i in range(N)]
    with branch.store.engine.begin() as conn:
        conn.execute(insert(OutboxEntry), rows)
    import cProfile
    import pstats
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    report = sync_now(branch.store, None)
    prof.disable()
    push = time.perf_counter() - t
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    assert report.pushed == N and report.pending == 0
    idle = []
    for _ in range(10):
        t = time.perf_counter()
        sync_now(branch.store, None)
        idle.append(time.perf_counter() - t)
    import cProfile
    import pstats
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        sync_now(branch.store, None)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    idle.sort()
    print(json.dumps({"push_rows": N, "push_seconds": round(push, 2),
                      "rows_per_second": round(N / push), "idle_round_ms_median": round(idle[5] * 1000, 1),
                      "idle_round_ms_min": round(idle[0] * 1000, 1)}))
    branch.close()
