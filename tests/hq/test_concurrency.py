"""HQ under many branches at once (issue 14 item 5): what bench/hq_load.py found, each pinned.

- Leases: one per-kind lock for every grant made a thousand branches' first rounds queue behind
  each other; a grant in a branch's own region now only excludes that branch (and whatever may
  touch other branches' numbers: the overflow pool, starter blocks).
- The connection pool: `hq serve` ran 40 handler threads over 4 pooled connections, and a
  request that waited longer than the pool timeout answered 500; the thread pool is now no
  larger than the connection pool, and a pool timeout, should one still happen, is a 503 with
  Retry-After (nothing written, the client retries).
- `hq serve --workers N`: N processes on one port, each its own engine.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from desktop.sync.wire import ErrorBody, Lease, NumberBlockRef, PushAck
from hq.app import HANDLER_THREADS, create_app
from hq.db import make_engine
from hq.leases import KIND_LOCK, REGION_LOCK_CLASS
from tests.support.hq_server import HqServer, add_branch, hq
from tests.support.hq_wire import batch, body, enrol, snapshot

LEASES = "/api/v1/sync/leases"


def _lease_body() -> dict[str, str]:
    return {"request_id": str(uuid.uuid4()), "kind": "ssn", "install_epoch": "epoch-0001"}


@contextmanager
def grant_in_progress(dsn: str, branch: int) -> Iterator[None]:
    """Hold the locks a lease grant in `branch`'s own region holds, until the block ends."""
    with psycopg.connect(dsn) as conn:
        conn.execute("SELECT pg_advisory_xact_lock_shared(2, %s), pg_advisory_xact_lock(%s, %s)",
                     (KIND_LOCK["ssn"], REGION_LOCK_CLASS + KIND_LOCK["ssn"], branch))
        yield
        conn.rollback()


def test_leases_for_different_branches_do_not_wait_for_each_other(hq_server: HqServer) -> None:
    tokens = {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022")}
    with ThreadPoolExecutor(2) as pool, grant_in_progress(hq_server.dsn, 1021):
        own = pool.submit(lambda: hq_server.client(tokens["1021"]).post(LEASES, json=_lease_body()))
        other = hq_server.client(tokens["1022"]).post(LEASES, json=_lease_body(), timeout=20)
        assert other.status_code == 200, other.text  # not queued behind branch 1021's grant
        assert Lease.model_validate(other.json()).first == 1022 * 100_000 + 1
        time.sleep(0.5)
        assert not own.done()  # the same branch's next grant waits for the one in progress
    assert own.result(timeout=20).status_code == 200


def test_a_starter_block_waits_for_grants_in_progress(hq_server: HqServer) -> None:
    """Recording a starter block may touch any branch's numbers: it takes the kind lock
    exclusively, so it never checks for overlaps while a grant is half done."""
    token = add_branch(hq_server.dsn, "1021")
    starter = NumberBlockRef(kind="ssn", first=1021 * 100_000 + 1, last=1021 * 100_000 + 500)
    with ThreadPoolExecutor(1) as pool, grant_in_progress(hq_server.dsn, 1022):
        pushed = pool.submit(lambda: hq_server.client(token).post(
            "/api/v1/sync/push", json=body(batch("1021", 1, [], starter=[starter]))))
        time.sleep(1.0)
        assert not pushed.done()
    assert PushAck.model_validate(pushed.result(timeout=20).json()).status == "applied"


def test_many_branches_leasing_at_once_get_disjoint_blocks(hq_server: HqServer) -> None:
    codes = [str(1100 + i) for i in range(12)]
    tokens = {code: add_branch(hq_server.dsn, code) for code in codes}
    # Each branch asks three times at once, one request id sent twice; one branch runs past its
    # region into the overflow pool meanwhile (central numbers: 10 blocks a region).
    jobs = [(code, rid) for code in codes for rid in [uuid.uuid4(), uuid.uuid4()] for _ in (0, 1)]

    def ask(job: tuple[str, uuid.UUID], kind: str = "ssn") -> tuple[str, Lease]:
        code, rid = job
        response = hq_server.client(tokens[code]).post(LEASES, json={
            "request_id": str(rid), "kind": kind, "install_epoch": "epoch-0001"})
        assert response.status_code == 200, response.text
        return code, Lease.model_validate(response.json())

    with ThreadPoolExecutor(16) as pool:
        overflow = [pool.submit(ask, ("1100", uuid.uuid4()), "central_temporary") for _ in range(12)]
        leases = list(pool.map(ask, jobs))
        central = [f.result()[1] for f in overflow]
    assert len({lease.lease_id for _, lease in leases}) == len(codes) * 2  # repeats: same lease
    for code, lease in leases:
        assert int(code) * 100_000 < lease.first <= lease.last < (int(code) + 1) * 100_000
    blocks = sorted((b.first, b.last) for b in central)
    assert all(a[1] < b[0] for a, b in zip(blocks, blocks[1:], strict=False))
    assert sum(b.first >= 9900 * 10_000 for b in central) == 2


def test_no_free_connection_is_a_503_with_retry_after(hq_dsn: str) -> None:
    engine = make_engine(hq_dsn, pool_size=1, pool_timeout=0.5)  # two connections at most
    token = add_branch(hq_dsn, "1021")
    held = [engine.connect(), engine.connect()]
    try:
        with TestClient(create_app(engine)) as client:
            response = client.get("/api/v1/sync/changes",
                                  headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        error = ErrorBody.model_validate(response.json())
        assert error.code == "busy" and "شلوغ" in error.fa and "retry" in error.en
    finally:
        for conn in held:
            conn.close()
        engine.dispose()


def test_serve_runs_workers_and_a_burst_of_pushes_gets_no_5xx(hq_dsn: str) -> None:
    codes = [str(1200 + i) for i in range(8)]
    tokens = {code: add_branch(hq_dsn, code) for code in codes}
    server = HqServer(hq_dsn, extra=("--workers", "2"))
    server.start(timeout=60)
    try:
        assert server.process is not None
        assert len(_children(server.process.pid)) >= 2  # the supervisor's worker processes
        # Far more requests at once than one worker's handler threads and pooled connections.
        jobs = [(code, seq) for code in codes for seq in range(1, 2 * HANDLER_THREADS // len(codes) + 3)]

        def push(job: tuple[str, int]) -> int:
            code, seq = job
            snap = snapshot(code, seq)
            with httpx.Client(base_url=server.url, timeout=60,
                              headers={"Authorization": f"Bearer {tokens[code]}"}) as client:
                response = client.post("/api/v1/sync/push", json=body(batch(code, seq, [enrol(snap)])))
            return response.status_code

        with ThreadPoolExecutor(64) as pool:
            statuses = list(pool.map(push, jobs))
        assert statuses == [200] * len(jobs)
        with psycopg.connect(hq_dsn) as conn:
            assert conn.execute("SELECT count(*) FROM person").fetchone() == (len(jobs),)
    finally:
        server.stop()


def _children(pid: int) -> list[int]:
    from pathlib import Path

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("workers", ["0", "65"])
def test_serve_refuses_a_bad_worker_count(hq_dsn: str, workers: str) -> None:
    done = hq("serve", "--pg", hq_dsn, "--workers", workers, check=False)
    assert done.returncode == 2 and "--workers" in done.stderr and "خطا" in done.stderr


def test_handler_threads_never_outnumber_pooled_connections(hq_dsn: str, monkeypatch) -> None:
    """The worker's app: as many pooled connections as handler threads (no pool wait)."""
    import os

    import hq.app
    from hq.app import SERVE_PG, app_from_environment

    # The worker process tunes its garbage collector for good; this test process must not be.
    monkeypatch.setattr(hq.app, "tune_garbage_collector", lambda: None)
    os.environ[SERVE_PG] = hq_dsn
    try:
        app = app_from_environment()
        engine = app.state.engine
        assert engine.pool.size() >= HANDLER_THREADS
        with TestClient(app) as client:  # the lifespan ran in the portal's event loop
            tokens = client.portal.call(_thread_tokens)
        assert tokens == HANDLER_THREADS
    finally:
        del os.environ[SERVE_PG]


async def _thread_tokens() -> int:
    import anyio.to_thread

    return int(anyio.to_thread.current_default_thread_limiter().total_tokens)


def test_an_idle_keep_alive_connection_outlives_the_clients_expiry(hq_server: HqServer) -> None:
    """A client reusing its connection after 6 s idle (httpx forgets it after 5 s) finds it open:
    the server never closes a connection a client may be sending on at that moment."""
    import socket

    request = b"GET /healthz HTTP/1.1\r\nHost: hq\r\nConnection: keep-alive\r\n\r\n"

    def exchange(sock: socket.socket) -> bytes:
        sock.sendall(request)
        answer = b""
        while not answer.endswith(b'{"ok":true}'):
            chunk = sock.recv(4096)  # b"" once the server has closed the connection
            if not chunk:
                break
            answer += chunk
        return answer

    with socket.create_connection(("127.0.0.1", hq_server.port), timeout=10) as sock:
        assert exchange(sock).startswith(b"HTTP/1.1 200")
        time.sleep(6.0)
        assert exchange(sock).startswith(b"HTTP/1.1 200")


def test_a_big_push_takes_a_bounded_number_of_locks(hq_server: HqServer) -> None:
    """5,000 national codes lock at most NATIONAL_CODE_LOCKS buckets (plus the branch's own push
    lock): PostgreSQL's default lock table holds 6,400 slots for every transaction at once."""
    from hq.push import NATIONAL_CODE_LOCKS, _lock_national_codes

    big = batch("1061", 1, [enrol(snapshot("1061", n)) for n in range(5000)])
    engine = make_engine(hq_server.dsn, pool_size=1)
    try:
        with engine.begin() as conn:
            _lock_national_codes(conn, big)
            held = conn.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                        " AND pid = pg_backend_pid()").scalar_one()
    finally:
        engine.dispose()
    assert 0 < held <= NATIONAL_CODE_LOCKS


def test_the_workers_listener_gives_connections_tcp_nodelay() -> None:
    """`hq serve --workers N` shares one listener among worker processes; uvicorn's own had
    protocol 0, and asyncio then left Nagle's algorithm on for every connection (an idle sync
    round waited 40 ms per keep-alive request for the delayed ACK). hq.serving binds it as TCP."""
    import asyncio
    import socket

    from hq.serving import listener

    async def accepted_nodelay() -> int:
        flags: list[int] = []

        def connected(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            flags.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=listener("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if flags:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        return flags[0]

    assert asyncio.run(accepted_nodelay()) == 1
