"""The answer engine's input read from the central record (what branches pushed).

Headquarters keeps each person's converged snapshot (identity, numbers, relationships, and the
contact fields: latest residential address, phone, mobile) — the snapshot, not the relationship
table, is what the enrolling branch holds today. Contact fields (the person's and the main
insured's address and phone, workshop addresses) are read only when the caller says the asker is
judicial; the engine (desktop.domain.inquiry) decides the rest (active persons only). A snapshot
from a branch older than the contact fields has none, and the answer shows «—» for them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Connection, text

from desktop.domain.inquiry import PersonFacts, RelationshipFact, relationship_category

# One round trip: the person, and the workshops and main insured their relationships name
# (aggregated beside the person row). The person's contact, workshop addresses and the main
# insured's names and contacts are read only for a judicial asker (:contacts).
_FACTS = text("""
SELECT p.id, p.first_name, p.last_name, p.gender, p.enrolled_branch,
       p.snapshot->'relationships' AS rels,
       CASE WHEN :contacts THEN p.snapshot->'contact' END AS contact,
       (SELECT coalesce(jsonb_object_agg(w.code, jsonb_build_object(
                  'name', w.name, 'address', CASE WHEN :contacts THEN w.address END)), '{}')
          FROM workshop w
         WHERE w.code = ANY(ARRAY(SELECT r->>'workshop_code'
                                    FROM json_array_elements(p.snapshot->'relationships') r)))
         AS workshops,
       (SELECT coalesce(jsonb_object_agg(m.ssn, jsonb_build_object(
                  'name', m.first_name || ' ' || m.last_name,
                  'contact', m.snapshot->'contact')), '{}')
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
    address, phone = _contact(row.contact if with_contacts else None)
    return (PersonFacts(name=f"{row.first_name} {row.last_name}", gender=row.gender,
                        address=address, phone=phone, relationships=facts),
            row.id)


def _contact(contact: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(address, phone) as the branch's own answer reads them: the landline, else the mobile."""
    if not contact:
        return None, None
    return contact.get("address") or None, contact.get("phone") or contact.get("mobile") or None


def _fact(r: dict[str, Any], branch: str, workshops: dict[str, Any], mains: dict[str, Any],
          with_contacts: bool) -> RelationshipFact:
    workshop: dict[str, Any] = workshops.get(r.get("workshop_code") or "") or {}
    main: dict[str, Any] = mains.get(r.get("main_insured_ssn") or "") or {}
    main_address, main_phone = _contact(main.get("contact") if with_contacts else None)
    return RelationshipFact(
        start=dt.date.fromisoformat(r["start"]),
        end=dt.date.fromisoformat(r["end"]) if r.get("end") else None,
        type_code=r["kind"], category=relationship_category(r["kind"]),
        insurance_number=r["insurance_number"], branch=branch,  # only the enrolling branch writes a person's record
        workshop_name=workshop.get("name"),
        workshop_address=(workshop.get("address") or None) if with_contacts else None,
        main_insured_name=main.get("name"),
        main_insured_address=main_address, main_insured_phone=main_phone,
    )
