"""Median time of one enrolment transaction on a large store, against bare sqlite3 inserts.

The enrolment (`desktop.services.enrolment.enrol`) looks the identity up in the registry, checks
for an existing person, records the relationship, allocates the permanent number and the SSN and
writes personal information, audit and outbox rows — one transaction each. The bare baseline
inserts copies of exactly the rows those enrolments wrote (plus the two number-counter updates),
with raw sqlite3, the store's own pragmas and one BEGIN IMMEDIATE … COMMIT per enrolment.

The store: `var/bench-1m.sqlite` (+ its registry) copied to a scratch directory when present;
otherwise a scratch store bulk-filled with BENCH_PERSONS synthetic people (person, relationship,
permanent number, and registry identity rows; raw inserts, not the demo generator), labelled so.
Prints one JSON document. Goal: median < 20 ms.
"""

from __future__ import annotations

import datetime as dt
import json
import os
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

from desktop.db.registry_local import LocalRegistry, registry_path_for  # noqa: E402
from desktop.domain.checkdigits import national_code_check  # noqa: E402
from desktop.domain.identifiers import ssn_from_serial  # noqa: E402
from desktop.services.admin import init_store  # noqa: E402
from desktop.services.enrolment import enrol  # noqa: E402
from desktop.services.store import open_store  # noqa: E402
from desktop.services.users import find_actor  # noqa: E402

BIG_STORE = ROOT / "var" / "bench-1m.sqlite"
PERSONS = int(os.environ.get("BENCH_PERSONS", "200000"))  # ~4 min to build on a busy 2-core box
RUNS = int(os.environ.get("BENCH_RUNS", "300"))
TABLES = ("person", "person_role", "relationship", "insurance_number", "personal_info", "audit_log", "outbox")
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL",
           "PRAGMA busy_timeout=10000", "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY")


def code(body: int) -> str:
    nine = f"{body:09d}"
    return nine + str(national_code_check(nine))


def bulk_fill(path: Path, registry: Path, n: int) -> None:
    """N enrolled people with a voluntary relationship and a permanent number; the registry knows them."""
    conn = sqlite3.connect(path)
    now = dt.datetime(2025, 1, 1).isoformat(sep=" ")
    reg_rows, chunk = [], 50_000
    with conn:
        for lo in range(0, n, chunk):
            people, rels, nums = [], [], []
            for i in range(lo, min(n, lo + chunk)):
                pid, nc = uuid.uuid4().hex, code(100_000_000 + i)
                birth = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20_000)
                people.append((pid, nc, ssn_from_serial(500_000_000 + i), "علی", f"نام{i}", "حسن", birth, birth,
                               "male", "1234", "تهران", 1, now, "1021", now, f"نام{i} علی"))
                rels.append((uuid.uuid4().hex, pid, "voluntary", "2020-01-01", f"01{i:08d}", "1021", 1, now))
                nums.append((uuid.uuid4().hex, pid, "permanent", f"01{i:08d}", "1021", now))
                reg_rows.append((nc, nc, None, "علی", f"نام{i}", "حسن", birth.isoformat(), "male", "1234", "تهران",
                                 None, None, None, None))
            conn.executemany(
                "INSERT INTO person (id, national_code, ssn, first_name, last_name, father_name, birth_date, "
                "benefit_birth_date, gender, birth_certificate_number, place_of_issue, identity_complete, "
                "registry_checked_at, enrolled_branch, enrolled_at, name_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                people)
            conn.executemany(
                "INSERT INTO relationship (id, person_id, type_code, start, insurance_number, branch_code, "
                "medical_link, created_at) VALUES (?,?,?,?,?,?,?,?)", rels)
            conn.executemany("INSERT INTO insurance_number (id, person_id, kind, value, branch_code, issued_at) "
                             "VALUES (?,?,?,?,?,?)", nums)
    conn.close()
    reg = LocalRegistry(registry)
    for lo in range(0, len(reg_rows), chunk):
        reg.add_rows(reg_rows[lo:lo + chunk], [])
    reg.close()


def prepare(scratch: Path) -> tuple[Path, dict]:
    path = scratch / "bench.sqlite"
    if BIG_STORE.exists():
        shutil.copy(BIG_STORE, path)
        if registry_path_for(BIG_STORE).exists():
            shutil.copy(registry_path_for(BIG_STORE), registry_path_for(path))
        return path, {"store": str(BIG_STORE), "built_here": False}
    init_store(path, "1021", "شعبه بنچ", admin_password="admin1234").close()
    started = time.perf_counter()
    bulk_fill(path, registry_path_for(path), PERSONS)
    return path, {"store": f"{BIG_STORE} not present: scratch store bulk-filled here", "built_here": True,
                  "build_seconds": round(time.perf_counter() - started, 1)}


def measure_enrolments(path: Path) -> tuple[list[float], list[str]]:
    store = open_store(path)
    admin = find_actor(store, "admin")
    new = [{"national_code": code(900_000_000 + i), "first_name": "مینا", "last_name": f"تازه{i}",
            "father_name": "رضا", "birth_date": "1370/01/01", "gender": "female",
            "birth_certificate_number": "55", "place_of_issue": "تهران"} for i in range(RUNS)]
    from desktop.domain.enrolment import parse_identity
    store.registry.add([parse_identity(d) for d in new])
    times, ids = [], []
    for d in new:
        q = {"national_code": d["national_code"], "relationship": {"kind": "voluntary", "start": "1402/01/01"},
             "personal": {"address": "تهران، خیابان انقلاب", "mobile": "09121234567"}}
        t = time.perf_counter()
        result = enrol(store, admin, q)
        times.append(time.perf_counter() - t)
        ids.append(result.person_id.hex)
    count = store.engine.connect().exec_driver_sql("SELECT COUNT(*) FROM person").scalar_one()
    store.close()
    return times, ids + [str(count)]


def _rows(conn: sqlite3.Connection, table: str, column: str, key: str) -> list[dict]:
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(f"SELECT * FROM {table} WHERE {column} = ?", (key,))]


def captured(conn: sqlite3.Connection, pid: str) -> dict[str, list[dict]]:
    out = {t: _rows(conn, t, "person_id", pid) for t in ("person_role", "relationship", "insurance_number",
                                                          "personal_info")}
    out["person"] = _rows(conn, "person", "id", pid)
    subject = str(uuid.UUID(pid))
    out["audit_log"] = _rows(conn, "audit_log", "subject_id", subject)
    out["outbox"] = _rows(conn, "outbox", "entity_id", subject)
    return out


def clone(table: str, row: dict, new_pid: str, n: int) -> dict:
    row = dict(row)
    row.pop("seq", None)
    if "id" in row and table != "person":
        row["id"] = uuid.uuid4().hex
    if table == "person":
        row.update(id=new_pid, national_code=f"B{n:09d}", ssn=f"S{n:09d}")
    if "person_id" in row:
        row["person_id"] = new_pid
    if table == "insurance_number":
        row["value"] = f"V{n:09d}"
    return row


def measure_bare(path: Path, person_ids: list[str]) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    for p in PRAGMAS:
        conn.execute(p)
    work = [captured(conn, pid) for pid in person_ids]
    conn.row_factory = None
    times = []
    for n, rows in enumerate(work):
        new_pid = uuid.uuid4().hex
        statements = []
        for table in TABLES:
            for r in rows[table]:
                c = clone(table, r, new_pid, n)
                statements.append((f"INSERT INTO {table} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})",
                                   tuple(c.values())))
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE number_block SET next = next + 1 WHERE kind = 'ssn'")
        conn.execute("UPDATE number_range SET next = next + 1 WHERE kind = 'permanent'")
        for sql, params in statements:
            conn.execute(sql, params)
        conn.execute("COMMIT")
        times.append(time.perf_counter() - t)
    conn.close()
    return times


def ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 3)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-enrol-") as tmp:
        path, source = prepare(Path(tmp))
        times, ids = measure_enrolments(path)
        persons = int(ids.pop())
        bare = measure_bare(path, ids)
    enrol_ms, bare_ms = ms(times), ms(bare)
    print(json.dumps({
        "benchmark": "enrolment transaction (identity lookup, relationship, numbers, audit, outbox)",
        "store_persons": persons, **source, "runs": RUNS,
        "enrol_median_ms": enrol_ms, "enrol_p95_ms": round(sorted(times)[int(0.95 * len(times))] * 1000, 3),
        "bare_sqlite3_median_ms": bare_ms, "ratio_to_bare": round(enrol_ms / bare_ms, 2) if bare_ms else None,
        "pragmas": list(PRAGMAS), "goal_ms": 20, "meets_goal": enrol_ms < 20,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
