"""Alembic, driven from code: a new store is created by migrating to head; the future is refused."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from desktop.domain.errors import DomainError

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreTooNew(DomainError):
    exit_code = 5


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_not_from_future(engine: Engine) -> None:
    current = current_revision(engine)
    if current is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    try:
        script.get_revision(current)
    except Exception:  # alembic raises several kinds for an unknown id
        current = None if current is None else current
        raise StoreTooNew(
            f"این پایگاه داده با نسخه جدیدتری از برنامه ساخته شده است (نسخه طرح {current}). "
            "لطفاً برنامه را به‌روز کنید.",
            f"this store was made by a newer version of Branch Desk (schema {current}); upgrade the application",
        ) from None


def upgrade_to_head(engine: Engine) -> None:
    ensure_not_from_future(engine)
    command.upgrade(alembic_config(engine), "head")
