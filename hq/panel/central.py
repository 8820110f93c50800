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

# One round trip: the person, and the workshops and main insured their relationships name
# (aggregated beside the person row). Workshop addresses and main insured names are read only
# for a judicial asker (:contacts).
_FACTS = text("""
SELECT p.id, p.first_name, p.last_name, p.gender, p.enrolled_branch,
       p.snapshot->'relationships' AS rels,
       (SELECT coalesce(jsonb_object_agg(w.code, jsonb_build_object(
                  'name', w.name, 'address', CASE WHEN :contacts THEN w.address END)), '{}')
          FROM workshop w
         WHERE w.code = ANY(ARRAY(SELECT r->>'workshop_code'
                                    FROM json_array_elements(p.snapshot->'relationships') r)))
         AS workshops,
       (SELECT coalesce(jsonb_object_agg(m.ssn, m.first_name || ' ' || m.last_name), '{}')
          FROM person m
         WHERE :contacts AND m.ssn = ANY(ARRAY(SELECT r->>'main_insured_ssn'
                                                 FROM json_array_elements(p.snapshot->'relationships') r)))
         AS mains
FROM (SELECT * FROM person WHERE national_code = :nc
      ORDER BY enrolled_at, received_at, id LIMIT 1) p
""")


def person_facts(conn: Connection, national_code: str, *,
                 with_contacts: bool) -> tuple[PersonFacts | None, uuid.UUID | None]:
    row = conn.execute(_FACTS, {"nc": national_code, "contacts": with_contacts}).first()
    if row is None:
        return None, None
    rels: list[dict[str, Any]] = list(row.rels or [])
    facts = tuple(_fact(r, row.enrolled_branch, row.workshops, row.mains, with_contacts) for r in rels)
    return (PersonFacts(name=f"{row.first_name} {row.last_name}", gender=row.gender, relationships=facts),
            row.id)


def _fact(r: dict[str, Any], branch: str, workshops: dict[str, Any], mains: dict[str, str],
          with_contacts: bool) -> RelationshipFact:
    workshop: dict[str, Any] = workshops.get(r.get("workshop_code") or "") or {}
    return RelationshipFact(
        start=dt.date.fromisoformat(r["start"]),
        end=dt.date.fromisoformat(r["end"]) if r.get("end") else None,
        type_code=r["kind"], category=relationship_category(r["kind"]),
        insurance_number=r["insurance_number"], branch=branch,  # only the enrolling branch writes a person's record
        workshop_name=workshop.get("name"),
        workshop_address=(workshop.get("address") or None) if with_contacts else None,
        main_insured_name=mains.get(r.get("main_insured_ssn") or ""),
    )
