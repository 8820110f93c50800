"""Median time of a supervisor's decision that applies a correction (decide-and-apply) on a
large demo store, against bare sqlite3 writes of the same rows.

`approve_correction` checks the role and maker ≠ checker, re-reads the line and refuses a stale
request, writes the decision's ledger entry, a correction document and its line superseding the
original, recomputes the person's yearly row and lifetime total from the lines in effect, and
writes the `apply` entry — each entry with its audit and outbox row, the ledger's head anchor
moved — in one transaction. The bare baseline replays copies of exactly the rows that decision
wrote or changed (new ids and hashes), with raw sqlite3, the store's pragmas and one BEGIN
IMMEDIATE … COMMIT per decision: no reads, no checks, no recompute.

The store: `--db PATH` (default $BENCH_STORE or /tmp/led-bench/bench-1m.sqlite, made by
`branch-desk demo --persons 1000000`), copied to a scratch file beside it first (decisions
write); when it is missing, a scratch demo store of `--persons N` (default 2,000 — a quick
check; the figures that count are on the 1,000,000-person store) is built here.
Warm: decisions after the first COLD ones in the same process; cold: the first COLD decisions
of a process that has just opened the store (SQLite's page cache empty; the OS file cache is
not dropped). The requests are filed beforehand (also timed, reported apart). Prints one JSON
document. Goal: decide-and-apply median ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.db.registry_local import registry_path_for  # noqa: E402
from desktop.services.account import account_of  # noqa: E402
from desktop.services.corrections import approve_correction, request_correction  # noqa: E402
from desktop.services.demo import fill_demo  # noqa: E402
from desktop.services.store import open_store  # noqa: E402
from desktop.services.users import find_actor  # noqa: E402

DEFAULT_STORE = Path(os.environ.get("BENCH_STORE", "/tmp/led-bench/bench-1m.sqlite"))
COLD = 10
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL",
           "PRAGMA busy_timeout=10000", "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY")


def prepare(db: Path, persons: int, scratch: Path) -> tuple[Path, dict]:
    path = scratch / "bench-corrections.sqlite"
    if db.exists():
        started = time.perf_counter()
        shutil.copy(db, path)
        if registry_path_for(db).exists():
            shutil.copy(registry_path_for(db), registry_path_for(path))
        return path, {"store": str(db), "built_here": False, "copy_seconds": round(time.perf_counter() - started, 1)}
    from desktop.services.admin import init_store

    started = time.perf_counter()
    store = init_store(path, "1021", "شعبه بنچ", admin_password="admin1234")
    fill_demo(store, find_actor(store, "admin"), persons=persons, seed=11)
    store.close()
    return path, {"store": f"{db} not present: scratch demo store of {persons} persons built here",
                  "built_here": True, "build_seconds": round(time.perf_counter() - started, 1)}


def people_with_lines(path: Path, runs: int) -> list[str]:
    """National codes of `runs` random main insured that have monthly lines."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    total = conn.execute("SELECT MAX(rowid) FROM account_lifetime").fetchone()[0] or 0
    rng, codes = random.Random(20261201), []
    while len(codes) < runs:
        row = conn.execute("SELECT p.national_code FROM account_lifetime AS a JOIN person AS p ON p.id = a.person_id"
                           " WHERE a.rowid = ? AND p.national_code IS NOT NULL", (rng.randint(1, total),)).fetchone()
        if row and row[0] not in codes:
            codes.append(row[0])
    conn.close()
    return codes


def measure(path: Path, runs: int) -> dict:
    codes = people_with_lines(path, runs)
    store = open_store(path)
    clerk, boss = find_actor(store, "clerk"), find_actor(store, "supervisor")
    filed, request_times = [], []
    for code in codes:
        lines = account_of(store, clerk, national_code=code).monthly
        line = lines[len(lines) // 2]
        t = time.perf_counter()
        filed.append(request_correction(store, clerk, line.line_id, {"wage": line.wage + 1000},
                                        "لیست ماهانه اشتباه").id)
        request_times.append(time.perf_counter() - t)
    store.close()
    store = open_store(path)  # a fresh process's view: new connection, empty page cache
    boss = find_actor(store, "supervisor")
    decide_times, decide_cpu, decisions = [], [], []
    for rid in filed:
        t, c = time.perf_counter(), time.process_time()
        decisions.append(approve_correction(store, boss, rid, "با لیست کارگاه مطابقت دارد"))
        decide_times.append(time.perf_counter() - t)
        decide_cpu.append(time.process_time() - c)
    with store.reader() as conn:
        persons = conn.exec_driver_sql("SELECT COUNT(*) FROM person").scalar_one()
        lines = conn.exec_driver_sql("SELECT COUNT(*) FROM document_line").scalar_one()
    store.close()
    return {"request": request_times, "decide": decide_times, "decide_cpu": decide_cpu, "ids": [(r.hex, d.correction_line_id.hex)
                                                                        for r, d in zip(filed, decisions, strict=True)],
            "persons": persons, "lines": lines}


def _rows(conn: sqlite3.Connection, sql: str, *params: object) -> list[dict]:
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(sql, params)]


def captured(conn: sqlite3.Connection, request_id: str, line_id: str) -> dict[str, list[dict]]:
    """Every row the decision wrote or changed."""
    subject = str(uuid.UUID(request_id))
    line = _rows(conn, "SELECT * FROM document_line WHERE id = ?", line_id)
    document = _rows(conn, "SELECT * FROM insurance_document WHERE id = ?", line[0]["document_id"])
    person = line[0]["person_id"]
    return {
        "insurance_document": document, "document_line": line,
        "ledger_entry": _rows(conn, "SELECT * FROM ledger_entry WHERE request_id = ? AND step IN ('approve', 'apply')",
                              request_id),
        "audit_log": _rows(conn, "SELECT * FROM audit_log WHERE subject_id = ? AND action IN"
                                 " ('correction.approve', 'correction.apply')", subject),
        "outbox": _rows(conn, "SELECT * FROM outbox WHERE entity_id = ? AND op IN"
                              " ('correction.approve', 'correction.apply')", subject),
        "account_year": _rows(conn, "SELECT * FROM account_year WHERE person_id = ? AND year = ?", person,
                              document[0]["year"]),
        "account_lifetime": _rows(conn, "SELECT * FROM account_lifetime WHERE person_id = ?", person),
        "correction_request": _rows(conn, "SELECT * FROM correction_request WHERE id = ?", request_id),
    }


def statements(rows: dict[str, list[dict]]) -> list[tuple[str, tuple]]:
    out: list[tuple[str, tuple]] = []
    doc_id, line_id = uuid.uuid4().hex, uuid.uuid4().hex
    for table in ("insurance_document", "document_line", "ledger_entry", "audit_log", "outbox"):
        for row in rows[table]:
            r = dict(row)
            r.pop("seq", None)
            if table == "insurance_document":
                r["id"] = doc_id
            elif table == "document_line":
                r.update(id=line_id, document_id=doc_id)
            elif "id" in r:
                r["id"] = uuid.uuid4().hex
            if "hash" in r:
                r["hash"] = uuid.uuid4().hex * 2
            out.append((f"INSERT INTO {table} ({', '.join(r)}) VALUES ({', '.join('?' * len(r))})", tuple(r.values())))
    for y in rows["account_year"]:
        out.append(("INSERT OR REPLACE INTO account_year (person_id, year, days, wage_total, average_wage)"
                    " VALUES (?, ?, ?, ?, ?)", (y["person_id"], y["year"], y["days"], y["wage_total"],
                                                 y["average_wage"])))
    for life in rows["account_lifetime"]:
        out.append(("UPDATE account_lifetime SET days = ?, wage_total = ?, months = ? WHERE person_id = ?",
                    (life["days"], life["wage_total"], life["months"], life["person_id"])))
    for req in rows["correction_request"]:
        out.append(("UPDATE correction_request SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ?"
                    " WHERE id = ?", (req["status"], req["decided_by"], req["decided_at"], req["decision_reason"],
                                      req["id"])))
    out.append(("UPDATE ledger_head SET seq = seq, hash = hash, entries = entries WHERE id = 1", ()))
    return out


def measure_bare(path: Path, ids: list[tuple[str, str]]) -> tuple[list[float], int]:
    conn = sqlite3.connect(path, isolation_level=None)
    for p in PRAGMAS:
        conn.execute(p)
    work = [statements(captured(conn, rid, line)) for rid, line in ids]
    conn.row_factory = None
    times = []
    for batch in work:
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        for sql, params in batch:
            conn.execute(sql, params)
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t)
    conn.close()
    return times, len(work[0]) if work else 0


def ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 3) if values else 0.0


def p95(values: list[float]) -> float:
    return round(sorted(values)[int(0.95 * (len(values) - 1))] * 1000, 3) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--persons", type=int, default=2000, help="scratch store size when --db is missing")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "200")))
    args = parser.parse_args()
    scratch_root = args.db.parent if args.db.exists() else None
    with tempfile.TemporaryDirectory(prefix="bench-corr-", dir=scratch_root) as tmp:
        path, source = prepare(args.db, args.persons, Path(tmp))
        result = measure(path, args.runs)
        bare, statements_per_decision = measure_bare(path, result["ids"])
    decide = result["decide"]
    warm, cold = decide[COLD:], decide[:COLD]
    warm_ms, bare_ms = ms(warm), ms(bare[COLD:])
    print(json.dumps({
        "benchmark": "decide-and-apply a correction (approve: checks, ledger entries, correction document and line, "
                     "account recompute, audit, outbox)",
        "store_persons": result["persons"], "store_document_lines": result["lines"], **source, "runs": len(decide),
        "decide_apply_warm_median_ms": warm_ms, "decide_apply_warm_p95_ms": p95(warm),
        "decide_apply_cold_median_ms": ms(cold), "cold_decisions": COLD,
        # CPU time of this process: what the machine's load (other processes) does not inflate.
        "decide_apply_warm_cpu_median_ms": ms(result["decide_cpu"][COLD:]),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "request_median_ms": ms(result["request"]),
        "bare_sqlite3_median_ms": bare_ms, "bare_statements_per_decision": statements_per_decision,
        "ratio_to_bare": round(warm_ms / bare_ms, 2) if bare_ms else None,
        "pragmas": list(PRAGMAS), "goal_ms": 20, "meets_goal": warm_ms <= 20,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
