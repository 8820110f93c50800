"""Number leases over HTTP: idempotent by request id, never overlapping, region then overflow."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from desktop.sync.wire import ErrorBody, Lease, NumberBlockRef, PushAck
from tests.support.hq_server import HqServer, add_branch
from tests.support.hq_wire import batch, body

LEASES = "/api/v1/sync/leases"


@pytest.fixture
def tokens(hq_server: HqServer) -> dict[str, str]:
    return {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022")}


def ask(server: HqServer, token: str, kind: str = "ssn", request_id: uuid.UUID | None = None) -> Lease:
    with server.client(token) as client:
        response = client.post(LEASES, json={"request_id": str(request_id or uuid.uuid4()),
                                             "kind": kind, "install_epoch": "epoch-0001"})
    assert response.status_code == 200, response.text
    return Lease.model_validate(response.json())


def test_same_request_id_gets_the_same_lease(hq_server: HqServer, tokens: dict[str, str]) -> None:
    request = uuid.uuid4()
    first = ask(hq_server, tokens["1021"], request_id=request)
    again = ask(hq_server, tokens["1021"], request_id=request)
    other = ask(hq_server, tokens["1021"])
    assert first == again
    assert (first.first, first.last) == (1021 * 100_000 + 1, 1021 * 100_000 + 1000)
    assert other.first == first.last + 1


def test_another_branch_reusing_a_request_id_is_refused(hq_server: HqServer,
                                                        tokens: dict[str, str]) -> None:
    request = uuid.uuid4()
    ask(hq_server, tokens["1021"], request_id=request)
    with hq_server.client(tokens["1022"]) as client:
        response = client.post(LEASES, json={"request_id": str(request), "kind": "ssn",
                                             "install_epoch": "epoch-0001"})
    assert response.status_code == 403 and ErrorBody.model_validate(response.json()).fa


def test_concurrent_requests_never_overlap(hq_server: HqServer, tokens: dict[str, str]) -> None:
    jobs = []
    for code in tokens:
        for kind in ("ssn", "central_temporary"):
            repeated = [uuid.uuid4() for _ in range(5)]  # each asked twice, at the same time
            jobs += [(code, kind, rid) for rid in [*(uuid.uuid4() for _ in range(8)), *repeated,
                                                   *repeated]]
    with ThreadPoolExecutor(max_workers=16) as pool:
        leases = list(pool.map(lambda j: (j[0], ask(hq_server, tokens[j[0]], j[1], j[2])), jobs))
    by_request = {}
    for code, lease in leases:
        assert by_request.setdefault((code, lease.request_id), lease) == lease  # idempotent
    distinct = {lease.lease_id: (code, lease) for code, lease in leases}
    for kind in ("ssn", "central_temporary"):
        blocks = sorted((lease.first, lease.last) for _, lease in distinct.values() if lease.kind == kind)
        assert all(a[1] < b[0] for a, b in zip(blocks, blocks[1:], strict=False))  # disjoint
    assert len(distinct) == 2 * 2 * (8 + 5)
    central = [lease for code, lease in distinct.values()
               if code == "1022" and lease.kind == "central_temporary"]
    own = [b for b in central if 1022 * 10_000 <= b.first <= b.last <= 1022 * 10_000 + 9_999]
    assert len(own) == 10  # the whole region (10 blocks), then the overflow pool
    assert all(b.first >= 9900 * 10_000 for b in central if b not in own)


def test_a_used_up_region_leases_from_the_overflow_pool(hq_server: HqServer,
                                                        tokens: dict[str, str]) -> None:
    # The branch's central region holds 10 blocks of 1,000.
    blocks = [ask(hq_server, tokens["1021"], "central_temporary") for _ in range(11)]
    assert blocks[9].last == 1021 * 10_000 + 9_999
    assert blocks[10].first == 9900 * 10_000


def test_starter_block_is_recorded_and_leases_follow_it(hq_server: HqServer,
                                                        tokens: dict[str, str]) -> None:
    starter = NumberBlockRef(kind="ssn", first=1021 * 100_000 + 1, last=1021 * 100_000 + 500)
    with hq_server.client(tokens["1021"]) as client:
        for seq in (1, 2):  # every batch carries it; it is recorded once
            ack = client.post("/api/v1/sync/push", json=body(batch("1021", seq, [], starter=[starter])))
            assert PushAck.model_validate(ack.json()).status == "applied"
    lease = ask(hq_server, tokens["1021"])
    assert lease.first == starter.last + 1
    with psycopg.connect(hq_server.dsn) as conn:
        rows = conn.execute("SELECT branch, source, first, last FROM number_lease ORDER BY first").fetchall()
    assert rows[0] == ("1021", "starter", starter.first, starter.last) and len(rows) == 2


def test_starter_block_inside_another_branchs_lease_is_a_conflict(hq_server: HqServer,
                                                                  tokens: dict[str, str]) -> None:
    theirs = ask(hq_server, tokens["1021"])
    overlapping = NumberBlockRef(kind="ssn", first=theirs.first, last=theirs.first + 10)
    with hq_server.client(tokens["1022"]) as client:
        client.post("/api/v1/sync/push", json=body(batch("1022", 1, [], starter=[overlapping])))
        pulled = client.get("/api/v1/sync/changes").json()["changes"]
    assert [(c["kind"], c["data"]["kind"], c["data"]["branches"]) for c in pulled] == [
        ("conflict", "number_block_overlap", ["1021", "1022"])]
    with psycopg.connect(hq_server.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM number_lease").fetchone() == (1,)


def test_the_database_refuses_overlapping_blocks_itself(hq_server: HqServer,
                                                        tokens: dict[str, str]) -> None:
    lease = ask(hq_server, tokens["1021"])
    with psycopg.connect(hq_server.dsn) as conn, pytest.raises(psycopg.errors.ExclusionViolation):
        conn.execute("INSERT INTO number_lease (id, branch, kind, first, last, source)"
                     " VALUES (gen_random_uuid(), '1022', 'ssn', %s, %s, 'lease')",
                     (lease.last, lease.last + 5))
