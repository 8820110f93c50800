"""Headquarters' PostgreSQL: the engine (psycopg 3), its own Alembic tree, one transaction each.

`--pg` takes any libpq connection string (a URI or `key=value` pairs), so the engine hands the
string to psycopg as it is instead of rewriting it into a SQLAlchemy URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from .errors import DatabaseUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(dsn: str, *, pool_size: int = 10, pool_timeout: float = 30.0) -> Engine:
    def connect() -> psycopg.Connection[Any]:
        conn = psycopg.connect(dsn, connect_timeout=10)
        # Branches send naive UTC times; the session reads them as UTC whatever the server says.
        conn.execute("SET TIME ZONE 'UTC'")
        conn.commit()
        return conn

    return create_engine("postgresql+psycopg://", creator=connect, pool_size=pool_size,
                         max_overflow=pool_size, pool_timeout=pool_timeout)


def unavailable(dsn: str, exc: BaseException) -> DatabaseUnavailable:
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    return DatabaseUnavailable(
        f"پایگاه داده ستاد در دسترس نیست ({first}).",
        f"cannot reach the headquarters database {redact(dsn)!r}: {first}",
    )


def redact(dsn: str) -> str:
    """The DSN without a password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:
        return "(unparsable connection string)"
    if "password" in info:
        info["password"] = "***"
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})


def check_dsn(dsn: str) -> None:
    try:
        psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error as exc:
        raise DatabaseUnavailable(
            "نشانی پایگاه داده (--pg) قابل خواندن نیست.",
            f"--pg is not a libpq connection string: {exc}",
        ) from None


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def migrate(engine: Engine) -> tuple[str | None, str | None]:
    """Create or upgrade the schema in ONE transaction; returns (before, after) revisions."""
    from alembic import command  # the upgrade machinery only `hq init` needs

    cfg = _config()
    with engine.begin() as conn:
        # Two `hq init` at once: the second waits here, then finds nothing left to do.
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('hq.migrate'))"))
        before = MigrationContext.configure(conn).get_current_revision()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        after = MigrationContext.configure(conn).get_current_revision()
    return before, after


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(engine: Engine, dsn: str) -> None:
    """Serving or registering against a database `hq init` has not migrated is refused clearly."""
    try:
        revision = current_revision(engine)
    except DBAPIError as exc:
        raise unavailable(dsn, exc) from None
    if revision != head_revision():
        raise DatabaseUnavailable(
            "پایگاه داده ستاد آماده نیست؛ نخست «hq init» را اجرا کنید.",
            f"the database is at schema {revision or 'none'}, not {head_revision()}: run `hq init`",
        )
