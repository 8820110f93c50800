"""The person record read path: a handful of indexed statements on one pooled connection.

This is the hottest read in the product (search → open file, inquiries, CLI `person`), so it
skips ORM identity-map work and returns plain rows; the service shapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection

_PERSON_COLS = ("id", "ssn", "national_code", "foreign_id", "first_name", "last_name", "father_name",
                "birth_date", "benefit_birth_date", "gender", "birth_certificate_number", "place_of_issue",
                "death_date", "identity_complete", "enrolled_branch")
_PERSON_SQL = f"SELECT {', '.join(_PERSON_COLS)} FROM person WHERE "
_NUMBERS_SQL = "SELECT kind, value, branch_code FROM insurance_number WHERE person_id = ? AND retired_at IS NULL"
_RELS_SQL = (
    "SELECT r.id, r.type_code, t.category, r.start, r.\"end\", r.end_reason, r.insurance_number, r.branch_code, "
    "w.code, w.name, r.orientation, m.ssn, m.first_name, m.last_name, r.medical_link "
    "FROM relationship r JOIN relationship_type t ON t.code = r.type_code "
    "LEFT JOIN workshop w ON w.id = r.workshop_id LEFT JOIN person m ON m.id = r.main_insured_id "
    "WHERE r.person_id = ? ORDER BY r.start, r.created_at"
)
_DEPS_SQL = (
    "SELECT p.ssn, p.national_code, p.foreign_id, p.first_name, p.last_name, p.gender, p.birth_date, "
    "r.type_code, r.start, r.\"end\", r.end_reason, r.medical_link "
    "FROM relationship r JOIN person p ON p.id = r.person_id WHERE r.main_insured_id = ? ORDER BY r.start"
)
_PERSONAL_COLS = ("address", "postal_code", "phone", "mobile", "iban", "education", "military_status",
                  "marital_status", "dependants_count", "special_disease", "blood_group", "medical_history")
_PERSONAL_SQL = f"SELECT {', '.join(_PERSONAL_COLS)} FROM personal_info WHERE person_id = ?"

ACQ_KEYS = ("first_name", "last_name", "national_code", "address", "mobile")
_ACQ_SQL = f"SELECT {', '.join(ACQ_KEYS)} FROM acquaintance WHERE person_id = ? ORDER BY rowid"

REL_KEYS = ("id", "type_code", "category", "start", "end", "end_reason", "insurance_number", "branch_code",
            "workshop_code", "workshop_name", "orientation", "main_insured_ssn", "main_first_name",
            "main_last_name", "medical_link")
DEP_KEYS = ("ssn", "national_code", "foreign_id", "first_name", "last_name", "gender", "birth_date",
            "relation", "start", "end", "end_reason", "medical_link")


def person_record(conn: Connection, *, national_code: str | None = None, ssn: str | None = None,
                  foreign_id: str | None = None, person_id: str | None = None) -> dict[str, Any] | None:
    """Identity, numbers, relationships, dependants, personal information and acquaintances,
    raw (ISO dates)."""
    return _record(lambda sql, params: conn.exec_driver_sql(sql, params).fetchall(),
                   national_code=national_code, ssn=ssn, foreign_id=foreign_id, person_id=person_id)


def person_record_dbapi(dbapi_conn: Any, *, national_code: str | None = None, ssn: str | None = None,
                        foreign_id: str | None = None, person_id: str | None = None) -> dict[str, Any] | None:
    """The same on a plain DB-API (sqlite3) connection: no SQLAlchemy result machinery and no
    transaction begun for a read, which is most of the cost of a sub-millisecond lookup."""
    return _record(lambda sql, params: dbapi_conn.execute(sql, params).fetchall(),
                   national_code=national_code, ssn=ssn, foreign_id=foreign_id, person_id=person_id)


def _record(rows: Callable[[str, tuple[Any, ...]], Sequence[Any]], *, national_code: str | None, ssn: str | None,
            foreign_id: str | None, person_id: str | None) -> dict[str, Any] | None:
    column, value = next((c, v) for c, v in (("national_code", national_code), ("ssn", ssn),
                                              ("foreign_id", foreign_id), ("id", person_id)) if v)
    found = rows(_PERSON_SQL + f"{column} = ?", (value,))
    if not found:
        return None
    person = dict(zip(_PERSON_COLS, found[0], strict=True))
    pid = (person["id"],)
    person["numbers"] = [{"kind": k, "value": v, "branch": b} for k, v, b in rows(_NUMBERS_SQL, pid)]
    person["relationships"] = [dict(zip(REL_KEYS, r, strict=True)) for r in rows(_RELS_SQL, pid)]
    person["dependants"] = [dict(zip(DEP_KEYS, r, strict=True)) for r in rows(_DEPS_SQL, pid)]
    info = rows(_PERSONAL_SQL, pid)
    person["personal"] = dict(zip(_PERSONAL_COLS, info[0], strict=True)) if info else {}
    person["acquaintances"] = [dict(zip(ACQ_KEYS, r, strict=True)) for r in rows(_ACQ_SQL, pid)]
    return person
