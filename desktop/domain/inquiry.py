"""The inquiry answer engine (SPEC §4.3–4.4): facts in, one of four answers out. Pure.

The privacy rule lives here and only here: addresses and phones enter the answer solely in
`judicial`, which is built only for a judicial authority asking about an active person.
Every other path (funds, periods, inactive people) never reads the contact fields at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidValue
from .jalali import format_jalali, parse_optional
from .vocabulary import AUTHORITY_GROUPS, CATEGORY_TITLES, RELATIONSHIP_TYPES

INSURED_CATEGORIES = ("main", "dependant")


@dataclass(frozen=True)
class RelationshipFact:
    start: dt.date
    end: dt.date | None
    type_code: str
    category: str  # main | dependant | employer
    insurance_number: str
    branch: str
    workshop_name: str | None = None
    workshop_address: str | None = None
    # Dependants: the main insured they are covered through.
    main_insured_name: str | None = None
    main_insured_address: str | None = None
    main_insured_phone: str | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    def overlaps(self, period: Period) -> bool:
        return self.start <= period.end and (self.end is None or self.end >= period.start)


@dataclass(frozen=True)
class PersonFacts:
    name: str
    gender: str
    address: str | None = None
    phone: str | None = None
    relationships: tuple[RelationshipFact, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AuthorityFacts:
    code: str
    name: str
    group: str  # fund | judicial


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def parse_period(from_date: Any, to_date: Any) -> Period | None:
    """Both dates or neither (SPEC §4.2); accepts dates or Jalali text in any digits."""
    start = _as_date(from_date, "from_date")
    end = _as_date(to_date, "to_date")
    if start is None and end is None:
        return None
    if start is None or end is None:
        missing = "from_date" if start is None else "to_date"
        raise InvalidValue(
            "برای استعلام در یک دوره، هر دو تاریخ «از تاریخ» و «تا تاریخ» لازم است (یا هیچ‌کدام).",
            "an inquiry period needs both --from and --to (or neither)",
            field=missing,
        )
    if end < start:
        raise InvalidValue(
            f"«تا تاریخ» ({format_jalali(end, persian=True)}) پیش از «از تاریخ» "
            f"({format_jalali(start, persian=True)}) است.",
            "the period's end is before its start",
            field="to_date",
        )
    return Period(start, end)


def _as_date(value: Any, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_optional(str(value), field=name)


def answer(national_code: str, person: PersonFacts | None, authority: AuthorityFacts, today: dt.date,
           period: Period | None = None, *, tracking_code: str = "") -> dict[str, Any]:
    """The answer in the JSON shape of CLI.md ("Inquiry (inquiry --json)")."""
    if authority.group not in AUTHORITY_GROUPS:
        raise ValueError(f"unknown authority group {authority.group!r}")
    out: dict[str, Any] = {
        "state": "not_found", "tracking_code": tracking_code, "date": format_jalali(today),
        "authority": {"code": authority.code, "name": authority.name, "group": authority.group},
        "national_code": national_code, "person": None, "coverage": None,
        "period": None if period is None else {"from": format_jalali(period.start), "to": format_jalali(period.end)},
        "relationships": [], "judicial": None,
    }
    if person is None:
        return out
    if period is not None:
        overlapping = sorted((r for r in person.relationships if r.overlaps(period)), key=_order)
        if overlapping:
            out.update(state="in_period", relationships=[_row(r) for r in overlapping])
            out["person"] = _person(person)
        return out
    out["person"] = _person(person)
    current = _coverage(person.relationships, today)
    if current is None:
        last = _last(person.relationships)
        out.update(state="not_active", relationships=[_row(last)] if last else [])
        return out
    out.update(state="active", coverage=current.category)
    if authority.group == "judicial":
        out["judicial"] = _judicial(person, current)
    return out


def _order(r: RelationshipFact) -> tuple[dt.date, dt.date]:
    return (r.start, r.end or dt.date.max)


def _person(person: PersonFacts) -> dict[str, str]:
    return {"name": person.name, "gender": person.gender}


def _coverage(rels: tuple[RelationshipFact, ...], today: dt.date) -> RelationshipFact | None:
    """The relationship that makes the person insured today: main wins over dependant."""
    active = sorted((r for r in rels if r.category in INSURED_CATEGORIES and r.active_on(today)),
                    key=lambda r: (INSURED_CATEGORIES.index(r.category), -r.start.toordinal()))
    return active[0] if active else None


def _last(rels: tuple[RelationshipFact, ...]) -> RelationshipFact | None:
    """The most recent relationship: the latest start, then the latest end."""
    return max(rels, key=_order, default=None)


def _row(r: RelationshipFact) -> dict[str, Any]:
    category = r.category
    relation = r.type_code if category == "dependant" else None
    title = RELATIONSHIP_TYPES.get(r.type_code, (category, r.type_code))[1]
    return {
        "start": format_jalali(r.start), "end": format_jalali(r.end) if r.end else None,
        "type": r.type_code, "insured_type": category, "relation": relation,
        "insurance_number": r.insurance_number, "branch": r.branch,
        # Persian titles so a letter needs no vocabulary of its own.
        "type_fa": title, "insured_type_fa": CATEGORY_TITLES.get(category, category),
        "relation_fa": title if relation else None,
    }


def _judicial(person: PersonFacts, current: RelationshipFact) -> dict[str, Any]:
    """SPEC §4.4 — reached only for a judicial authority and an active person."""
    if current.category == "main":
        return {"workshop_name": current.workshop_name, "workshop_address": current.workshop_address,
                "address": person.address, "phone": person.phone}
    return {"main_insured_name": current.main_insured_name, "relation": current.type_code,
            "relation_fa": RELATIONSHIP_TYPES.get(current.type_code, ("", current.type_code))[1],
            "address": current.main_insured_address, "phone": current.main_insured_phone}
