"""The branch's CPU for encoding push batches, without HQ: every batch of N outbox changes built
as it goes on the wire (`desktop.sync.outbox.build_batch`, each change with its person's
snapshot), against the floor — the same rows read by bare sqlite3 with no encoding at all.

The store is a demo store (`fill_demo`, 0.8 × N + 100 persons) given bench/sync.py's outbox rows
(`write_outbox`: enrolments, dependants, inquiry answers), made once and kept in var/ (ids and
timestamps differ between builds, so before/after comparisons must reuse the same file). Its
rows are cut into batches of wire.MAX_BATCH_CHANGES directly (what assign_batch would do one
batch at a time); nothing is marked sent, so the store can be measured again.

Usage: .venv/bin/python bench/sync_encode.py [--changes 30000] [--db var/bench-encode-30000.sqlite]
       [--repeat 3]
Prints one JSON document on stdout: build_batch over all batches (best of --repeat warm runs,
wall and CPU seconds), the bare reads likewise, and a digest of all the bodies (equal digests:
byte-identical batches).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.sync import BRANCH, write_outbox  # noqa: E402
from desktop.services.admin import init_store  # noqa: E402
from desktop.services.demo import fill_demo  # noqa: E402
from desktop.services.store import Store, open_store  # noqa: E402
from desktop.services.users import find_actor  # noqa: E402
from desktop.sync.outbox import build_batch  # noqa: E402
from desktop.sync.wire import MAX_BATCH_CHANGES  # noqa: E402

PW = "bench-admin-1021"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_store(db: Path, changes: int) -> dict[str, Any]:
    started = time.perf_counter()
    store = init_store(db, BRANCH, "", admin_password=PW)
    try:
        fill_demo(store, find_actor(store, "admin"), persons=int(changes * 0.8) + 100)
        counts = write_outbox(store, changes)
        with store.engine.begin() as conn:  # every row in its batch, as assign_batch cuts them
            conn.execute(text("UPDATE outbox SET batch_seq = (seq - 1) / :size + 1"),
                         {"size": MAX_BATCH_CHANGES})
            conn.execute(text("UPDATE sync_state SET next_batch_seq ="
                              " (SELECT max(batch_seq) + 1 FROM outbox) WHERE id = 1"))
    finally:
        store.close()
    return {"seconds": round(time.perf_counter() - started, 1), "outbox": counts}


def encode_all(store: Store, batches: int) -> tuple[int, str]:
    """Every batch built as it goes on the wire: (changes, sha256 of the bodies)."""
    digest = hashlib.sha256()
    size = 0
    for seq in range(1, batches + 1):
        with store.sessions() as s:
            batch = build_batch(s, BRANCH, seq)
        size += batch.size
        digest.update(batch.body)
    return size, digest.hexdigest()


# The rows a batch needs, read by bare sqlite3 and left undecoded: the outbox rows, the persons
# their changes touch, and those persons' rows of the five snapshot tables.
_BARE = {
    "changes": "SELECT id, seq, at, entity, entity_id, op, payload FROM outbox WHERE batch_seq = ?"
               " ORDER BY seq",
    "relationship_persons": "SELECT r.person_id FROM outbox o JOIN relationship r"
                            " ON r.id = replace(o.entity_id, '-', '')"
                            " WHERE o.batch_seq = ? AND o.entity = 'relationship'",
}
_PERSONS = "SELECT value FROM json_each(?)"
_SNAPSHOT_READS = (
    "SELECT * FROM person WHERE id IN ({})",
    "SELECT person_id, role FROM person_role WHERE person_id IN ({})",
    "SELECT person_id, kind, value FROM insurance_number WHERE person_id IN ({})"
    " AND retired_at IS NULL",
    "SELECT r.person_id, r.id, r.type_code, r.start, r.\"end\", r.end_reason, r.insurance_number,"
    " r.medical_link, w.code, m.ssn FROM relationship r LEFT JOIN workshop w ON w.id = r.workshop_id"
    " LEFT JOIN person m ON m.id = r.main_insured_id WHERE r.person_id IN ({})",
    "SELECT person_id, address, phone, mobile FROM personal_info WHERE person_id IN ({})",
)


def bare_reads(db: Path, batches: int) -> int:
    conn = sqlite3.connect(db)
    try:
        rows = 0
        for seq in range(1, batches + 1):
            changes = conn.execute(_BARE["changes"], (seq,)).fetchall()
            persons = {entity_id.replace("-", "") for _, _, _, entity, entity_id, _, _ in changes
                       if entity == "person"}
            persons.update(pid for (pid,) in conn.execute(_BARE["relationship_persons"], (seq,)))
            wanted = json.dumps(sorted(persons))
            for sql in _SNAPSHOT_READS:
                rows += len(conn.execute(sql.format(_PERSONS), (wanted,)).fetchall())
            rows += len(changes)
        return rows
    finally:
        conn.close()


def timed(fn: Callable[[], Any], repeat: int) -> tuple[dict[str, float], Any]:
    """Best of `repeat` runs after one warm-up run: wall and CPU seconds of this process."""
    result = fn()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {"wall_seconds": round(min(walls), 3), "cpu_seconds": round(min(cpus), 3),
            "cpu_seconds_runs": [round(c, 3) for c in cpus]}, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=30_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    db: Path = args.db or ROOT / "var" / f"bench-encode-{args.changes}.sqlite"
    result: dict[str, Any] = {"benchmark": "sync_encode", "changes": args.changes, "db": str(db)}
    if not db.exists():
        log(f"building {db}…")
        db.parent.mkdir(parents=True, exist_ok=True)
        result["build"] = build_store(db, args.changes)
    with sqlite3.connect(db) as conn:
        total, batches = conn.execute("SELECT count(*), max(batch_seq) FROM outbox").fetchone()
    result.update(outbox_rows=total, batches=batches, load_before=[round(x, 2) for x in os.getloadavg()])
    store = open_store(db)
    try:
        log("encoding…")
        result["build_batch"], (size, digest) = timed(lambda: encode_all(store, batches), args.repeat)
    finally:
        store.close()
    log("bare reads…")
    result["bare_sqlite3_reads"], rows = timed(lambda: bare_reads(db, batches), args.repeat)
    result.update(encoded_changes=size, bodies_sha256=digest, bare_rows=rows,
                  cpu_ratio_to_bare=round(result["build_batch"]["cpu_seconds"]
                                          / result["bare_sqlite3_reads"]["cpu_seconds"], 2),
                  load_after=[round(x, 2) for x in os.getloadavg()])
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
