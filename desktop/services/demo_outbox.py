"""A demo store's people reach headquarters when the store joins it (issue 10, item 9: "so a
newcomer sees the whole system").

`demo` bulk-loads its people without outbox rows (services/demo.py): writing one use case per
person would take minutes. Once such a store joins a headquarters, HQ would only ever learn what
changed after the join — the people list at HQ, `hq person`, a second branch's lookup at the
counter would all miss the demo branch's thousands of people. So on joining, the store's demo
people, and its workshops, are given the outbox rows the services would have written for them —
`person.enrol` for a main insured or an employer, `dependant.add` for a dependant, `workshop.add`
for a workshop — built in bulk (a few set queries, one executemany, one transaction) and pushed
by the ordinary rounds: HQ receives the same shape as from a counter (each person-scope change
carries the person's snapshot, read when the batch is built).

Done once per store (the setting `demo_announced`), and only for a store holding demo data (its
number blocks of source `demo`); a store without demo data is untouched.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import aliased

from desktop.models import (
    InsuranceNumber,
    NumberBlock,
    OutboxEntry,
    Person,
    Relationship,
    Workshop,
    utcnow,
)
from desktop.models.base import uuid7
from desktop.sync.local import put_setting, setting

from .store import Store
from .unit import outbox_payload

ANNOUNCED = "demo_announced"


@dataclass(frozen=True)
class DemoAnnounced:
    persons: int
    dependants: int
    workshops: int

    @property
    def changes(self) -> int:
        return self.persons + self.dependants + self.workshops


def announce_demo_people(store: Store) -> DemoAnnounced | None:
    """In one transaction: the outbox rows of every demo person and workshop, and the setting
    that says it was done. None when the store holds no demo data or announced it already."""
    with store.sessions() as s, s.begin():
        if setting(s, ANNOUNCED):
            return None
        if s.scalar(select(NumberBlock.id).where(NumberBlock.source == "demo").limit(1)) is None:
            return None
        conn = s.connection()
        now = utcnow()
        branch = store.branch_code
        rows = _workshop_rows(conn, branch, now)
        workshops = len(rows)
        people = _people_rows(conn, branch, now)
        rows += people
        dependants = sum(1 for r in people if r["op"] == "dependant.add")
        if rows:
            conn.execute(insert(OutboxEntry), rows)
        put_setting(s, ANNOUNCED, now.isoformat())
    return DemoAnnounced(len(people) - dependants, dependants, workshops)


def _row(entity: str, entity_id: object, op: str, payload: dict[str, Any], branch: str,
         at: dt.datetime) -> dict[str, Any]:
    # As unit.Unit.outbox writes it, with id and time given for the bulk insert.
    return {"id": uuid7(), "at": at, "entity": entity, "entity_id": str(entity_id), "op": op,
            "payload": outbox_payload(payload, branch)}


def _workshop_rows(conn: Connection, branch: str, at: dt.datetime) -> list[dict[str, Any]]:
    return [_row("workshop", wid, "workshop.add", {"code": code, "name": name, "address": address},
                 branch, at)
            for wid, code, name, address in conn.execute(
                select(Workshop.id, Workshop.code, Workshop.name, Workshop.address)
                .where(Workshop.branch_code == branch).order_by(Workshop.code))]


def _numbers(conn: Connection) -> dict[uuid.UUID, dict[str, str]]:
    numbers: dict[uuid.UUID, dict[str, str]] = {}
    for pid, kind, value in conn.execute(select(InsuranceNumber.person_id, InsuranceNumber.kind,
                                                InsuranceNumber.value)):
        numbers.setdefault(pid, {})[kind] = value
    return numbers


def _people_rows(conn: Connection, branch: str, at: dt.datetime) -> list[dict[str, Any]]:
    """One change per person, from the person's first relationship: a dependant's link is a
    `dependant.add` of that relationship, anyone else a `person.enrol`."""
    main = aliased(Person)
    numbers = _numbers(conn)
    query = (select(Person.id, Person.national_code, Person.foreign_id, Person.ssn, Relationship.id,
                    Relationship.type_code, Relationship.start, Relationship.end,
                    Relationship.end_reason, Relationship.main_insured_id, Relationship.medical_link,
                    Workshop.code, main.ssn)
             .outerjoin(Relationship, Relationship.person_id == Person.id)
             .outerjoin(Workshop, Workshop.id == Relationship.workshop_id)
             .outerjoin(main, main.id == Relationship.main_insured_id)
             .where(Person.enrolled_branch == branch)
             .order_by(Person.enrolled_at, Person.id, Relationship.start, Relationship.created_at))
    rows: list[dict[str, Any]] = []
    seen: set[uuid.UUID] = set()
    for (pid, code, foreign, ssn, rid, kind, start, end, end_reason, main_id, medical, workshop,
         main_ssn) in conn.execute(query):
        if pid in seen:
            continue
        seen.add(pid)
        held = numbers.get(pid, {})
        if main_id is not None:
            rows.append(_row("relationship", rid, "dependant.add", {
                "national_code": code, "ssn": ssn, "main_insured_ssn": main_ssn, "relation": kind,
                "start": start, "end": end, "end_reason": end_reason, "medical_link": medical,
                "central_temporary": held.get("central_temporary"), "known_before": False,
                "papers": []}, branch, at))
            continue
        relationship = None if rid is None else {"kind": kind, "start": start, "end": end,
                                                 "workshop_code": workshop}
        rows.append(_row("person", pid, "person.enrol", {
            "national_code": code, "foreign_id": foreign, "ssn": ssn, "relationship": relationship,
            "numbers": held, "known_before": False, "acquaintances": 0,
            "became_main_insured": False}, branch, at))
    return rows
