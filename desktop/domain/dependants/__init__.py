"""Dependant rules (SPEC §3): pure facts in, a verdict with every reason out. No Qt, no SQL."""

from .calendar import birthday, jalali_add_months, jalali_add_years, over_age
from .due import DueEnd, LinkOnRecord, due_end, rule_end
from .engine import decide
from .facts import (
    CHILD_RELATIONS,
    DependantFacts,
    ExistingDependant,
    Link,
    Paper,
    Person,
    SoldierFacts,
)
from .verdict import END_REASONS, Verdict

__all__ = [
    "CHILD_RELATIONS", "END_REASONS", "DependantFacts", "DueEnd", "ExistingDependant", "Link", "LinkOnRecord",
    "Paper", "Person", "SoldierFacts", "Verdict", "birthday", "decide", "due_end", "jalali_add_months",
    "jalali_add_years", "over_age", "rule_end",
]
