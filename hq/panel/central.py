"""The answer engine's input read from the central record (what branches pushed).

Headquarters keeps each person's converged snapshot (identity, numbers, relationships) — the
snapshot, not the relationship table, is what the enrolling branch holds today. Residential
addresses and phones never leave a branch (desktop/sync/snapshot.py), so the central facts carry
none: a judicial answer at headquarters names the workshop and its address, and the person's own
address and phone stay empty. Contact fields (workshop addresses) are read only when the caller
says the asker is judicial; the engine (desktop.domain.inquiry) decides the rest.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Connection, text

from desktop.domain.inquiry import PersonFacts, RelationshipFact, relationship_category

_PERSON = text(
    "SELECT id, first_name, last_name, gender, enrolled_branch, snapshot->'relationships' AS rels FROM person"
    " WHERE national_code = :nc ORDER BY enrolled_at, received_at, id LIMIT 1")
_WORKSHOPS = text("SELECT code, name, address FROM workshop WHERE code = ANY(CAST(:codes AS text[]))")
_MAIN_INSURED = text("SELECT ssn, first_name, last_name FROM person WHERE ssn = ANY(CAST(:ssns AS text[]))")


def _array(values: set[str]) -> str:
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def person_facts(conn: Connection, national_code: str, *,
                 with_contacts: bool) -> tuple[PersonFacts | None, uuid.UUID | None]:
    row = conn.execute(_PERSON, {"nc": national_code}).first()
    if row is None:
        return None, None
    rels: list[dict[str, Any]] = list(row.rels or [])
    codes = {str(r["workshop_code"]) for r in rels if r.get("workshop_code")}
    ssns = {str(r["main_insured_ssn"]) for r in rels if r.get("main_insured_ssn")}
    workshops = {w.code: w for w in conn.execute(_WORKSHOPS, {"codes": _array(codes)})} if codes else {}
    mains = ({m.ssn: f"{m.first_name} {m.last_name}" for m in conn.execute(_MAIN_INSURED, {"ssns": _array(ssns)})}
             if ssns and with_contacts else {})
    facts = tuple(_fact(r, row.enrolled_branch, workshops, mains, with_contacts) for r in rels)
    return (PersonFacts(name=f"{row.first_name} {row.last_name}", gender=row.gender, relationships=facts),
            row.id)


def _fact(r: dict[str, Any], branch: str, workshops: dict[str, Any], mains: dict[str, str],
          with_contacts: bool) -> RelationshipFact:
    workshop = workshops.get(r.get("workshop_code") or "")
    return RelationshipFact(
        start=dt.date.fromisoformat(r["start"]),
        end=dt.date.fromisoformat(r["end"]) if r.get("end") else None,
        type_code=r["kind"], category=relationship_category(r["kind"]),
        insurance_number=r["insurance_number"], branch=branch,  # only the enrolling branch writes a person's record
        workshop_name=workshop.name if workshop is not None else None,
        workshop_address=(workshop.address or None) if workshop is not None and with_contacts else None,
        main_insured_name=mains.get(r.get("main_insured_ssn") or ""),
    )
