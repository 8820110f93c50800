"""Person search (جستجوی اشخاص): one box for a national code, SSN, foreign id, insurance number
(permanent 00…, branch temporary XX…, central OO…) or a name, answered a page at a time.

A query is classified once: digits (any script) → identifier prefix over the unique indexes;
two Latin letters + digits → insurance number prefix; anything else → name words, each a prefix
of the first or last name, all required. Pages are keyset cursors, so a screen can scroll a
million results without the store counting them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from dataclasses import dataclass
from typing import Any

from desktop.db.search_queries import HIT_KEYS, by_name, by_number
from desktop.domain.errors import DomainError
from desktop.domain.jalali import format_jalali
from desktop.domain.roles import require
from desktop.domain.text import normalise_identifier, persian_digits, search_key

from .actor import Actor
from .store import Store

PAGE_SIZE = 100
MIN_DIGITS = 6  # shorter digit strings would match a large slice of every identifier range
_DIGITS = re.compile(r"^[0-9]+$")
_LETTER_NUMBER = re.compile(r"^[A-Z]{2}[0-9]*$")


@dataclass(frozen=True)
class SearchQuery:
    kind: str  # "name" | "number" | "empty" | "too_short"
    terms: tuple[str, ...] = ()
    number: str = ""


@dataclass(frozen=True)
class PersonHit:
    id_hex: str  # the stored key; turned into a UUID only when someone opens the person
    first_name: str
    last_name: str
    national_code: str | None
    foreign_id: str | None
    ssn: str
    birth_date: str  # Jalali, Latin digits (views show Persian digits)
    active: bool
    deceased: bool

    @property
    def person_id(self) -> uuid.UUID:
        return uuid.UUID(self.id_hex)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def identity_number(self) -> str:
        return self.national_code or self.foreign_id or ""


@dataclass(frozen=True)
class SearchPage:
    hits: list[PersonHit]
    next_cursor: int | None  # pass back as `after` for the next page; None = no more
    message: str = ""  # a Persian hint when the query cannot be run as typed


def parse_query(text: str) -> SearchQuery:
    """Classify what the clerk typed (never raises: a search box must not shout while typing)."""
    try:
        compact = normalise_identifier(text).upper()
        words = search_key(text).split()
    except DomainError:  # bidi controls: treat as nothing typed
        return SearchQuery("empty")
    if not compact:
        return SearchQuery("empty")
    if _DIGITS.match(compact) or (_LETTER_NUMBER.match(compact) and len(compact) > 2):
        digits = len(compact) - (0 if compact[0].isdigit() else 2)
        if digits < (MIN_DIGITS if compact[0].isdigit() else 4):
            return SearchQuery("too_short", number=compact)
        return SearchQuery("number", number=compact)
    return SearchQuery("name", terms=tuple(words))


def search_people(store: Store, actor: Actor, text: str, *, after: int | None = None,
                  limit: int = PAGE_SIZE) -> SearchPage:
    """One page of people matching `text`, in enrolment order, after the cursor `after`."""
    require(actor.role, "person.read")
    query = parse_query(text)
    if query.kind == "empty":
        return SearchPage([], None)
    if query.kind == "too_short":
        return SearchPage([], None, f"برای جستجوی شماره دست‌کم {persian_digits(MIN_DIGITS)} رقم وارد کنید.")
    limit = max(1, min(limit, 1000))
    today = store.today().isoformat()
    with store.reader() as conn:
        if query.kind == "number":
            padded = query.number.zfill(10) if len(query.number) in (8, 9) else None
            rows = by_number(conn, query.number, padded=padded, after=after or 0, limit=limit + 1, today=today)
        else:
            rows = by_name(conn, list(query.terms), after=after or 0, limit=limit + 1, today=today)
    more = len(rows) > limit
    rows = rows[:limit]
    hits = [_hit(dict(zip(HIT_KEYS, r, strict=True))) for r in rows]
    return SearchPage(hits, rows[-1][0] if more else None)


@functools.lru_cache(maxsize=65536)
def _jalali(iso: str) -> str:
    """jdatetime costs ~0.25 ms a date, most of a page's time; birth days repeat across people."""
    return format_jalali(dt.date.fromisoformat(iso))


def _hit(r: dict[str, Any]) -> PersonHit:
    return PersonHit(
        id_hex=r["id"], first_name=r["first_name"], last_name=r["last_name"],
        national_code=r["national_code"], foreign_id=r["foreign_id"], ssn=r["ssn"],
        birth_date=_jalali(r["birth_date"]),
        active=bool(r["active"]), deceased=r["death_date"] is not None,
    )

