"""Headquarters push throughput over HTTP vs a raw COPY of the same rows, and an idle pull.

Starts its own PostgreSQL cluster (tests/support/postgres.py: private socket, fsync off — the same
settings for both sides of the ratio) and a real `hq serve` subprocess, registers a branch, and
pushes N enrolment changes (each with its person snapshot, as a branch sends them) in batches of
1,000, one after the other, as one branch's sync does. Then COPYs the same rows (change id,
branch, seq, entity, op, payload, snapshot as JSON) into a bare table in the same database:
the floor of "get these bytes into PostgreSQL". Idle pull: a pull with the cursor at the end.

Usage: .venv/bin/python bench/sync_hq.py [--changes 100000] [--batch 1000]
Prints one JSON document. Goal: push ≤ 5 × COPY.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.sync.wire import PushAck  # noqa: E402
from tests.support.hq_server import HqServer, add_branch  # noqa: E402
from tests.support.hq_wire import batch, body, enrol, snapshot  # noqa: E402
from tests.support.postgres import start_cluster  # noqa: E402

GOAL_RATIO = 5.0


def copy_rows(dsn: str, docs: list[dict[str, object]]) -> float:
    import psycopg

    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE TABLE bench_copy (id uuid PRIMARY KEY, branch text, seq bigint,"
                     " entity text, op text, at timestamptz, payload jsonb, snapshot jsonb)")
        conn.commit()
        rows = [(c["id"], "1021", c["seq"], c["entity"], c["op"], c["at"],
                 json.dumps(c["payload"], ensure_ascii=False),
                 json.dumps(c["snapshot"], ensure_ascii=False)) for d in docs for c in d["changes"]]  # type: ignore[union-attr]
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    # Memory as a headquarters server would have it: 100,000 persons with their snapshots and
    # indexes outgrow PostgreSQL's default 128 MB of shared buffers. Both sides of the ratio run
    # on this same server.
    cluster = start_cluster("shared_buffers=1GB")
    try:
        from hq.db import make_engine, migrate

        cluster.create_database("hq")
        dsn = cluster.dsn("hq")
        engine = make_engine(dsn, pool_size=1)
        migrate(engine)
        engine.dispose()
        token = add_branch(dsn, "1021")
        print("building batches…", file=sys.stderr)
        snaps = [snapshot("1021", n, ssn_serial=100_000_000 + n) for n in range(1, args.changes + 1)]
        docs = [body(batch("1021", i // args.batch + 1, [enrol(s) for s in snaps[i:i + args.batch]]))
                for i in range(0, len(snaps), args.batch)]
        # Encoded before the clock starts: encoding is the branch's work, not headquarters'.
        payloads = [json.dumps(doc).encode() for doc in docs]
        server = HqServer(dsn)
        server.start()
        try:
            print(f"pushing {len(docs)} batches…", file=sys.stderr)
            started = time.perf_counter()
            applied = 0
            with server.client(token) as client:
                per_batch = []
                for payload in payloads:
                    t = time.perf_counter()
                    ack = PushAck.model_validate(client.post(
                        "/api/v1/sync/push", content=payload,
                        headers={"content-type": "application/json"}).json())
                    per_batch.append(time.perf_counter() - t)
                    applied += ack.applied
                push_seconds = time.perf_counter() - started
                cursor = ""
                while True:  # to the end of the feed, then time idle rounds
                    page = client.get("/api/v1/sync/changes", params={"after": cursor}).json()
                    cursor = page["cursor"]
                    if not page["more"]:
                        break
                idle = []
                for _ in range(50):
                    t = time.perf_counter()
                    client.get("/api/v1/sync/changes", params={"after": cursor}).raise_for_status()
                    idle.append(time.perf_counter() - t)
        finally:
            server.stop()
        copy_seconds = copy_rows(dsn, docs)
    finally:
        cluster.stop()
    ratio = push_seconds / copy_seconds
    print(json.dumps({
        "benchmark": "sync_hq", "changes": args.changes, "batch": args.batch, "applied": applied,
        "push_seconds": round(push_seconds, 2),
        "push_changes_per_second": round(args.changes / push_seconds),
        "copy_seconds": round(copy_seconds, 3), "ratio_push_to_copy": round(ratio, 2),
        "batch_ms": {"median": round(statistics.median(per_batch) * 1000, 1),
                     "first_tenth": round(statistics.mean(per_batch[:max(1, len(per_batch) // 10)]) * 1000, 1),
                     "last_tenth": round(statistics.mean(per_batch[-max(1, len(per_batch) // 10):]) * 1000, 1)},
        "goal_ratio": GOAL_RATIO, "pass": applied == args.changes and ratio <= GOAL_RATIO,
        "idle_pull_ms": {"median": round(statistics.median(idle) * 1000, 2),
                         "p95": round(sorted(idle)[int(len(idle) * 0.95) - 1] * 1000, 2)},
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
