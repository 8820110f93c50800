"""A real `hq serve` on a free localhost port, for tests that speak HTTP to headquarters.

`HqServer.start` runs the console entry point in a subprocess (the same code an operator runs),
waits for /healthz, and `stop` ends it (SIGTERM, or SIGKILL for the fault tests).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from .postgres import PostgresCluster

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hq(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the `hq` command line (python -m hq: the same `main` as the console script)."""
    done = subprocess.run([sys.executable, "-m", "hq", *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"hq {' '.join(argv[:2])} exited {done.returncode}: {done.stderr}")
    return done


def add_branch(dsn: str, code: str, name: str = "") -> str:
    """Register a branch (what `hq branch add` does, in this process); returns its token."""
    from hq.branches import register
    from hq.db import make_engine

    engine = make_engine(dsn, pool_size=1)
    try:
        return register(engine, code, name or f"شعبه {code}")
    finally:
        engine.dispose()


def _new_log() -> Path:
    fd, path = tempfile.mkstemp(prefix="hq-serve-", suffix=".log")
    os.close(fd)
    return Path(path)


@dataclass
class HqServer:
    dsn: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # The server's stderr goes to a file: a pipe nobody reads would block it once full.
    log: Path = field(default_factory=lambda: _new_log())
    extra: tuple[str, ...] = ()  # more `hq serve` options (e.g. --max-bad-tokens N)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.log.touch()
        with self.log.open("ab") as err:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hq", "serve", "--pg", self.dsn, "--host", "127.0.0.1",
                 "--port", str(self.port), *self.extra], cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + timeout
        # One client for the whole wait: `httpx.get` builds a client per call, and each loads
        # the CA bundle (a quarter of a second of CPU on a loaded machine, 40 times per start,
        # taken from the server that is starting).
        with httpx.Client(verify=False, timeout=1.0) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"hq serve exited {self.process.returncode}: "
                                       f"{self.log.read_text(errors='replace')[-4000:]}")
                try:
                    if http.get(f"{self.url}/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("hq serve did not answer /healthz in time")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if sig != signal.SIGKILL:  # a killed server is started again on the same log
            self.log.unlink(missing_ok=True)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60.0)


def clear(dsn: str) -> None:
    """Empty every headquarters table (the schema stays): a clean HQ without a new server."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version'")]
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hq_served(pg_cluster: PostgresCluster, hq_template: str) -> Iterator[HqServer]:
    """One `hq serve` per test module (starting Python and uvicorn takes seconds on a busy
    machine); `hq_server` empties its database before each test."""
    name = pg_cluster.create_database(template=hq_template)
    server = HqServer(pg_cluster.dsn(name))
    server.start()
    yield server
    server.stop()
    server.log.unlink(missing_ok=True)
    pg_cluster.drop_database(name)


@pytest.fixture
def hq_server(hq_served: HqServer) -> HqServer:
    """A running `hq serve` on an empty, migrated headquarters database."""
    if hq_served.process is None or hq_served.process.poll() is not None:
        hq_served.start()  # a test stopped it
    clear(hq_served.dsn)
    return hq_served
