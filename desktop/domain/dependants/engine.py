"""The one place that decides a dependant request: facts in, verdict out.

Age boundaries (SPEC §3, decided here):
- "over 60" / "over 55" means strictly older than 60 / 55 years, counted in the Jalali calendar:
  eligible from the day *after* the 60th / 55th birthday. A father on his 60th birthday
  ("exactly 60") is not over 60; a mother at 55 and one day is over 55. The same reading applies
  to a husband over 60 and to a daughter "over 18" (the commitment form is needed from the day
  after her 18th birthday; without it her link ends on that birthday).
- A son is covered "up to the end of age 19": the day before his 20th birthday is his last
  covered day; on the birthday itself he needs a university enrolment (not a seminary) or a
  total-disability certificate.
- A six-month trial guardianship order dated D covers D .. (D + 6 Jalali months − 1 day).
Wife: the registry's marriage record is the marriage evidence (the seed asks for a scan of the
certificate's page 2 only while no online registry check exists); a scan may still be archived.
Start dates: wife — marriage date; daughter and son — birth (a returning daughter and a son over
19 — the request date); adopted child — the order date; soldier's family — dispatch; the others —
the request date.
"""

from __future__ import annotations

from collections.abc import Callable

from . import children, soldier, spouses_parents
from .common import Outcome, shared_checks
from .facts import CHILD_RELATIONS, DependantFacts
from .verdict import Verdict

RULES: dict[str, Callable[[DependantFacts], Outcome]] = {
    "wife": spouses_parents.wife,
    "husband": spouses_parents.husband,
    "father": spouses_parents.parent,
    "mother": spouses_parents.parent,
    "daughter": children.daughter,
    "son": children.son,
    "adopted_child": children.adopted_child,
    "soldier_family": soldier.soldier_family,
}


def _medical_link(facts: DependantFacts) -> tuple[bool, tuple[str, ...]]:
    """Two insured parents: one link carries medical services; the father's request wins."""
    if facts.relation not in CHILD_RELATIONS:
        return True, ()
    day = facts.request_date
    other = [k for k in facts.candidate.links
             if k.kind in CHILD_RELATIONS and k.main_insured_code and k.main_insured_code != facts.main.national_code
             and k.active_on(day) and k.medical_link]
    if facts.main.gender == "male":
        return True, tuple(k.relationship_id for k in other if k.relationship_id and k.main_insured_gender != "male")
    holds = any(k.main_insured_gender == "male" for k in other)
    return (not holds), ()


def decide(facts: DependantFacts) -> Verdict:
    reasons = shared_checks(facts)
    rule = RULES.get(facts.relation)
    outcome = rule(facts) if rule else Outcome()
    reasons.extend(outcome.reasons)
    medical, takes = _medical_link(facts)
    if reasons:
        return Verdict(facts.relation, False, outcome.start, outcome.end, outcome.end_reason, tuple(reasons))
    return Verdict(facts.relation, True, outcome.start, outcome.end, outcome.end_reason, (),
                   medical_link=medical, takes_medical_link_from=takes)
