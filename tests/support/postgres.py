"""A real PostgreSQL server for the tests: one private cluster per test session (per xdist worker).

The cluster lives in a temporary directory with its socket there and no TCP listener, so test
runs never meet each other or a system server. As root, `initdb` refuses to run, so the
directory is given to the `postgres` user and the server runs as that user (`runuser`); as any
other user the binaries run directly. Durability is off (fsync, synchronous_commit): a test
cluster is thrown away, and this makes CREATE DATABASE and commits cheap.

Fixtures:
- `pg_cluster`   the running cluster (session scope);
- `pg_dsn`       a new empty database per test;
- `hq_dsn`       a new database per test, copied from a template that `hq init` migrated once
                 (CREATE DATABASE … TEMPLATE is a file copy: much faster than migrating again).

DSNs are libpq URIs: `postgresql:///DB?host=SOCKDIR&user=postgres`.
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SUPERUSER = "postgres"
_names = itertools.count(1)


def find_bindir() -> Path:
    """The server binaries: `pg_config --bindir` when that has `initdb`, else Debian's layout."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    # Debian puts the server under /usr/lib/postgresql/N/bin; newest first.
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
                      reverse=True)
    candidates += [Path(p) for p in versions]
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    raise RuntimeError("PostgreSQL server binaries not found (install Debian's `postgresql`: "
                       "scripts/setup.sh does)")


@dataclass
class PostgresCluster:
    base: Path  # owned by the server's user; holds data/, the socket and the log
    bindir: Path
    as_postgres: bool  # run the server's binaries as the `postgres` user (we are root)
    running: bool = field(default=False)

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql:///{database}?host={self.socket_dir}&user={SUPERUSER}"

    def _run(self, *argv: str) -> None:
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(argv[:2])} failed ({done.returncode}):\n"
                               f"{done.stdout}\n{done.stderr}\n{log}")

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-sync")
        options = (f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
                   " -c max_locks_per_transaction=256")  # a push locks each national code it holds
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                  "-o", options)
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.running = False
            try:
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
            finally:
                shutil.rmtree(self.base, ignore_errors=True)

    def execute(self, sql: str, database: str = "postgres") -> None:
        """One statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(self.dsn(database), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        name = name or f"t{os.getpid()}_{next(_names)}"
        source = f" TEMPLATE {template}" if template else ""
        self.execute(f"CREATE DATABASE {name}{source}")
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: an `hq serve` a test started may still hold connections.
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_cluster() -> PostgresCluster:
    as_postgres = os.geteuid() == 0
    # A short path: a Unix socket's path must stay under ~100 bytes.
    base = Path(tempfile.mkdtemp(prefix="bdpg-", dir="/tmp"))
    if as_postgres:
        shutil.chown(base, SUPERUSER, SUPERUSER)
    cluster = PostgresCluster(base, find_bindir(), as_postgres)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    atexit.register(cluster.stop)  # a crashed session still stops its server
    return cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_dsn(pg_cluster: PostgresCluster) -> Iterator[str]:
    """A new, empty database for one test."""
    name = pg_cluster.create_database()
    yield pg_cluster.dsn(name)
    pg_cluster.drop_database(name)


@pytest.fixture(scope="session")
def hq_template(pg_cluster: PostgresCluster) -> str:
    """A database `hq init` migrated once; each test copies it."""
    from hq.db import make_engine, migrate

    name = pg_cluster.create_database("hq_template")
    engine = make_engine(pg_cluster.dsn(name), pool_size=1)
    try:
        migrate(engine)
    finally:
        engine.dispose()  # CREATE DATABASE … TEMPLATE needs it without connections
    return name


@pytest.fixture
def hq_dsn(pg_cluster: PostgresCluster, hq_template: str) -> Iterator[str]:
    """A headquarters database, migrated, for one test."""
    name = pg_cluster.create_database(template=hq_template)
    yield pg_cluster.dsn(name)
    pg_cluster.drop_database(name)
