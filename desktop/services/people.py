"""Reading a person's record: a typed PersonRecord for the screens and services, whose
`as_json()` is CLI.md's `person --json`."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from desktop.db.person_queries import person_record_dbapi
from desktop.domain import identifiers
from desktop.domain.enrolment import HEALTH_FIELDS
from desktop.domain.errors import InvalidValue, NotFound
from desktop.domain.jalali import format_jalali
from desktop.domain.roles import allowed, require
from desktop.domain.text import persian_digits

from .actor import Actor
from .store import Store


@lru_cache(maxsize=65536)
def _jalali(value: dt.date) -> str:
    return format_jalali(value)


def _j(value: dt.date | None) -> str | None:
    """Date → Jalali; cached because jdatetime's formatting costs more than the whole query."""
    return _jalali(value) if value else None


def _day(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso[:10]) if iso else None


@dataclass(frozen=True)
class NumberRow:
    kind: str  # ssn | permanent | branch_temporary | central_temporary
    value: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "value": self.value}


@dataclass(frozen=True)
class RecordRelationship:
    """One of the person's own relationships (main insured, dependant or employer)."""

    type_code: str
    category: str  # main | dependant | employer
    start: dt.date
    end: dt.date | None
    insurance_number: str
    branch: str
    workshop_code: str | None = None
    workshop_name: str | None = None
    orientation: str | None = None
    end_reason: str | None = None
    main_insured_ssn: str | None = None  # dependants: whom they are covered through
    main_insured_name: str | None = None
    medical_link: bool = False

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": _j(self.start), "end": _j(self.end), "insurance_number": self.insurance_number,
            "branch": self.branch, "category": self.category,
        }
        out["relation" if self.category == "dependant" else "kind"] = self.type_code
        for key in ("workshop_code", "workshop_name", "orientation", "end_reason", "main_insured_ssn"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.main_insured_ssn:
            out["main_insured_name"] = self.main_insured_name
            out["medical_link"] = self.medical_link
        return out


@dataclass(frozen=True)
class DependantRow:
    """Someone covered through this person."""

    ssn: str | None
    first_name: str
    last_name: str
    gender: str
    relation: str
    end_reason: str | None
    national_code: str | None
    foreign_id: str | None
    birth_date: dt.date | None
    start: dt.date
    end: dt.date | None
    medical_link: bool

    def as_json(self) -> dict[str, Any]:
        return {"ssn": self.ssn, "first_name": self.first_name, "last_name": self.last_name,
                "gender": self.gender, "relation": self.relation, "end_reason": self.end_reason,
                "national_code": self.national_code, "foreign_id": self.foreign_id,
                "birth_date": _j(self.birth_date), "start": _j(self.start), "end": _j(self.end),
                "medical_link": self.medical_link}


@dataclass(frozen=True)
class PersonalDetails:
    """Personal information as this role may see it: health fields are None and left out of
    the JSON unless `health_shown`."""

    health_shown: bool
    address: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    mobile: str | None = None
    iban: str | None = None
    education: str | None = None
    military_status: str | None = None
    marital_status: str | None = None
    dependants_count: int | None = None
    special_disease: str | None = None
    blood_group: str | None = None
    medical_history: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _PERSONAL_KEYS if self.health_shown or k not in HEALTH_FIELDS}


@dataclass(frozen=True)
class AcquaintanceRow:
    """A relative or friend to reach the person through (SPEC §1.2); not health data."""

    first_name: str
    last_name: str
    national_code: str | None = None
    address: str | None = None
    mobile: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def as_json(self) -> dict[str, Any]:
        return {"first_name": self.first_name, "last_name": self.last_name,
                "national_code": self.national_code, "address": self.address, "mobile": self.mobile}


# In declaration order, which is the order `person --json` has always printed them in.
_PERSONAL_KEYS = tuple(f.name for f in fields(PersonalDetails) if f.name != "health_shown")


@dataclass(frozen=True)
class PersonRecord:
    """A person's record as `person --json` prints it (CLI.md "Person")."""

    person_id: uuid.UUID
    ssn: str
    national_code: str | None
    foreign_id: str | None
    first_name: str
    last_name: str
    father_name: str | None
    birth_date: dt.date | None
    benefit_birth_date: dt.date | None
    gender: str
    birth_certificate_number: str | None
    place_of_issue: str | None
    death_date: dt.date | None
    identity_complete: bool
    enrolled_branch: str | None
    numbers: tuple[NumberRow, ...]  # the SSN first
    relationships: tuple[RecordRelationship, ...]
    dependants: tuple[DependantRow, ...]
    personal: PersonalDetails | None  # None: no personal information recorded
    acquaintances: tuple[AcquaintanceRow, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ssn": self.ssn, "first_name": self.first_name, "last_name": self.last_name,
            "father_name": self.father_name, "birth_date": _j(self.birth_date),
            "benefit_birth_date": _j(self.benefit_birth_date), "gender": self.gender,
            "birth_certificate_number": self.birth_certificate_number,
            "place_of_issue": self.place_of_issue, "death_date": _j(self.death_date),
            "identity_complete": self.identity_complete, "enrolled_branch": self.enrolled_branch,
            "person_id": str(self.person_id),
            "numbers": [n.as_json() for n in self.numbers],
            "relationships": [r.as_json() for r in self.relationships],
            "dependants": [d.as_json() for d in self.dependants],
            "personal": self.personal.as_json() if self.personal else {},
        }
        if self.acquaintances:  # in "personal", as `enrol` takes them
            out["personal"]["acquaintances"] = [a.as_json() for a in self.acquaintances]
        if self.national_code:
            out["national_code"] = self.national_code
        else:
            out["foreign_id"] = self.foreign_id
        return out


def _relationship(r: dict[str, Any]) -> RecordRelationship:
    start = _day(r["start"])
    assert start is not None  # a relationship always has a start (NOT NULL)
    return RecordRelationship(
        type_code=r["type_code"], category=r["category"], start=start, end=_day(r["end"]),
        insurance_number=r["insurance_number"], branch=r["branch_code"],
        workshop_code=r["workshop_code"], workshop_name=r["workshop_name"],
        orientation=r["orientation"], end_reason=r["end_reason"],
        main_insured_ssn=r["main_insured_ssn"],
        main_insured_name=f"{r['main_first_name']} {r['main_last_name']}" if r["main_insured_ssn"] else None,
        medical_link=bool(r["medical_link"]),
    )


def _dependant(d: dict[str, Any]) -> DependantRow:
    start = _day(d["start"])
    assert start is not None
    return DependantRow(
        ssn=d["ssn"], first_name=d["first_name"], last_name=d["last_name"], gender=d["gender"],
        relation=d["relation"], end_reason=d["end_reason"], national_code=d["national_code"] or None,
        foreign_id=d["foreign_id"] or None, birth_date=_day(d["birth_date"]), start=start,
        end=_day(d["end"]), medical_link=bool(d["medical_link"]))


def _personal(raw: dict[str, Any], health: bool) -> PersonalDetails | None:
    if not raw:
        return None
    shown = {k: v for k, v in raw.items() if health or k not in HEALTH_FIELDS}
    return PersonalDetails(health_shown=health, **shown)


def shape_person(raw: dict[str, Any], role: str) -> PersonRecord:
    """The typed record from the raw rows of desktop.db.person_queries; health data only for
    roles with `person.health`."""
    return PersonRecord(
        person_id=uuid.UUID(raw["id"]), ssn=raw["ssn"], national_code=raw["national_code"],
        foreign_id=raw["foreign_id"], first_name=raw["first_name"], last_name=raw["last_name"],
        father_name=raw["father_name"], birth_date=_day(raw["birth_date"]),
        benefit_birth_date=_day(raw["benefit_birth_date"]), gender=raw["gender"],
        birth_certificate_number=raw["birth_certificate_number"],
        place_of_issue=raw["place_of_issue"], death_date=_day(raw["death_date"]),
        identity_complete=bool(raw["identity_complete"]), enrolled_branch=raw["enrolled_branch"],
        numbers=(NumberRow("ssn", raw["ssn"]),
                 *(NumberRow(n["kind"], n["value"]) for n in raw["numbers"])),
        relationships=tuple(_relationship(r) for r in raw["relationships"]),
        dependants=tuple(_dependant(d) for d in raw["dependants"]),
        personal=_personal(raw["personal"], allowed(role, "person.health")),
        acquaintances=tuple(AcquaintanceRow(**a) for a in raw.get("acquaintances", ())),
    )


def get_person(store: Store, actor: Actor, *, national_code: str | None = None, ssn: str | None = None,
               foreign_id: str | None = None) -> PersonRecord:
    require(actor.role, "person.read")
    if not (national_code or ssn or foreign_id):
        raise InvalidValue("کد ملی یا شماره تامین اجتماعی لازم است.", "--national-code or --ssn is required")
    key = {
        "national_code": identifiers.national_code(national_code) if national_code else None,
        "ssn": identifiers.ssn(ssn) if ssn else None,
        "foreign_id": identifiers.foreign_id(foreign_id) if foreign_id else None,
    }
    pooled = store.engine.raw_connection()  # a plain read: no SQLAlchemy result objects, no BEGIN
    try:
        raw = person_record_dbapi(pooled.driver_connection, **key)
    finally:
        pooled.close()
    if raw is None or not raw["ssn"]:
        shown = persian_digits(national_code or ssn or foreign_id)
        raise NotFound(f"شخصی با شماره {shown} در این شعبه نیست.", f"no person {national_code or ssn or foreign_id}")
    return shape_person(raw, actor.role)
