"""The inquiry answer engine (SPEC §4.3–4.4): facts in, one of four answers out. Pure.

The privacy rule lives here and only here: addresses and phones enter the answer solely in
`judicial`, which is built only for a judicial authority asking about an active person.
Every other path (funds, periods, inactive people) never reads the contact fields at all.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .errors import InvalidValue
from .jalali import format_jalali, parse_jalali, parse_optional
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


State = Literal["not_found", "not_active", "in_period", "active"]
STATES: tuple[State, ...] = ("not_found", "not_active", "in_period", "active")


def _jalali(day: dt.date | None) -> str | None:
    return format_jalali(day) if day is not None else None


def _day(text: str | None) -> dt.date | None:
    return parse_jalali(text) if text else None


@dataclass(frozen=True)
class AuthorityRef:
    code: str
    name: str
    group: str  # fund | judicial

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "group": self.group}


@dataclass(frozen=True)
class PersonRef:
    name: str
    gender: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "gender": self.gender}


@dataclass(frozen=True)
class BranchRef:
    code: str
    name: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True)
class RelationshipRow:
    """One relationship as an answer shows it, with Persian titles so a letter needs no
    vocabulary of its own."""

    start: dt.date
    end: dt.date | None
    type: str
    insured_type: str  # main | dependant | employer
    relation: str | None  # the dependant's relation code; None for other kinds
    insurance_number: str
    branch: str
    type_fa: str
    insured_type_fa: str
    relation_fa: str | None

    def as_json(self) -> dict[str, Any]:
        return {"start": format_jalali(self.start), "end": _jalali(self.end), "type": self.type,
                "insured_type": self.insured_type, "relation": self.relation,
                "insurance_number": self.insurance_number, "branch": self.branch,
                "type_fa": self.type_fa, "insured_type_fa": self.insured_type_fa,
                "relation_fa": self.relation_fa}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RelationshipRow:
        start = _day(raw.get("start"))
        if start is None:
            raise ValueError("a relationship row needs a start")
        return cls(start=start, end=_day(raw.get("end")), type=raw.get("type") or "",
                   insured_type=raw.get("insured_type") or "", relation=raw.get("relation"),
                   insurance_number=raw.get("insurance_number") or "", branch=raw.get("branch") or "",
                   type_fa=raw.get("type_fa") or "", insured_type_fa=raw.get("insured_type_fa") or "",
                   relation_fa=raw.get("relation_fa"))


@dataclass(frozen=True)
class JudicialMain:
    """SPEC §4.4, a main insured: where they work and how to reach them."""

    workshop_name: str | None
    workshop_address: str | None
    address: str | None
    phone: str | None

    def as_json(self) -> dict[str, Any]:
        return {"workshop_name": self.workshop_name, "workshop_address": self.workshop_address,
                "address": self.address, "phone": self.phone}


@dataclass(frozen=True)
class JudicialDependant:
    """SPEC §4.4, a dependant: the main insured they are covered through and how to reach them."""

    main_insured_name: str | None
    relation: str
    relation_fa: str
    address: str | None
    phone: str | None

    def as_json(self) -> dict[str, Any]:
        return {"main_insured_name": self.main_insured_name, "relation": self.relation,
                "relation_fa": self.relation_fa, "address": self.address, "phone": self.phone}


Judicial = JudicialMain | JudicialDependant


def _judicial_from_json(raw: dict[str, Any] | None) -> Judicial | None:
    if not raw:
        return None
    if "main_insured_name" in raw:
        return JudicialDependant(raw.get("main_insured_name"), raw.get("relation") or "",
                                 raw.get("relation_fa") or "", raw.get("address"), raw.get("phone"))
    return JudicialMain(raw.get("workshop_name"), raw.get("workshop_address"), raw.get("address"),
                        raw.get("phone"))


@dataclass(frozen=True)
class InquiryAnswer:
    """One answer (SPEC §4.3–4.4). `as_json()` is CLI.md's "Inquiry (inquiry --json)" shape.

    `branch` is set by the service that records the answer; `digest` (the letter's QR digest)
    and `record_hash` (the chain link) once it is recorded — neither is part of the stored text.
    """

    state: State
    tracking_code: str
    date: dt.date
    authority: AuthorityRef
    national_code: str
    person: PersonRef | None = None
    coverage: str | None = None  # main | dependant, only when active
    period: Period | None = None
    relationships: tuple[RelationshipRow, ...] = ()
    judicial: Judicial | None = None
    branch: BranchRef | None = None
    digest: str = ""
    record_hash: str = ""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "state": self.state, "tracking_code": self.tracking_code,
            "date": format_jalali(self.date), "authority": self.authority.as_json(),
            "national_code": self.national_code,
            "person": self.person.as_json() if self.person else None, "coverage": self.coverage,
            "period": None if self.period is None else {
                "from": format_jalali(self.period.start), "to": format_jalali(self.period.end)},
            "relationships": [r.as_json() for r in self.relationships],
            "judicial": self.judicial.as_json() if self.judicial else None,
        }
        if self.branch is not None:
            out["branch"] = self.branch.as_json()
        if self.digest:
            out["digest"] = self.digest
        if self.record_hash:
            out["record_hash"] = self.record_hash
        return out

    def stored_text(self) -> str:
        """The text kept in the inquiry record (and hashed into its chain): canonical JSON of
        the answer as given, without the seal (digest, record hash) added after recording."""
        content = self.as_json()
        content.pop("digest", None)
        content.pop("record_hash", None)
        return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> InquiryAnswer:
        """Back from `as_json()` (or a stored record's text); tolerant of keys added later."""
        auth = raw.get("authority") or {}
        person = raw.get("person")
        period = raw.get("period")
        branch = raw.get("branch")
        state = raw.get("state")
        if state not in STATES:
            raise ValueError(f"unknown inquiry state {state!r}")
        return cls(
            state=state, tracking_code=raw.get("tracking_code") or "",
            date=parse_jalali(raw["date"]),
            authority=AuthorityRef(auth.get("code") or "", auth.get("name") or "",
                                   auth.get("group") or ""),
            national_code=raw.get("national_code") or "",
            person=PersonRef(person.get("name") or "", person.get("gender") or "") if person else None,
            coverage=raw.get("coverage"),
            period=Period(parse_jalali(period["from"]), parse_jalali(period["to"])) if period else None,
            relationships=tuple(RelationshipRow.from_json(r) for r in raw.get("relationships") or []),
            judicial=_judicial_from_json(raw.get("judicial")),
            branch=BranchRef(branch.get("code") or "", branch.get("name") or "") if branch else None,
            digest=raw.get("digest") or "", record_hash=raw.get("record_hash") or "",
        )


def relationship_category(type_code: str) -> str:
    """main | dependant | employer for a relationship type code (SPEC §1.4): what the branch
    store keeps in relationship_type, and headquarters reads from the same vocabulary."""
    return RELATIONSHIP_TYPES.get(type_code, ("", ""))[0]


def answer(national_code: str, person: PersonFacts | None, authority: AuthorityFacts, today: dt.date,
           period: Period | None = None, *, tracking_code: str = "") -> InquiryAnswer:
    """The answer for one authority's question; see `InquiryAnswer.as_json` for the JSON."""
    if authority.group not in AUTHORITY_GROUPS:
        raise ValueError(f"unknown authority group {authority.group!r}")
    base = InquiryAnswer(state="not_found", tracking_code=tracking_code, date=today,
                         authority=AuthorityRef(authority.code, authority.name, authority.group),
                         national_code=national_code, period=period)
    if person is None:
        return base
    who = PersonRef(person.name, person.gender)
    if period is not None:
        overlapping = sorted((r for r in person.relationships if r.overlaps(period)), key=_order)
        if not overlapping:
            return base
        return replace(base, state="in_period", person=who,
                       relationships=tuple(_row(r) for r in overlapping))
    current = _coverage(person.relationships, today)
    if current is None:
        last = _last(person.relationships)
        return replace(base, state="not_active", person=who,
                       relationships=(_row(last),) if last else ())
    judicial = _judicial(person, current) if authority.group == "judicial" else None
    return replace(base, state="active", person=who, coverage=current.category, judicial=judicial)


def _order(r: RelationshipFact) -> tuple[dt.date, dt.date]:
    return (r.start, r.end or dt.date.max)


def _coverage(rels: tuple[RelationshipFact, ...], today: dt.date) -> RelationshipFact | None:
    """The relationship that makes the person insured today: main wins over dependant."""
    active = sorted((r for r in rels if r.category in INSURED_CATEGORIES and r.active_on(today)),
                    key=lambda r: (INSURED_CATEGORIES.index(r.category), -r.start.toordinal()))
    return active[0] if active else None


def _last(rels: tuple[RelationshipFact, ...]) -> RelationshipFact | None:
    """The most recent relationship: the latest start, then the latest end."""
    return max(rels, key=_order, default=None)


def _row(r: RelationshipFact) -> RelationshipRow:
    category = r.category
    relation = r.type_code if category == "dependant" else None
    title = RELATIONSHIP_TYPES.get(r.type_code, (category, r.type_code))[1]
    return RelationshipRow(
        start=r.start, end=r.end, type=r.type_code, insured_type=category, relation=relation,
        insurance_number=r.insurance_number, branch=r.branch, type_fa=title,
        insured_type_fa=CATEGORY_TITLES.get(category, category),
        relation_fa=title if relation else None,
    )


def _judicial(person: PersonFacts, current: RelationshipFact) -> Judicial:
    """SPEC §4.4 — reached only for a judicial authority and an active person."""
    if current.category == "main":
        return JudicialMain(current.workshop_name, current.workshop_address, person.address,
                            person.phone)
    return JudicialDependant(
        current.main_insured_name, current.type_code,
        RELATIONSHIP_TYPES.get(current.type_code, ("", current.type_code))[1],
        current.main_insured_address, current.main_insured_phone)


@dataclass(frozen=True)
class Requester:
    """Who asked for a certificate and when (SPEC §4.5: the sentence that closes it). The
    passcode is set only on the copy printed for the person, never on the stored one."""

    name: str
    gender: str
    requested_on: dt.date
    passcode: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"requester_name": self.name, "requester_gender": self.gender,
                               "requested_on": format_jalali(self.requested_on)}
        if self.passcode is not None:
            out["passcode"] = self.passcode
        return out
