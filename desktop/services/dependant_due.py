"""Dependant links due to end — by their stored end or by rule (SPEC §3) — and the medical link
that passes to the other parent's link when an end's day comes.

The list reads only the links that can fall in the window: stored ends by the `end` index,
sons and daughters by their birth dates (`ix_person_birth_date`, revision 0006), trial
adoptions and soldiers' families by relation; the rules (domain.dependants.due) then decide.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select, text, union
from sqlalchemy.orm import Session, aliased

from desktop.domain.dependants import (
    CHILD_RELATIONS,
    END_REASONS,
    DueEnd,
    LinkOnRecord,
    due_end,
    jalali_add_months,
    jalali_add_years,
)
from desktop.domain.dependants.facts import TRIAL_ORDER_MONTHS
from desktop.domain.jalali import format_jalali
from desktop.domain.limits import DUE_WITHIN_MAX_DAYS, check_range
from desktop.models import ArchiveItem, Person, Relationship, RelationshipPaper

from .actor import Actor
from .store import Store
from .unit import Unit, mutation, reading

# A Jalali anniversary and the Gregorian day arithmetic below differ by a day or two; the SQL
# reads a few days more on each side and the rules decide exactly.
MARGIN = dt.timedelta(days=4)
# Relation → the anniversary (in years from birth) its rule end falls on.
AGE_RULES = {"son": 20, "daughter": 18}


def due_to_end(store: Store, actor: Actor, within_days: int) -> list[dict[str, Any]]:
    """Dependant links whose last covered day — stored, or by rule when earlier — falls in the
    next N days (20th birthdays, 18th birthdays without the form, trial orders, service ends …)."""
    check_range(within_days, 0, DUE_WITHIN_MAX_DAYS, "within", "تعداد روزها")
    today = store.today()
    last = today + dt.timedelta(days=within_days)
    main = aliased(Person)
    with reading(store, actor) as s:
        # One statement: the candidates stay inside SQLite (`IN (subquery)`) instead of coming
        # out as ids and going back as thousands of bound parameters.
        # The paper kinds come along per row (primary-key probe of relationship_paper), so the
        # candidate union runs once.
        kinds = (select(func.group_concat(ArchiveItem.paper_kind))
                 .select_from(RelationshipPaper)
                 .join(ArchiveItem, ArchiveItem.id == RelationshipPaper.archive_item_id)
                 .where(RelationshipPaper.relationship_id == Relationship.id).scalar_subquery())
        rows = s.execute(
            select(Relationship.id, Relationship.type_code, Relationship.start, Relationship.end,
                   Relationship.end_reason, Relationship.main_insured_id, Person.birth_date, Person.national_code,
                   Person.ssn, Person.first_name, Person.last_name, main.national_code, main.ssn, main.first_name,
                   main.last_name, kinds)
            .join(Person, Person.id == Relationship.person_id)
            .join(main, main.id == Relationship.main_insured_id)
            .where(Relationship.id.in_(_candidates(today, last)))
        ).all()
        service = _service_ends(s, [r[5] for r in rows if r[1] == "soldier_family"])
    out = []
    for row in rows:
        _rid, relation, start, end, reason, main_id, birth = row[:7]
        papers = frozenset(row[15].split(",")) if row[15] else frozenset()
        due = due_end(LinkOnRecord(relation, start, end, reason, birth, papers,
                                   service.get(main_id) if main_id else None))
        if due is not None and today <= due.end <= last:
            out.append((due, _due_json(row, due, today)))
    out.sort(key=lambda pair: (pair[0].end, pair[1]["dependant"]["name"]))
    return [json_row for _due, json_row in out]


def _candidates(today: dt.date, last: dt.date) -> Select[tuple[uuid.UUID]]:
    """Ids of open dependant links that may end in today..last (a superset; the rules decide)."""
    open_link = (Relationship.main_insured_id.is_not(None),
                 or_(Relationship.end.is_(None), Relationship.end >= today))
    parts = [select(Relationship.id).where(
        Relationship.main_insured_id.is_not(None), Relationship.end >= today, Relationship.end <= last)]
    for relation, years in AGE_RULES.items():
        born_from = jalali_add_years(today, -years) - MARGIN
        born_to = jalali_add_years(last, -years) + MARGIN
        # By birth date (ix_person_birth_date): `|| ''` keeps the planner off the relation index,
        # which would walk every son or daughter of the store instead of a few days' births.
        parts.append(select(Relationship.id).join(Person, Person.id == Relationship.person_id).where(
            Person.birth_date >= born_from, Person.birth_date <= born_to,
            Relationship.type_code + "" == relation, *open_link))
    # By relation (ix_relationship_type_start): "open" is written so the end index is not chosen
    # for it — open links are most of the table, trial adoptions and soldiers' families few.
    open_by_type = (Relationship.main_insured_id.is_not(None),
                    func.coalesce(Relationship.end, dt.date.max) >= today)
    ordered_from = jalali_add_months(today, -TRIAL_ORDER_MONTHS) - MARGIN
    ordered_to = jalali_add_months(last, -TRIAL_ORDER_MONTHS) + MARGIN
    parts.append(select(Relationship.id).where(
        Relationship.type_code == "adopted_child", Relationship.start >= ordered_from,
        Relationship.start <= ordered_to, *open_by_type))
    parts.append(select(Relationship.id).where(Relationship.type_code == "soldier_family", *open_by_type))
    return select(union(*parts).subquery().c.id)


def _service_ends(s: Session, soldiers: list[uuid.UUID | None]) -> dict[uuid.UUID, dt.date]:
    """Each soldier's latest military-service link's end, when it has one."""
    wanted = [pid for pid in soldiers if pid is not None]
    out: dict[uuid.UUID, tuple[dt.date, dt.date | None]] = {}
    if wanted:
        for pid, start, end in s.execute(select(Relationship.person_id, Relationship.start, Relationship.end).where(
                Relationship.person_id.in_(wanted), Relationship.type_code == "military_service",
                Relationship.main_insured_id.is_(None))):
            if pid not in out or start > out[pid][0]:
                out[pid] = (start, end)
    return {pid: end for pid, (_start, end) in out.items() if end is not None}


def _due_json(row: Any, due: DueEnd, today: dt.date) -> dict[str, Any]:
    (rid, relation, _start, end, _reason, _main_id, _birth,
     code, ssn, first, last, main_code, main_ssn, main_first, main_last, _papers) = row
    return {"relationship_id": str(rid), "relation": relation, "end": format_jalali(due.end),
            "end_reason": due.end_reason, "end_reason_fa": END_REASONS.get(due.end_reason, ""),
            "days_left": (due.end - today).days, "by_rule": due.by_rule, "stored_end": format_jalali(end) or None,
            "dependant": {"national_code": code, "ssn": ssn, "name": f"{first} {last}"},
            "main_insured": {"national_code": main_code, "ssn": main_ssn, "name": f"{main_first} {main_last}"}}


# --- the medical link, when a recorded end's day comes ------------------------------------------


@dataclass(frozen=True)
class MedicalHandover:
    """The medical link left `ended_id` (its end came) for the other parent's `taken_by_id`."""

    ended_id: uuid.UUID
    taken_by_id: uuid.UUID
    end: dt.date

    def as_json(self) -> dict[str, str]:
        return {"ended": str(self.ended_id), "taken_by": str(self.taken_by_id), "end": format_jalali(self.end)}


def hand_over_medical_links(store: Store, actor: Actor, today: dt.date | None = None) -> list[MedicalHandover]:
    """Pass the medical link of every child link whose recorded end has come to the other
    parent's open link (SPEC §3: one link at a time carries medical services).

    Run at start-up and once a day by the desktop. Each handover writes audit + outbox in one
    transaction; when nothing is due nothing is written (not even an empty transaction)."""
    day = today or store.today()
    with reading(store, actor, "dependant.handover") as s:
        due = [uuid.UUID(str(rid)) for rid in s.scalars(HANDOVER_DUE, {"day": day})]
    if not due:
        return []
    done: list[MedicalHandover] = []
    with mutation(store, actor, "dependant.handover") as unit:
        rows = unit.session.scalars(select(Relationship).where(Relationship.id.in_(due)).order_by(Relationship.end))
        for row in rows:
            if row.end is None or not row.medical_link:  # changed meanwhile
                continue
            taker = pass_medical_link(unit, row, row.end)
            if taker is not None:
                done.append(MedicalHandover(row.id, taker.id, row.end))
    return done


_CHILD = ", ".join(f"'{r}'" for r in sorted(CHILD_RELATIONS))
# Child links still holding the medical link although their end has come, while the same child
# has another parent's link open past that end which does not hold it. It starts from the links
# without the medical link (few: children of two insured parents), by their partial index.
HANDOVER_DUE = text(f"""
SELECT r.id FROM relationship AS o INDEXED BY ix_relationship_without_medical CROSS JOIN relationship AS r
WHERE o.medical_link = 0 AND o.main_insured_id IS NOT NULL AND o.type_code IN ({_CHILD})
  AND r.person_id = o.person_id AND r.id != o.id AND r.medical_link = 1 AND r.main_insured_id IS NOT NULL
  AND r.type_code IN ({_CHILD}) AND r."end" <= :day AND (o."end" IS NULL OR o."end" > r."end")
""")


def pass_medical_link(unit: Unit, ended: Relationship, end_date: dt.date) -> Relationship | None:
    """Give the medical link to the child's other open dependant link, if one lacks it."""
    s: Session = unit.session
    other = s.scalars(select(Relationship).where(
        Relationship.person_id == ended.person_id, Relationship.id != ended.id,
        Relationship.type_code.in_(CHILD_RELATIONS), Relationship.main_insured_id.is_not(None),
        (Relationship.end.is_(None)) | (Relationship.end > end_date))).first()
    if other is None or other.medical_link:
        return None
    other.medical_link = True
    ended.medical_link = False
    unit.record("dependant.medical_link", "relationship", other.id,
                {"medical_link": True, "from": ended.id, "end": end_date})
    unit.record("dependant.medical_link", "relationship", ended.id, {"medical_link": False, "end": end_date})
    return other
