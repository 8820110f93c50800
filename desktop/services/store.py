"""Opening (or creating) a branch store: engine, sessions, registry adapter, branch facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, sessionmaker

from desktop.db.engine import make_engine, make_sessionmaker
from desktop.db.migrate import (
    current_revision,
    ensure_not_from_future,
    head_revision,
    upgrade_to_head,
)
from desktop.db.registry_local import LocalRegistry, registry_path_for
from desktop.domain.errors import DomainError, NotFound
from desktop.domain.registry import IdentityRegistry
from desktop.models import StoreSetting

from .changes import ChangeFeed


def default_store_path() -> Path:
    return Path(platformdirs.user_data_dir("branch-desk", appauthor=False)) / "branch.sqlite"


@dataclass
class Store:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    registry: IdentityRegistry
    settings: dict[str, str] = field(default_factory=dict)
    # Injectable "today" so rules with day boundaries can be tested on any day.
    clock: Callable[[], dt.date] = dt.date.today
    changes: ChangeFeed = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.changes = ChangeFeed(self.sessions)

    @property
    def branch_code(self) -> str:
        return self.settings.get("branch_code", "")

    @property
    def branch_name(self) -> str:
        return self.settings.get("branch_name", "")

    def today(self) -> dt.date:
        return self.clock()

    @contextmanager
    def reader(self) -> Iterator[Connection]:
        """A connection for reads only: a deferred transaction that never takes the write lock."""
        with self.engine.connect() as conn:
            yield conn.execution_options(readonly=True)

    def reload_settings(self) -> None:
        with self.sessions() as s:
            self.settings = {row.key: row.value for row in s.scalars(select(StoreSetting))}

    def close(self) -> None:
        self.engine.dispose()
        closer = getattr(self.registry, "close", None)
        if closer:
            closer()


def open_store(path: str | Path, *, migrate: bool = True, registry: IdentityRegistry | None = None) -> Store:
    """Open an existing store; migrate it to head (old stores upgrade), refuse one from the future."""
    path = Path(path)
    if not path.exists():
        raise NotFound(
            f"پایگاه داده شعبه در «{path}» پیدا نشد؛ ابتدا با init آن را بسازید.",
            f"no branch store at {path}; create it with `branch-desk init`",
        )
    engine = make_engine(path)
    ensure_not_from_future(engine)
    if migrate and current_revision(engine) != head_revision():
        upgrade_to_head(engine)
    store = Store(path, engine, make_sessionmaker(engine), registry or LocalRegistry(registry_path_for(path)))
    store.reload_settings()
    if not store.branch_code:
        store.close()
        raise DomainError("این فایل پایگاه داده شعبه نیست.", f"{path} is not a branch store")
    return store


def create_store_file(path: str | Path) -> Engine:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    upgrade_to_head(engine)
    return engine
