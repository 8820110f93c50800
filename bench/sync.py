"""Sync end to end: a real branch store pushing through the real client to a real `hq serve`.

(a) push: N outbox changes (enrolments, dependants, inquiry answers — each person-scope change
    with the person snapshot the client reads at build time) go up through
    `desktop.sync.round.sync_round`, batch after batch, to `hq serve` on PostgreSQL; then the
    same rows as they went on the wire (change id, branch, seq, entity, op, at, payload,
    snapshot) are COPYed into one bare table of the same database: the floor of "get these
    bytes into PostgreSQL", and the ratio (goal ≤ 5).
(b) idle round: `sync_round` with nothing to push or pull, ≥ 50 warm rounds (median, p95); the
    first round of a freshly opened store and a new client reported apart (cold).
(c) first pull: a new branch joins (`init --hq`) and its first round pulls HQ's reference data
    (A authorities, W workshops).

The branch store is a demo store (`fill_demo`: households, workshops, numbers, dependants)
whose people are then given the outbox rows the services would have written for them
(`person.enrol`, `dependant.add`, `inquiry.answer`, payloads shaped as desktop/services writes
them): enrolling 100,000 people one use case at a time would take the benchmark an hour.

Usage: .venv/bin/python bench/sync.py [--changes 100000] [--workshops 20000] [--authorities 500]
Prints one JSON document on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import aliased  # noqa: E402

from desktop.models import (  # noqa: E402
    Authority,
    InsuranceNumber,
    OutboxEntry,
    Person,
    Relationship,
    Workshop,
    utcnow,
)
from desktop.models.base import uuid7  # noqa: E402
from desktop.services.demo import fill_demo  # noqa: E402
from desktop.services.store import Store, open_store  # noqa: E402
from desktop.services.sync import join_headquarters  # noqa: E402
from desktop.services.users import find_actor  # noqa: E402
from desktop.sync.client import HqClient  # noqa: E402
from desktop.sync.outbox import read_batch  # noqa: E402
from desktop.sync.round import sync_round  # noqa: E402
from tests.support.hq_server import HqServer, add_branch  # noqa: E402
from tests.support.postgres import PostgresCluster, start_cluster  # noqa: E402

GOAL_RATIO = 5.0
GOAL_IDLE_MS = 50.0
PW = "bench-admin-1021"
BRANCH = "1021"
NEW_BRANCH = "1022"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the branch's outbox ------------------------------------------------------------------------

def _people(store: Store) -> Iterator[tuple[Any, ...]]:
    """(person, relationship, workshop code, main insured's ssn) in enrolment order."""
    main = aliased(Person)
    with store.sessions() as s:
        yield from s.execute(
            select(Person, Relationship, Workshop.code, main.ssn)
            .join(Relationship, Relationship.person_id == Person.id)
            .outerjoin(Workshop, Workshop.id == Relationship.workshop_id)
            .outerjoin(main, main.id == Relationship.main_insured_id)
            .order_by(Person.enrolled_at, Person.id))


def _numbers(store: Store) -> dict[Any, dict[str, str]]:
    numbers: dict[Any, dict[str, str]] = {}
    with store.sessions() as s:
        for pid, kind, value in s.execute(select(InsuranceNumber.person_id, InsuranceNumber.kind,
                                                 InsuranceNumber.value)):
            numbers.setdefault(pid, {})[kind] = value
    return numbers


def _enrol(person: Person, rel: Relationship, workshop: str | None,
           numbers: dict[str, str]) -> dict[str, Any]:
    return {"acquaintances": 0, "became_main_insured": False, "branch": BRANCH,
            "foreign_id": person.foreign_id, "known_before": False,
            "national_code": person.national_code, "numbers": numbers,
            "relationship": {"end": _iso(rel.end), "kind": rel.type_code, "start": _iso(rel.start),
                             "workshop_code": workshop},
            "ssn": person.ssn}


def _dependant(person: Person, rel: Relationship, main_ssn: str | None,
               numbers: dict[str, str]) -> dict[str, Any]:
    return {"branch": BRANCH, "central_temporary": numbers.get("central_temporary"),
            "end": _iso(rel.end), "end_reason": rel.end_reason, "known_before": False,
            "main_insured_ssn": main_ssn, "medical_link": rel.medical_link,
            "national_code": person.national_code, "papers": [], "relation": rel.type_code,
            "ssn": person.ssn, "start": _iso(rel.start)}


def _inquiry(seq: int, prev_hash: str, person: Person, at: str) -> dict[str, Any]:
    tracking = f"{BRANCH}{seq:09d}"
    answer = json.dumps({
        "authority": {"code": "A1021", "group": "fund", "name": "صندوق بازنشستگی کشوری"},
        "branch": {"code": BRANCH, "name": "شعبه ۱۰۲۱"}, "coverage": "main", "date": "1405/09/10",
        "judicial": None, "national_code": person.national_code, "period": None,
        "person": {"gender": person.gender, "name": f"{person.first_name} {person.last_name}"},
        "relationships": [], "state": "active", "tracking_code": tracking,
    }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256((prev_hash + answer).encode()).hexdigest()
    return {"answer": answer, "at": at, "authority": "A1021", "branch": BRANCH, "from_date": None,
            "hash": digest, "national_code": person.national_code, "prev_hash": prev_hash,
            "requester_person_id": None, "seq": seq, "state": "active", "to_date": None,
            "tracking_code": tracking, "user": "clerk"}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def write_outbox(store: Store, changes: int) -> dict[str, int]:
    """`changes` outbox rows for the demo people: each main insured enrolled, each dependant
    added, and an inquiry answered about every third main insured — the mix a branch's day has."""
    numbers = _numbers(store)
    rows: list[dict[str, Any]] = []
    counts = {"person.enrol": 0, "dependant.add": 0, "inquiry.answer": 0}
    prev_hash = "0" * 64
    for person, rel, workshop, main_ssn in _people(store):
        if len(rows) >= changes:
            break
        now = utcnow()
        if rel.main_insured_id is None:
            op, entity, entity_id = "person.enrol", "person", person.id
            payload = _enrol(person, rel, workshop, numbers.get(person.id, {}))
        else:
            op, entity, entity_id = "dependant.add", "relationship", rel.id
            payload = _dependant(person, rel, main_ssn, numbers.get(person.id, {}))
        rows.append(_row(entity, entity_id, op, payload, now))
        counts[op] += 1
        if op == "person.enrol" and counts[op] % 3 == 0 and len(rows) < changes:
            seq = counts["inquiry.answer"] + 1
            inquiry = _inquiry(seq, prev_hash, person, now.isoformat())
            prev_hash = inquiry["hash"]
            rows.append(_row("inquiry_record", inquiry["tracking_code"], "inquiry.answer", inquiry, now))
            counts["inquiry.answer"] += 1
    with store.engine.begin() as conn:
        conn.execute(insert(OutboxEntry.__table__), rows)
    return counts


def _row(entity: str, entity_id: object, op: str, payload: dict[str, Any], at: Any) -> dict[str, Any]:
    return {"id": uuid7(), "at": at, "entity": entity, "entity_id": str(entity_id), "op": op,
            "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True)}


# --- headquarters' reference data -------------------------------------------------------------

def seed_reference(dsn: str, authorities: int, workshops: int) -> None:
    """HQ's authorities and workshops, announced in the change log as HQ announces them."""
    from hq.changelog import LogRow, announce
    from hq.db import make_engine
    from hq.models import authority, workshop

    engine = make_engine(dsn, pool_size=1)
    try:
        with engine.begin() as conn:
            auths = [{"code": f"F{n:05d}", "name": f"صندوق بازنشستگی شماره {n}",
                      "group": "fund" if n % 4 else "judicial"} for n in range(1, authorities + 1)]
            shops = [{"code": f"9{n:09d}", "name": f"کارگاه تولیدی شماره {n}",
                      "address": f"تهران، خیابان آزادی، پلاک {n}"} for n in range(1, workshops + 1)]
            conn.execute(insert(authority), auths)
            conn.execute(insert(workshop), shops)
            announce(conn, [LogRow("authority", a["code"], a) for a in auths])
            announce(conn, [LogRow("workshop", w["code"], w) for w in shops])
    finally:
        engine.dispose()


# --- the measurements -------------------------------------------------------------------------

def copy_seconds(cluster: PostgresCluster, store: Store, batches: int) -> tuple[float, int]:
    """The same changes as they went on the wire, COPYed into a bare table (the floor)."""
    import psycopg

    rows = []
    with store.sessions() as s:
        for seq in range(1, batches + 1):
            batch = read_batch(s, BRANCH, seq)
            rows += [(c.id, BRANCH, c.seq, c.entity, c.op, c.at, json.dumps(c.payload, ensure_ascii=False),
                      c.snapshot.model_dump_json() if c.snapshot else None) for c in batch.changes]
    with psycopg.connect(cluster.dsn("hq")) as conn:
        conn.execute("CREATE TABLE bench_copy (id uuid PRIMARY KEY, branch text, seq bigint,"
                     " entity text, op text, at timestamptz, payload jsonb, snapshot jsonb)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY bench_copy FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started, len(rows)


def idle_rounds(store: Store, url: str, token: str, rounds: int) -> dict[str, float]:
    with HqClient(url, token) as client:
        times = []
        for _ in range(rounds + 5):
            started = time.perf_counter()
            report = sync_round(store, client)
            times.append(time.perf_counter() - started)
            assert report.pushed == 0 and report.pulled == 0, report
    warm = sorted(times[5:])  # the first five warm the connection and the page cache
    return {"rounds": len(warm), "median_ms": round(statistics.median(warm) * 1000, 2),
            "p95_ms": round(warm[int(len(warm) * 0.95) - 1] * 1000, 2)}


def cold_round(path: Path, url: str, token: str) -> float:
    """The first round of a store just opened, with a new client (new connection)."""
    started = time.perf_counter()
    store = open_store(path)
    try:
        with HqClient(url, token) as client:
            sync_round(store, client)
    finally:
        store.close()
    return time.perf_counter() - started


def first_pull(dsn: str, url: str, tmp: Path) -> dict[str, Any]:
    token = add_branch(dsn, NEW_BRANCH)
    store = join_headquarters(tmp / "new-branch.sqlite", NEW_BRANCH, "", admin_password=PW,
                              url=url, token=token)
    try:
        with HqClient(url, token) as client:
            started = time.perf_counter()
            report = sync_round(store, client)
            seconds = time.perf_counter() - started
        with store.sessions() as s:
            authorities = s.scalar(select(func.count()).select_from(Authority)) or 0
            workshops = s.scalar(select(func.count()).select_from(Workshop)) or 0
    finally:
        store.close()
    return {"seconds": round(seconds, 2), "pulled": report.pulled,
            "authorities_in_store": authorities, "workshops_in_store": workshops}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--authorities", type=int, default=500)
    parser.add_argument("--workshops", type=int, default=20_000)
    parser.add_argument("--idle-rounds", type=int, default=50)
    args = parser.parse_args()
    result: dict[str, Any] = {"benchmark": "sync", "changes": args.changes}
    # The same server settings as bench/sync_hq.py: both sides of the ratio run on it.
    cluster = start_cluster("shared_buffers=1GB")
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    server: HqServer | None = None
    try:
        from hq.db import make_engine, migrate

        cluster.create_database("hq")
        dsn = cluster.dsn("hq")
        engine = make_engine(dsn, pool_size=1)
        migrate(engine)
        engine.dispose()
        server = HqServer(dsn)
        server.start()
        token = add_branch(dsn, BRANCH)
        log("building the branch store…")
        started = time.perf_counter()
        path = tmp / "branch.sqlite"
        store = join_headquarters(path, BRANCH, "", admin_password=PW, url=server.url, token=token)
        fill_demo(store, find_actor(store, "admin"), persons=int(args.changes * 0.8) + 100)
        counts = write_outbox(store, args.changes)
        result["build_seconds"] = round(time.perf_counter() - started, 1)
        result["outbox"] = counts
        log(f"pushing {sum(counts.values())} changes…")
        with HqClient(server.url, token) as client:
            started = time.perf_counter()
            report = sync_round(store, client)
            push_seconds = time.perf_counter() - started
        batches = -(-sum(counts.values()) // 1000)
        copy, copied = copy_seconds(cluster, store, batches)
        ratio = push_seconds / copy
        result["push"] = {
            "pushed": report.pushed, "quarantined": report.quarantined, "batches": batches,
            "seconds": round(push_seconds, 2), "changes_per_second": round(report.pushed / push_seconds),
            "copy_rows": copied, "copy_seconds": round(copy, 3), "ratio_to_copy": round(ratio, 2),
            "goal_ratio": GOAL_RATIO, "pass": report.pushed == copied and ratio <= GOAL_RATIO}
        log("idle rounds…")
        idle = idle_rounds(store, server.url, token, args.idle_rounds)
        store.close()
        idle["cold_first_round_ms"] = round(cold_round(path, server.url, token) * 1000, 1)
        idle.update(goal_ms=GOAL_IDLE_MS, **{"pass": idle["median_ms"] <= GOAL_IDLE_MS})
        result["idle_round"] = idle
        log("reference data and the first pull of a new branch…")
        seed_reference(dsn, args.authorities, args.workshops)
        result["first_pull"] = {"authorities": args.authorities, "workshops": args.workshops,
                                **first_pull(dsn, server.url, tmp)}
    finally:
        if server is not None:
            server.stop()
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
