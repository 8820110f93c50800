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
from desktop.db.migrate import check_revisions, head_revision, upgrade_store_file
from desktop.db.registry_local import LocalRegistry, registry_path_for
from desktop.db.store_file import NotABranchStore, StoreFile, inspect_store_file
from desktop.domain.errors import NotFound
from desktop.domain.registry import IdentityRegistry
from desktop.models import StoreSetting

from .changes import ChangeFeed
from .store_use import mark_in_use


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


def open_store(path: str | Path, *, migrate: bool = True, registry: IdentityRegistry | None = None,
               for_application: bool = False) -> Store:
    """Open an existing branch store; an old one is upgraded to head (backup copy kept until it
    succeeded), one from the future is refused (exit 5).

    Anything that is not a branch store — missing, empty, a directory, a text file, another
    program's SQLite database, an over-long name — is refused before anything is written: no
    migration, no WAL switch, no registry file beside it.
    """
    found = inspect_store_file(path)
    path = found.path
    _require_branch_store(found)
    if for_application:  # a restore must not replace it under the running application
        mark_in_use(path)
    check_revisions(found.revisions)
    if migrate and found.revisions != (head_revision(),):
        upgrade_store_file(path, found.revisions[0])
    engine = make_engine(path)
    store = Store(path, engine, make_sessionmaker(engine), registry or LocalRegistry(registry_path_for(path)))
    store.reload_settings()
    return store


def _require_branch_store(found: StoreFile) -> None:
    path = found.path
    if found.state == "branch_store":
        return
    if path.exists():  # an empty file
        raise NotABranchStore(
            f"«{path}» فایلی خالی است، نه پایگاه داده شعبه؛ برای ساختن پایگاه داده از init استفاده کنید.",
            f"{path} is an empty file, not a branch store; create one with `branch-desk init`",
            field="db",
        )
    raise NotFound(
        f"پایگاه داده شعبه در «{path}» پیدا نشد؛ ابتدا با init آن را بسازید.",
        f"no branch store at {path}; create it with `branch-desk init`",
        field="db",
    )
