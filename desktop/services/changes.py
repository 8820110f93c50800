"""What a committed transaction changed, announced to whoever shows that data.

Every service writes through a session of the store's sessionmaker, so the store watches its
sessions instead of trusting each use case to say what it touched: rows flushed in a
transaction are collected by table, and when (and only when) it commits, one `Changes` value
goes to the subscribers. A rolled-back transaction announces nothing. The desktop turns this
into a Qt signal (views/changes.py); screens refresh from it instead of polling.

Subscribers run on the thread that committed (a worker thread in the desktop): they must be
quick and thread-safe — the desktop's subscriber only emits a queued signal.
"""

from __future__ import annotations

import threading
import types
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import TextClause, event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from .crash_log import record_unexpected


class ChangeKind(StrEnum):
    PERSONS = "persons"
    NUMBERS = "numbers"
    RELATIONSHIPS = "relationships"
    DEPENDANTS = "dependants"
    PERSONAL_INFO = "personal_info"
    ACCOUNTS = "accounts"
    INQUIRIES = "inquiries"
    CERTIFICATES = "certificates"
    ARCHIVE = "archive"
    CORRECTIONS = "corrections"
    USERS = "users"
    AUTHORITIES = "authorities"
    WORKSHOPS = "workshops"
    DRAFTS = "drafts"
    SETTINGS = "settings"
    OUTBOX = "outbox"
    SYNC = "sync"  # rounds, their state, quarantine, conflicts and leases pulled from HQ


_K = ChangeKind
TABLE_KINDS: dict[str, ChangeKind] = {
    "person": _K.PERSONS, "person_role": _K.PERSONS, "identity_change": _K.PERSONS,
    "acquaintance": _K.PERSONS, "employer": _K.PERSONS,
    "insurance_number": _K.NUMBERS,
    # A dependant link is a relationship row; screens of dependants watch both kinds.
    "relationship": _K.RELATIONSHIPS, "relationship_paper": _K.DEPENDANTS,
    "personal_info": _K.PERSONAL_INFO, "personal_info_change": _K.PERSONAL_INFO,
    "insurance_document": _K.ACCOUNTS, "document_line": _K.ACCOUNTS, "account_year": _K.ACCOUNTS,
    "account_lifetime": _K.ACCOUNTS,
    "inquiry_record": _K.INQUIRIES, "tracking_serial": _K.INQUIRIES,
    "certificate": _K.CERTIFICATES, "certificate_attempt": _K.CERTIFICATES,
    "personal_box_item": _K.CERTIFICATES,
    "archive_blob": _K.ARCHIVE, "archive_item": _K.ARCHIVE,
    "correction_request": _K.CORRECTIONS, "ledger_entry": _K.CORRECTIONS,
    "app_user": _K.USERS, "authority": _K.AUTHORITIES, "workshop": _K.WORKSHOPS,
    "draft": _K.DRAFTS, "store_setting": _K.SETTINGS, "number_block": _K.SETTINGS,
    "number_range": _K.SETTINGS, "outbox": _K.OUTBOX,
    "sync_state": _K.SYNC, "sync_round": _K.SYNC, "sync_quarantine": _K.SYNC,
    "sync_conflict": _K.SYNC, "lease_request": _K.SYNC,
}


@dataclass(frozen=True)
class Changes:
    """The kinds of data a transaction changed, and the persons it touched (when known)."""

    kinds: frozenset[ChangeKind] = frozenset()
    person_ids: frozenset[uuid.UUID] = frozenset()

    def touches(self, *kinds: ChangeKind) -> bool:
        return any(kind in self.kinds for kind in kinds)

    def touches_person(self, person_id: uuid.UUID) -> bool:
        """True when this person's data may have changed (a change with unknown persons counts)."""
        personal = self.touches(_K.PERSONS, _K.NUMBERS, _K.RELATIONSHIPS, _K.DEPENDANTS,
                                _K.PERSONAL_INFO, _K.ACCOUNTS, _K.ARCHIVE, _K.CORRECTIONS,
                                _K.INQUIRIES, _K.CERTIFICATES)
        return personal and (not self.person_ids or person_id in self.person_ids)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.kinds | other.kinds, self.person_ids | other.person_ids)

    def __bool__(self) -> bool:
        return bool(self.kinds)

    @classmethod
    def of(cls, *kinds: ChangeKind, person_ids: Iterable[uuid.UUID] = ()) -> Changes:
        return cls(frozenset(kinds), frozenset(person_ids))


Listener = Callable[[Changes], None]
ANY_TABLE = "*"  # a statement whose table is not known (textual DML): everything may have changed


class ChangeFeed:
    """Watches a store's sessionmaker; calls each subscriber once per committed change."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], Listener | None]] = []
        event.listen(sessions, "after_flush", self._after_flush)
        event.listen(sessions, "do_orm_execute", self._on_execute)
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_rollback", self._forget)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """A method is held weakly (it goes with its object); any other callable is held until
        unsubscribed. Returns the unsubscribe function."""
        ref: Callable[[], Listener | None] = (
            weakref.WeakMethod(listener) if isinstance(listener, types.MethodType)
            else (lambda: listener))
        with self._lock:
            self._listeners.append(ref)

        def unsubscribe() -> None:
            with self._lock:
                if ref in self._listeners:
                    self._listeners.remove(ref)
        return unsubscribe

    def announce(self, changes: Changes) -> None:
        if not changes:
            return
        with self._lock:
            live = [(ref, ref()) for ref in self._listeners]
            self._listeners = [ref for ref, fn in live if fn is not None]
        for _ref, fn in live:
            if fn is None:
                continue
            try:
                fn(changes)
            except Exception as exc:  # noqa: BLE001 - the data is committed: a listener must not
                record_unexpected(exc)  # turn that into an error, nor keep the others from hearing

    # --- session events --------------------------------------------------------------------
    @staticmethod
    def _pending(session: Session) -> tuple[set[str], set[uuid.UUID | None]]:
        # `None` among the persons: a statement touched persons we cannot name (bulk or text).
        pending: tuple[set[str], set[uuid.UUID | None]] = session.info.setdefault("changed", (set(), set()))
        return pending

    def _after_flush(self, session: Session, _flush_context: object) -> None:
        tables, persons = self._pending(session)
        for obj in (*session.new, *session.dirty, *session.deleted):
            table = getattr(obj, "__tablename__", None)
            if table is None:
                continue
            tables.add(table)
            owners = (obj.id,) if table == "person" else (
                getattr(obj, "person_id", None), getattr(obj, "main_insured_id", None))
            persons.update(p for p in owners if isinstance(p, uuid.UUID))

    def _on_execute(self, state: ORMExecuteState) -> None:
        # Bulk UPDATE/INSERT/DELETE statements bypass the unit of work: note their table, and that
        # the persons they touched are unknown. Textual DML names no table: anything may change.
        statement = state.statement
        if state.is_update or state.is_insert or state.is_delete:
            table = getattr(getattr(statement, "table", None), "name", None)
        elif isinstance(statement, TextClause) and not _reads_only(statement):
            table = None
        else:
            return
        tables, persons = self._pending(state.session)
        tables.add(table or ANY_TABLE)
        persons.add(None)

    def _after_commit(self, session: Session) -> None:
        tables, persons = session.info.pop("changed", (set(), set()))
        kinds = (frozenset(ChangeKind) if ANY_TABLE in tables
                 else frozenset(TABLE_KINDS[t] for t in tables if t in TABLE_KINDS))
        # An empty set of persons means "any person" (Changes.touches_person).
        named = frozenset() if None in persons else frozenset(p for p in persons if p is not None)
        self.announce(Changes(kinds, named))

    @staticmethod
    def _forget(session: Session) -> None:
        session.info.pop("changed", None)


def _reads_only(statement: TextClause) -> bool:
    return str(statement).lstrip().upper().startswith(("SELECT", "WITH", "PRAGMA"))
