"""Reading a person's record, shaped for the CLI JSON of CLI.md and for the person file."""

from __future__ import annotations

import datetime as dt
import uuid
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
def _jalali(value: str) -> str:
    return format_jalali(dt.date.fromisoformat(value))


def _j(value: str | None) -> str | None:
    """ISO → Jalali; cached because jdatetime's formatting costs more than the whole query."""
    return _jalali(value) if value else None


def _relationship(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": _j(r["start"]), "end": _j(r["end"]), "insurance_number": r["insurance_number"],
        "branch": r["branch_code"], "category": r["category"],
    }
    out["relation" if r["category"] == "dependant" else "kind"] = r["type_code"]
    for key in ("workshop_code", "workshop_name", "orientation", "end_reason", "main_insured_ssn"):
        if r[key]:
            out[key] = r[key]
    if r["main_insured_ssn"]:
        out["main_insured_name"] = f"{r['main_first_name']} {r['main_last_name']}"
        out["medical_link"] = bool(r["medical_link"])
    return out


def _dependant(d: dict[str, Any]) -> dict[str, Any]:
    out = {k: d[k] for k in ("ssn", "first_name", "last_name", "gender", "relation", "end_reason")}
    out.update(national_code=d["national_code"] or None, foreign_id=d["foreign_id"] or None,
               birth_date=_j(d["birth_date"]), start=_j(d["start"]), end=_j(d["end"]),
               medical_link=bool(d["medical_link"]))
    return out


def shape_person(raw: dict[str, Any], role: str) -> dict[str, Any]:
    personal = {k: v for k, v in raw["personal"].items() if k not in HEALTH_FIELDS or allowed(role, "person.health")}
    out: dict[str, Any] = {
        "ssn": raw["ssn"], "first_name": raw["first_name"], "last_name": raw["last_name"],
        "father_name": raw["father_name"], "birth_date": _j(raw["birth_date"]),
        "benefit_birth_date": _j(raw["benefit_birth_date"]), "gender": raw["gender"],
        "birth_certificate_number": raw["birth_certificate_number"], "place_of_issue": raw["place_of_issue"],
        "death_date": _j(raw["death_date"]), "identity_complete": bool(raw["identity_complete"]),
        "enrolled_branch": raw["enrolled_branch"], "person_id": str(uuid.UUID(raw["id"])),
        "numbers": [{"kind": "ssn", "value": raw["ssn"]}] + [{"kind": n["kind"], "value": n["value"]} for n in raw["numbers"]],
        "relationships": [_relationship(r) for r in raw["relationships"]],
        "dependants": [_dependant(d) for d in raw["dependants"]],
        "personal": personal,
    }
    out["national_code" if raw["national_code"] else "foreign_id"] = raw["national_code"] or raw["foreign_id"]
    return out


def get_person(store: Store, actor: Actor, *, national_code: str | None = None, ssn: str | None = None,
               foreign_id: str | None = None) -> dict[str, Any]:
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
