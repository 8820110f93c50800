"""What the dependant rules look at: plain values gathered by the service (registry + store)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop.domain.registry import Marriage

CHILD_RELATIONS = frozenset({"son", "daughter", "adopted_child"})
PENSIONER_KINDS = frozenset({"pensioner_retired", "pensioner_disabled", "pensioner_survivor"})
# Main-insured kinds that are *employment* for a child (SPEC §3): voluntary continuation,
# military service and pensions are not; self-employment is, except the orientations below.
EMPLOYMENT_KINDS = frozenset({"mandatory", "self_employed", "driver", "carpet_weaver",
                              "construction_worker", "short_term"})
NOT_EMPLOYMENT_ORIENTATION = {"daughter": frozenset({"housewife", "student"}), "son": frozenset({"student"})}
TRIAL_ORDER_MONTHS = 6
SOLDIER_LOOKBACK_MONTHS = 2


@dataclass(frozen=True)
class Paper:
    """A paper presented at the counter. `date`: the order/certificate date; `until`: validity.

    `seminary` marks an enrolment certificate from a seminary (حوزه علمیه): it does not count.
    """

    kind: str
    date: dt.date | None = None
    until: dt.date | None = None
    seminary: bool = False


@dataclass(frozen=True)
class Link:
    """One insurance relationship of a person, as far as the rules care."""

    kind: str
    start: dt.date
    end: dt.date | None = None
    orientation: str | None = None
    relationship_id: str | None = None
    main_insured_code: str | None = None
    main_insured_gender: str | None = None
    medical_link: bool = True
    end_reason: str | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class Person:
    """A person as the registry knows them (main insured or candidate)."""

    national_code: str | None
    gender: str
    birth_date: dt.date
    death_date: dt.date | None = None
    father_national_code: str | None = None
    mother_national_code: str | None = None
    marriages: tuple[Marriage, ...] = ()
    links: tuple[Link, ...] = ()  # their own relationships in the store


@dataclass(frozen=True)
class ExistingDependant:
    """A dependant already linked to the main insured (for duplicates and the adoption limit)."""

    national_code: str | None
    relation: str
    start: dt.date
    end: dt.date | None
    father_national_code: str | None = None
    mother_national_code: str | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class SoldierFacts:
    """SPEC §3 soldier's family: what the record shows for the two months before dispatch."""

    dispatch_date: dt.date | None = None
    service_end: dt.date | None = None
    on_wage_list_or_inspection: bool = False
    wage_compensation_or_unemployment: bool = False


@dataclass(frozen=True)
class DependantFacts:
    main: Person
    candidate: Person
    relation: str
    request_date: dt.date
    papers: tuple[Paper, ...] = ()
    existing_dependants: tuple[ExistingDependant, ...] = ()
    other_fund: bool = False
    soldier: SoldierFacts = field(default_factory=SoldierFacts)

    def papers_of(self, kind: str) -> list[Paper]:
        return [p for p in self.papers if p.kind == kind]

    def has(self, kind: str) -> bool:
        return any(self.papers_of(kind))
