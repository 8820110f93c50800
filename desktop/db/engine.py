"""SQLite engine for a branch store: WAL, foreign keys on, synchronous FULL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # A committed enrolment must survive a power cut at the counter.
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def make_engine(path: str | Path, *, echo: bool = False) -> Engine:
    engine = create_engine(f"sqlite+pysqlite:///{Path(path)}", echo=echo, future=True)
    event.listen(engine, "connect", _on_connect)

    # pysqlite's own BEGIN handling defers the lock; take the write lock at BEGIN so two
    # writers never deadlock upgrading a read lock (one writer per store, DESIGN.md).
    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Readers (execution option `readonly`) take no lock, so they never queue behind a writer.
        readonly = conn.get_execution_options().get("readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, future=True)
