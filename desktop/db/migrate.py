"""Alembic, driven from code: a new store is created by migrating to head; the future is refused.

An upgrade cannot half-fail (calibre's `schema_upgrades` is the model): every pending revision
runs inside ONE exclusive transaction, so a revision that fails leaves the store at the revision
it had. SQLite's DDL is transactional; what is not is `PRAGMA foreign_keys`, which is a no-op
inside a transaction — so it is switched off on the connection *before* BEGIN (a batch-mode table
rebuild must not cascade deletes while it drops the old table), and `PRAGMA foreign_key_check`
runs before COMMIT instead (SQLite's documented 12-step schema-change procedure).

Before an existing store is upgraded, a copy is made beside it with SQLite's online backup API
(`<store>.upgrade-backup`); it is removed once the upgrade has committed. If the upgrade fails, the
transaction is rolled back; should the store then not read as it did (its revision changed, or it
fails `integrity_check`), it is restored from the copy, and the copy is kept only if even that
failed (the message names it).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from desktop.db.engine import make_engine
from desktop.domain.errors import DomainError

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreTooNew(DomainError):
    """The store's schema revision is not one this version knows (newer, or unreadable)."""

    exit_code = 5


class UpgradeFailed(DomainError):
    """Upgrading the store to this version's schema failed; the store is as it was before."""

    exit_code = 7


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
        cfg.attributes["engine"] = engine
    return cfg


def _script() -> ScriptDirectory:
    return _script_at(MIGRATIONS)


@functools.cache
def _script_at(location: Path) -> ScriptDirectory:
    # Reading the revision files costs ~60 ms; every open of a store needs them, so read once
    # per process (keyed by location: tests point MIGRATIONS at a copy with a failing revision).
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    return ScriptDirectory.from_config(cfg)


@functools.cache
def _known_revisions(location: Path) -> frozenset[str]:
    return frozenset(s.revision for s in _script_at(location).walk_revisions())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_revisions(revisions: tuple[str, ...]) -> None:
    """Refuse (exit 5) a store whose `alembic_version` is not exactly one revision this version knows."""
    shown = ", ".join(revisions)
    if len(revisions) != 1:
        raise StoreTooNew(
            f"نسخه طرح این پایگاه داده روشن نیست (ثبت‌شده: «{shown}»). "
            "آن را با برنامه باز نکنید و به پشتیبانی خبر دهید.",
            f"this store records {len(revisions)} schema versions ({shown}), not one; it cannot be opened safely",
        )
    # An exact id, not alembic's resolution (which also accepts "head", prefixes and symbols).
    if revisions[0] not in _known_revisions(MIGRATIONS):
        raise StoreTooNew(
            f"این پایگاه داده با نسخه جدیدتری از برنامه ساخته شده است (نسخه طرح {shown}). "
            "لطفاً برنامه را به‌روز کنید.",
            f"this store was made by a newer version of Branch Desk (schema {shown}); upgrade the application",
        )


def _stored_revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").first()
        if not exists:
            return ()
        return tuple(r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version"))


def ensure_not_from_future(engine: Engine) -> None:
    revisions = _stored_revisions(engine)
    if revisions:  # none: a brand-new file
        check_revisions(revisions)


@contextmanager
def schema_transaction(engine: Engine) -> Iterator[Connection]:
    """One exclusive transaction for a whole schema change, with foreign keys off and checked at the end."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # before BEGIN: inside a transaction it is a no-op
        try:
            with conn.begin():  # BEGIN IMMEDIATE (desktop.db.engine)
                yield conn
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the upgrade would break {len(broken)} foreign keys: {broken[:3]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def upgrade_to_head(engine: Engine) -> None:
    """All pending revisions in one transaction (a new store, or one already backed up)."""
    ensure_not_from_future(engine)
    with schema_transaction(engine) as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn  # env.py runs inside this transaction, commits nothing
        command.upgrade(cfg, "head")


def backup_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".upgrade-backup")


def _copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while another connection has the store open."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def upgrade_store_file(path: Path, revision: str) -> None:
    """Upgrade the existing store at `path` (now at `revision`) to head, or leave it as it was."""
    backup = backup_path_for(path)
    try:
        _copy_database(path, backup)
    except (sqlite3.Error, OSError) as exc:  # a full disk, a read-only folder
        backup.unlink(missing_ok=True)
        why = f"{type(exc).__name__}: {exc}"[:300]
        raise UpgradeFailed(
            f"پیش از ارتقای پایگاه داده «{path.name}» باید نسخه پشتیبانی کنار آن ساخته شود که ممکن نشد "
            f"(جای خالی دیسک یا اجازه نوشتن را بررسی کنید). پایگاه داده دست‌نخورده مانده است. علت: {why}",
            f"could not write the copy taken before upgrading {path} (check free disk space and write "
            f"permission); nothing was upgraded, the store is unchanged. Cause: {why}",
        ) from exc
    engine = make_engine(path)
    try:
        upgrade_to_head(engine)
    except Exception as exc:  # noqa: BLE001 - whatever a revision raised, the store must be put back
        engine.dispose()
        restored = _as_before(path, backup, revision)
        raise _failed(path, backup, revision, exc, restored) from exc
    engine.dispose()
    backup.unlink()


def _as_before(path: Path, backup: Path, revision: str) -> bool:
    """After a rolled-back upgrade: is the store as it was? If not, put the copy back. True if sound."""
    if _reads_as(path, revision):
        backup.unlink()
        return True
    try:
        _copy_database(backup, path)
    except sqlite3.Error:
        return False
    if _reads_as(path, revision):
        backup.unlink()
        return True
    return False


def _reads_as(path: Path, revision: str) -> bool:
    try:
        conn = sqlite3.connect(path)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            versions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return ok and versions == [revision]


def _failed(path: Path, backup: Path, revision: str, exc: Exception, restored: bool) -> UpgradeFailed:
    why = f"{type(exc).__name__}: {exc}"[:300]
    if restored:
        return UpgradeFailed(
            f"ارتقای پایگاه داده «{path.name}» به نسخه این برنامه انجام نشد و پایگاه داده دست‌نخورده "
            f"(نسخه طرح {revision}) مانده است. به پشتیبانی خبر دهید. علت: {why}",
            f"upgrading {path} to this version's schema failed; the store is unchanged "
            f"(schema {revision}). Cause: {why}",
        )
    return UpgradeFailed(
        f"ارتقای پایگاه داده «{path.name}» انجام نشد و بازگرداندن آن هم ممکن نشد؛ نسخه پشتیبان پیش از ارتقا "
        f"در «{backup}» نگه داشته شده است. با آن به پشتیبانی مراجعه کنید. علت: {why}",
        f"upgrading {path} failed and the store could not be verified as unchanged; the copy taken "
        f"before the upgrade is kept at {backup}. Cause: {why}",
    )
