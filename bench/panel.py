"""The authorities' panel on a 1,000,000-person central store: an inquiry answered through the
JSON API, timed at the server, against the bare SQL lookup; and sustained inquiries per second.

Starts its own PostgreSQL cluster (tests/support/postgres.py: private socket, fsync off) and a real
`hq serve`, and builds the central store inside PostgreSQL with generate_series — persons with
valid national codes and converged snapshots, their relationships, workshops — in the shape
branches push (hq/apply.py): 55% active main insured at a workshop (a quarter of them with an
earlier, ended relationship), 25% dependants of one of them (wife, son, daughter), 20% whose only
relationship ended. Then:

- `api`: N sequential `POST /api/v1/inquiries` over one keep-alive connection, half by a fund,
  half by a judicial authority, 90% about enrolled persons, 10% unknown national codes, a fifth
  of them with a period. `server_ms` is the `Server-Timing: app;dur=` the server reports (from
  the request reaching the application to its response starting: key check, rate limit, the
  central read, the engine, the recorded answer, JSON); `client_ms` the round trip seen here.
- `bare_sql`: `SELECT snapshot FROM person WHERE national_code = $1` with psycopg on the same
  national codes, same run (the floor: one index probe returning the snapshot), measured after
  one untimed pass over those codes, and before the API run.
- `sustained`: C concurrent clients (threads, one keep-alive connection each) for S seconds.

Usage: .venv/bin/python bench/panel.py [--persons 1000000] [--requests 2000] [--clients 8]
       [--seconds 20]
Prints one JSON document. Goal: server median <= 20 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from tests.support.hq_server import HqServer  # noqa: E402
from tests.support.postgres import start_cluster  # noqa: E402

GOAL_MS = 20.0

# A valid national code from a 9-digit body (SPEC §1.1): weights 10..2, remainder r of 11,
# check digit r when r < 2, else 11 - r. The body starts at 1 so no code is ten equal digits.
BUILD = """
CREATE FUNCTION pg_temp.nc(g bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT b || CASE WHEN r < 2 THEN r ELSE 11 - r END
  FROM (SELECT b, (SELECT sum(substr(b, i, 1)::int * (11 - i)) FROM generate_series(1, 9) i) % 11 AS r
        FROM (SELECT lpad((100000000 + g)::text, 9, '0') AS b) x) y
$$;

INSERT INTO workshop (code, name, address)
SELECT lpad((1021000000 + w)::text, 10, '0'), 'کارگاه شماره ' || w, 'تهران، خیابان ' || (w % 300) || '، پلاک ' || w
FROM generate_series(1, 20000) w;

CREATE TEMP TABLE gen AS
SELECT g,
       md5('p' || g)::uuid AS id,
       pg_temp.nc(g) AS national_code,
       lpad((200000000 + g)::text, 10, '0') AS ssn,
       CASE WHEN g % 20 < 11 THEN 'main' WHEN g % 20 < 16 THEN 'dependant' ELSE 'ended' END AS kind,
       (date '2010-03-21' + (g * 37 % 4000)) AS start
FROM generate_series(1, :n) g;

INSERT INTO person (id, national_code, foreign_id, ssn, first_name, last_name, father_name,
                    birth_date, benefit_birth_date, gender, enrolled_branch, enrolled_at, snapshot,
                    updated_from_seq)
SELECT id, national_code, NULL, ssn, 'نام' || (g % 500), 'خانواده' || (g % 2000), 'پدر' || (g % 300),
       date '1960-01-01' + (g % 15000), date '1960-01-01' + (g % 15000),
       CASE WHEN g % 2 = 0 THEN 'male' ELSE 'female' END,
       lpad((1000 + g % 200)::text, 4, '0'), now(),
       jsonb_build_object(
         'id', id, 'national_code', national_code, 'foreign_id', NULL, 'ssn', ssn,
         'first_name', 'نام' || (g % 500), 'last_name', 'خانواده' || (g % 2000),
         'father_name', 'پدر' || (g % 300), 'birth_date', date '1960-01-01' + (g % 15000),
         'benefit_birth_date', date '1960-01-01' + (g % 15000),
         'gender', CASE WHEN g % 2 = 0 THEN 'male' ELSE 'female' END, 'death_date', NULL,
         'enrolled_branch', lpad((1000 + g % 200)::text, 4, '0'), 'enrolled_at', now(),
         'roles', CASE kind WHEN 'dependant' THEN '["dependant"]'::jsonb ELSE '["main_insured"]'::jsonb END,
         'numbers', jsonb_build_object('permanent', ssn),
         'relationships', CASE kind
           WHEN 'main' THEN
             CASE WHEN g % 4 = 0 THEN jsonb_build_array(
               jsonb_build_object('id', md5('o' || g)::uuid, 'kind', 'voluntary',
                                  'start', start - 2000, 'end', start - 30, 'end_reason', 'quit',
                                  'workshop_code', NULL, 'insurance_number', ssn,
                                  'main_insured_ssn', NULL, 'medical_link', NULL))
             ELSE '[]'::jsonb END
             || jsonb_build_array(jsonb_build_object(
                  'id', md5('r' || g)::uuid, 'kind', 'mandatory', 'start', start, 'end', NULL,
                  'end_reason', NULL, 'workshop_code', lpad((1021000000 + 1 + g % 20000)::text, 10, '0'),
                  'insurance_number', ssn, 'main_insured_ssn', NULL, 'medical_link', NULL))
           WHEN 'dependant' THEN jsonb_build_array(jsonb_build_object(
                  'id', md5('r' || g)::uuid, 'kind', (ARRAY['wife', 'son', 'daughter'])[1 + g % 3],
                  'start', start, 'end', NULL, 'end_reason', NULL, 'workshop_code', NULL,
                  'insurance_number', ssn,
                  -- the main insured: the nearest earlier person of kind 'main' (g % 20 < 11)
                  'main_insured_ssn', lpad((200000000 + (g - g % 20) + (g % 20) % 11)::text, 10, '0'),
                  'medical_link', true))
           ELSE jsonb_build_array(jsonb_build_object(
                  'id', md5('r' || g)::uuid, 'kind', 'voluntary', 'start', start,
                  'end', start + 700, 'end_reason', 'quit', 'workshop_code', NULL,
                  'insurance_number', ssn, 'main_insured_ssn', NULL, 'medical_link', NULL))
         END),
       1
FROM gen;

INSERT INTO relationship (id, person_id, branch, kind, start, "end", end_reason, workshop_code,
                          insurance_number, main_insured_ssn, medical_link)
SELECT (r->>'id')::uuid, p.id, p.enrolled_branch, r->>'kind', (r->>'start')::date,
       (r->>'end')::date, r->>'end_reason', r->>'workshop_code', r->>'insurance_number',
       r->>'main_insured_ssn', (r->>'medical_link')::boolean
FROM person p, json_array_elements(p.snapshot->'relationships') r;

INSERT INTO insurance_number (value, kind, person_id, branch)
SELECT ssn, 'permanent', id, enrolled_branch FROM person;
"""


def build(dsn: str, persons: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        sql = BUILD.replace(":n", str(int(persons)))
        for statement in _statements(sql):
            conn.execute(statement)  # type: ignore[arg-type]
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _statements(sql: str) -> list[str]:
    """Split on ';' at line ends, keeping the $$-quoted function body whole."""
    out, current, quoted = [], [], False
    for line in sql.splitlines():
        current.append(line)
        quoted ^= line.count("$$") % 2 == 1
        if line.rstrip().endswith(";") and not quoted:
            out.append("\n".join(current))
            current = []
    return [s for s in out if s.strip()]


def national_codes(dsn: str, persons: int, count: int, rng: random.Random) -> list[str]:
    with psycopg.connect(dsn) as conn:
        wanted = [rng.randint(1, persons) for _ in range(count)]
        rows = conn.execute("SELECT national_code FROM person WHERE ssn = ANY(%s)",
                            ([f"{200000000 + g:010d}" for g in wanted],)).fetchall()
    codes = [r[0] for r in rows]
    rng.shuffle(codes)
    return codes


def unknown_code(rng: random.Random) -> str:
    """A valid national code no generated person has (body ≥ 900000000)."""
    body = f"{rng.randint(900_000_000, 999_999_998):09d}"
    r = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
    return body + str(r if r < 2 else 11 - r)


def requests_for(codes: list[str], count: int, rng: random.Random) -> list[tuple[str, dict[str, str]]]:
    """(authority, body): half fund, half judicial; 10% unknown; a fifth with a period."""
    out = []
    for i in range(count):
        nc = unknown_code(rng) if i % 10 == 9 else codes[i % len(codes)]
        body = {"national_code": nc}
        if i % 5 == 4:
            body |= {"from": "1395/01/01", "to": "1400/12/29"}
        out.append(("fund" if i % 2 == 0 else "judicial", body))
    return out


def timing(response: httpx.Response) -> float:
    header = response.headers.get("server-timing", "")
    return float(header.split("dur=")[1]) if "dur=" in header else float("nan")


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered), 3),
            "p95": round(ordered[int(len(ordered) * 0.95) - 1], 3),
            "max": round(ordered[-1], 3), "n": len(ordered)}


def run_api(url: str, keys: dict[str, str], work: list[tuple[str, dict[str, str]]]) -> dict[str, object]:
    server_ms, client_ms, states = [], [], {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for i, (who, body) in enumerate(work):
            started = time.perf_counter()
            response = client.post("/api/v1/inquiries", json=body,
                                   headers={"Authorization": f"Bearer {keys[who]}"})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"inquiry refused: {response.status_code} {response.text}")
            if i >= 50:  # the first requests warm the server's pools and caches
                server_ms.append(timing(response))
                client_ms.append(elapsed)
            state = response.json()["state"]
            states[state] = states.get(state, 0) + 1
    return {"server_ms": summary(server_ms), "client_ms": summary(client_ms), "states": states}


def run_bare(dsn: str, work: list[tuple[str, dict[str, str]]]) -> dict[str, float]:
    times = []
    with psycopg.connect(dsn) as conn:
        for i, (_, body) in enumerate(work):
            started = time.perf_counter()
            conn.execute("SELECT snapshot FROM person WHERE national_code = %s",
                         (body["national_code"],)).fetchall()
            if i >= 50:
                times.append((time.perf_counter() - started) * 1000)
    return summary(times)


def run_sustained(url: str, keys: dict[str, str], work: list[tuple[str, dict[str, str]]],
                  clients: int, seconds: float) -> dict[str, object]:
    done = [0] * clients
    server_ms: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def client_loop(n: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            i = n
            while time.perf_counter() < stop:
                who, body = work[i % len(work)]
                response = client.post("/api/v1/inquiries", json=body,
                                       headers={"Authorization": f"Bearer {keys[who]}"})
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {response.text[:200]}")
                    return
                server_ms[n].append(timing(response))
                done[n] += 1
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"clients": clients, "seconds": round(elapsed, 2), "inquiries": sum(done),
            "per_second": round(sum(done) / elapsed, 1),
            "server_ms": summary([v for per in server_ms for v in per]), "errors": errors[:3]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    rng = random.Random(15)

    cluster = start_cluster("shared_buffers=1GB")
    try:
        from hq.db import make_engine, migrate
        from hq.panel.service import add_authority

        cluster.create_database("hq")
        dsn = cluster.dsn("hq")
        engine = make_engine(dsn, pool_size=1)
        migrate(engine)
        with engine.begin() as conn:
            keys = {"fund": add_authority(conn, code="F1", name="صندوق بازنشستگی", group="fund")[1],
                    "judicial": add_authority(conn, code="J1", name="دادگستری", group="judicial")[1]}
        engine.dispose()
        print(f"building {args.persons} persons…", file=sys.stderr)
        built = build(dsn, args.persons)
        codes = national_codes(dsn, args.persons, min(args.requests, args.persons), rng)
        work = requests_for(codes, args.requests, rng)
        server = HqServer(dsn, extra=("--key-rate", "1000000000", "--key-burst", "1000000000"))
        server.start()
        try:
            # Both sides read the same persons: one untimed pass first, so neither side pays
            # for bringing the other's pages into memory.
            run_bare(dsn, work)
            bare = run_bare(dsn, work)
            print("inquiries through the API…", file=sys.stderr)
            api = run_api(server.url, keys, work)
            print(f"sustained, {args.clients} clients…", file=sys.stderr)
            sustained = run_sustained(server.url, keys, work, args.clients, args.seconds)
        finally:
            server.stop()
            server.log.unlink(missing_ok=True)
        with psycopg.connect(dsn) as conn:
            size = conn.execute("SELECT pg_size_pretty(pg_database_size('hq')),"
                                " (SELECT count(*) FROM relationship), (SELECT count(*) FROM panel_answer)").fetchone()
    finally:
        cluster.stop()
    server_median = api["server_ms"]["median"]  # type: ignore[index]
    print(json.dumps({
        "persons": args.persons, "relationships": size[1] if size else None,
        "database_size": size[0] if size else None, "build_s": round(built, 1),
        "api": api, "bare_sql_ms": bare,
        "ratio_server_to_bare_sql": round(server_median / bare["median"], 1),
        "sustained": sustained, "answers_recorded": size[2] if size else None,
        "goal_server_median_ms": GOAL_MS, "pass": server_median <= GOAL_MS,
    }, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
