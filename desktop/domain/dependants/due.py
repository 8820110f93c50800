"""When a dependant link ends by rule (SPEC §3), whatever end date is stored on it.

A link registered through the rules engine stores the end its rules gave. A link whose end was
not stored (registered before the rule applied, brought in by sync or a bulk load) still ends
by the rules: a son on the day before his 20th birthday unless a university enrolment or a
total-disability certificate backs the link, a daughter on her 18th birthday unless the
commitment form does, a child under a six-month trial guardianship order on the order's last
day unless a final order came, a soldier's family when the service ends. The due-to-end list
shows the earlier of the stored end and the end by rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import birthday, jalali_add_months
from .facts import TRIAL_ORDER_MONTHS

ONE_DAY = dt.timedelta(days=1)
# Papers that lift a relation's rule end (any one of them is enough).
LIFTED_BY = {
    "son": frozenset({"university_enrolment", "disability_certificate"}),
    "daughter": frozenset({"commitment_form"}),
    "adopted_child": frozenset({"court_order_final"}),
}


@dataclass(frozen=True)
class LinkOnRecord:
    """One dependant link as the store holds it, with what its rule end depends on."""

    relation: str
    start: dt.date
    end: dt.date | None  # the stored last covered day
    end_reason: str | None
    birth_date: dt.date  # the dependant's
    papers: frozenset[str] = frozenset()  # paper kinds the link rests on
    service_end: dt.date | None = None  # soldier's family: the soldier's service end on record


@dataclass(frozen=True)
class DueEnd:
    end: dt.date
    end_reason: str
    by_rule: bool  # True: computed from the rules, not the stored end


def rule_end(link: LinkOnRecord) -> tuple[dt.date, str] | None:
    """The last covered day the rules give this link, or None when they give none."""
    if link.papers & LIFTED_BY.get(link.relation, frozenset()):
        return None
    if link.relation == "son":
        return birthday(link.birth_date, 20) - ONE_DAY, "age_20"
    if link.relation == "daughter":
        return birthday(link.birth_date, 18), "age_18_commitment_form"
    if link.relation == "adopted_child" and "court_order_trial" in link.papers:
        return jalali_add_months(link.start, TRIAL_ORDER_MONTHS) - ONE_DAY, "trial_order"
    if link.relation == "soldier_family" and link.service_end is not None:
        return link.service_end, "service_end"
    return None


def due_end(link: LinkOnRecord) -> DueEnd | None:
    """The earlier of the stored end and the end by rule (a rule end before the start is moot)."""
    by_rule = rule_end(link)
    if by_rule is not None and by_rule[0] < link.start:
        by_rule = None
    if by_rule is not None and (link.end is None or by_rule[0] < link.end):
        return DueEnd(by_rule[0], by_rule[1], True)
    if link.end is not None:
        return DueEnd(link.end, link.end_reason or "other", False)
    return None
