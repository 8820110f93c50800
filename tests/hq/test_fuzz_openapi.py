"""Property-based fuzzing of HQ's published OpenAPI against a real `hq serve` (issue 14 item 4).

schemathesis reads /openapi.json and generates requests for every operation, both inside the
schema (positive: with the branch's valid token, so they reach the handlers and PostgreSQL) and
outside it (negative: wrong types, missing fields, out-of-range numbers, garbage headers). For
every request: no 5xx; a refusal is an ErrorBody with a reason; and a refused request wrote
nothing (every HQ table's row count is the same before and after it).

BRANCH_DESK_HQ_FUZZ=N sets the requests per operation and generation mode (default 300; 18 of the
cases must each send at least 93% of it, so the default run sends at least 5,000 requests —
each case prints its figure). In positive mode three batches in four name the token's branch, so
generated changes get past the branch check into push/apply. Seeded
(BRANCH_DESK_HQ_FUZZ_SEED); the parametrised cases spread over `pytest -n 2`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.generation.modes import GenerationMode

from desktop.sync.wire import ErrorBody

from ..support.hq_server import HqServer, add_branch
from ..support.postgres import PostgresCluster
from .hostile_kit import dedicated_server, table_counts

PER_OPERATION = int(os.environ.get("BRANCH_DESK_HQ_FUZZ", "300"))
SEED = int(os.environ.get("BRANCH_DESK_HQ_FUZZ_SEED", "20261201"))
OPERATIONS = [
    ("GET", "/healthz"), ("POST", "/api/v1/sync/push"), ("GET", "/api/v1/sync/changes"),
    ("POST", "/api/v1/sync/leases"), ("GET", "/api/v1/sync/persons/{national_code}"),
    ("GET", "/api/v1/sync/chains/{chain}"), ("GET", "/api/v1/sync/certificates/{tracking_code}"),
    ("GET", "/api/v1/sync/recovery/received"), ("GET", "/api/v1/sync/recovery/persons"),
    ("GET", "/api/v1/sync/recovery/reference"), ("GET", "/api/v1/sync/recovery/records"),
    # issue 15: the authorities' API, called with an authority's API key in positive mode
    ("POST", "/api/v1/inquiries"), ("GET", "/api/v1/inquiries"),
    ("GET", "/api/v1/inquiries/{tracking_code}/letter.pdf"), ("POST", "/api/v1/certificates/verify"),
]
AUTHORITY_PATHS = ("/api/v1/inquiries", "/api/v1/certificates/")
# Every certificate verification attempt is recorded, refused or not (SPEC §4.5): a refusal
# there may add that one row, and nothing else.
RECORDED_ATTEMPTS = {"/api/v1/certificates/verify": "certificate_attempt"}
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# Nothing lies outside the schema of /healthz (no parameters) or of a lookup by any string (its
# positive cases already send arbitrary text, NUL and bidi characters included, as the key).
NO_NEGATIVE = {"/healthz", "/api/v1/sync/persons/{national_code}",
               "/api/v1/sync/certificates/{tracking_code}"}
CASES = [(m, p, mode) for m, p in OPERATIONS for mode in MODES
         if not (p in NO_NEGATIVE and mode is GenerationMode.NEGATIVE)]


@dataclass
class Target:
    server: HqServer
    token: str
    api_key: str
    schema: Any
    db: psycopg.Connection


@pytest.fixture(scope="module")
def target(pg_cluster: PostgresCluster, hq_template: str) -> Iterator[Target]:
    # Its own server: generated Authorization headers are wrong tokens, and the default limit
    # would soon answer everything from 127.0.0.1 with 429 (hq/guard.py).
    with dedicated_server(pg_cluster, hq_template, "--max-bad-tokens", "1000000000",
                          "--key-rate", "1000000000", "--key-burst", "1000000000") as server:
        token = add_branch(server.dsn, "1021")
        api_key = _authority_key(server.dsn)
        doc = httpx.get(f"{server.url}/openapi.json").json()
        with psycopg.connect(server.dsn, autocommit=True) as db:
            yield Target(server, token, api_key, schemathesis.openapi.from_dict(doc), db)


def _authority_key(dsn: str) -> str:
    from hq.db import make_engine
    from hq.panel.service import add_authority

    engine = make_engine(dsn, pool_size=1)
    try:
        with engine.begin() as conn:
            return add_authority(conn, code="F1", name="صندوق نمونه", group="fund")[1]
    finally:
        engine.dispose()


def _operation(target: Target, method: str, path: str) -> Any:
    for result in target.schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == method and operation.path == path:
            return operation
    raise AssertionError(f"{method} {path} is not in HQ's OpenAPI")


def _send(target: Target, case: Any, mode: GenerationMode) -> Any:
    """The generated request (the generated Authorization is kept in negative mode; in positive
    mode the branch's token replaces it, so requests reach the handlers and PostgreSQL)."""
    if mode is GenerationMode.POSITIVE:
        if isinstance(case.body, dict) and isinstance(case.body.get("batch_seq"), int) \
                and case.body["batch_seq"] % 4:
            case.body["branch"] = "1021"
        if case.headers:
            case.headers = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
        secret = target.api_key if case.path.startswith(AUTHORITY_PATHS) else target.token
        return case.call(base_url=target.server.url, headers={"Authorization": f"Bearer {secret}"},
                         timeout=60)
    return case.call(base_url=target.server.url, timeout=60)


@pytest.mark.parametrize(("method", "path", "mode"), CASES,
                         ids=[f"{m} {p} {mode.value}" for m, p, mode in CASES])
def test_generated_requests_never_get_a_server_error(target: Target, method: str, path: str,
                                                     mode: GenerationMode) -> None:
    operation = _operation(target, method, path)
    sent = 0
    seen: dict[int, int] = {}

    @seed(SEED)
    @settings(max_examples=PER_OPERATION, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def case_holds(case: Any) -> None:
        nonlocal sent
        before = table_counts(target.db)
        response = _send(target, case, mode)
        sent += 1
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        where = (f"{method} {path} ({mode.value}, seed {SEED}): {response.status_code} "
                 f"{response.text[:300]}\n{case.as_curl_command()[:1500]}")
        assert response.status_code < 500, where
        if response.status_code >= 400:
            error = ErrorBody.model_validate(response.json())
            assert error.fa.strip() and error.en.strip(), where
            after = table_counts(target.db)
            recorded = RECORDED_ATTEMPTS.get(path)
            if recorded is not None:
                assert after[recorded] - before[recorded] <= 1, where
                before[recorded] = after[recorded]
            assert after == before, f"a refusal wrote: {where}"

    case_holds()
    if path != "/healthz":  # no parameters: one request is all there is to generate
        assert sent >= PER_OPERATION * 0.93, f"only {sent} requests generated for {method} {path}"
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(seen.items()))
    print(f"\n{method} {path} [{mode.value}]: {sent} requests, 0 server errors ({statuses})")
