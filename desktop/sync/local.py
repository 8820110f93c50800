"""What desktop.sync needs of a branch store, without importing the services' Store: a session
factory and the branch code (services.store.Store is one), plus the sync_state row."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desktop.models import StoreSetting, SyncState


class BranchStore(Protocol):
    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def branch_code(self) -> str: ...


def sync_state(session: Session) -> SyncState:
    """The one sync_state row (revision 0004 makes it; made here too should it be missing)."""
    state = session.get(SyncState, 1)
    if state is None:
        state = SyncState(id=1, next_batch_seq=1, pull_cursor="")
        session.add(state)
        session.flush()
    return state


def setting(session: Session, key: str) -> str:
    return session.scalar(select(StoreSetting.value).where(StoreSetting.key == key)) or ""


def put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(StoreSetting, key)
    if row is None:
        session.add(StoreSetting(key=key, value=value))
    else:
        row.value = value


def read_only(session: Session) -> Session:
    """Make the session's transaction a reader's (plain BEGIN): it never takes the write lock, so
    building a batch never holds up the counter."""
    session.connection(execution_options={"readonly": True})
    return session
