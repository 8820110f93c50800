"""The wire models of recovery (docs/sync.md "Restoring a store"): what a store restored from a
backup asks HQ about its own branch. Kept apart from wire.py: the push/pull contract is unchanged,
these are three read-only pages beside it."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import Field

from .wire import PersonSnapshot, Wire

RECOVERY_PAGE = 1000


class ReceivedIds(Wire):
    """Ids of the changes HQ holds from this branch (any install epoch), ordered by id; `next`
    is the `after` for the next page, None on the last."""

    ids: list[uuid.UUID]
    next: str | None


class OwnPersons(Wire):
    """HQ's central record of persons this branch enrolled, ordered by id."""

    persons: list[PersonSnapshot]
    next: str | None


class ReferenceItem(Wire):
    kind: str = Field(pattern=r"^(workshop|authority)$")
    code: str
    name: str
    address: str = ""
    group: str = ""


class OwnReference(Wire):
    """Workshops and authorities this branch defined at HQ, ordered by (kind, code)."""

    items: list[ReferenceItem]
    next: str | None


class RecoveredRecord(Wire):
    """One link of this branch's inquiry record as HQ holds it (its table and the pushed change)."""

    seq: int
    tracking_code: str
    at: dt.datetime
    authority: str
    national_code: str
    state: str
    answer: str
    prev_hash: str
    hash: str
    user: str = ""
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    requester_person_id: uuid.UUID | None = None


class OwnRecords(Wire):
    """This branch's inquiry records at HQ, ordered by seq."""

    records: list[RecoveredRecord]
    next: str | None
