"""The branch's statistics (SPEC §7) over a Jalali period: what the supervisor's dashboard and
`branch-desk stats` show.

Each figure counts this branch's own work in the period, by the day it was recorded:
- enrolments: people enrolled at this branch (`person.enrolled_at`);
- dependants by relation: dependant links registered at this branch (`relationship.created_at`);
- corrections by status: correction requests filed (`correction_request.created_at`);
- inquiries by state: answers given to outside authorities (`inquiry_record.at`; a certificate's
  record is counted under certificates, not twice);
- certificates: certificates issued to natural persons (`certificate.created_at`).

Every figure is one grouped COUNT over an indexed time column (revision 0006), so the whole
dashboard is five index range scans however large the store is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.domain.errors import InvalidValue
from desktop.domain.jalali import format_jalali
from desktop.domain.vocabulary import INQUIRY_STATES, RELATIONS
from desktop.models import Certificate, CorrectionRequest, InquiryRecord, Person, Relationship

from .actor import Actor
from .store import Store
from .unit import reading

CORRECTION_STATUSES = ("requested", "checked", "approved", "rejected", "applied")
CORRECTION_STATUS_TITLES = {
    "requested": "درخواست‌شده", "checked": "بررسی‌شده", "approved": "تاییدشده",
    "rejected": "ردشده", "applied": "اعمال‌شده",
}
INQUIRY_STATE_TITLES = {
    "not_found": "یافت نشد", "not_active": "بدون ارتباط فعال",
    "in_period": "ارتباط در بازه", "active": "فعال",
}


@dataclass(frozen=True)
class Period:
    """Jalali days `start`..`end`, both inclusive; None on a side means unbounded."""

    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise InvalidValue(
                f"آغاز بازه ({format_jalali(self.start, persian=True)}) پس از پایان آن "
                f"({format_jalali(self.end, persian=True)}) است.",
                f"the period starts ({format_jalali(self.start)}) after it ends ({format_jalali(self.end)})",
                field="from")

    def bounds(self, column: InstrumentedAttribute[Any]) -> list[ColumnElement[bool]]:
        """Half-open datetime bounds: the whole of the last day counts."""
        out: list[ColumnElement[bool]] = []
        if self.start is not None:
            out.append(column >= dt.datetime.combine(self.start, dt.time.min))
        if self.end is not None:
            out.append(column < dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))
        return out


@dataclass(frozen=True)
class Statistics:
    period: Period
    enrolments: int
    dependants_by_relation: dict[str, int] = field(default_factory=dict)
    corrections: dict[str, int] = field(default_factory=dict)
    inquiries_by_state: dict[str, int] = field(default_factory=dict)
    certificates: int = 0

    @property
    def dependants(self) -> int:
        return sum(self.dependants_by_relation.values())

    @property
    def inquiries(self) -> int:
        return sum(self.inquiries_by_state.values())

    def as_json(self) -> dict[str, Any]:
        """CLI.md `stats --json` (plus the period it covers, Jalali, null when unbounded)."""
        return {
            "from": format_jalali(self.period.start) or None, "to": format_jalali(self.period.end) or None,
            "enrolments": self.enrolments, "dependants_by_relation": dict(self.dependants_by_relation),
            "corrections": dict(self.corrections), "inquiries_by_state": dict(self.inquiries_by_state),
            "certificates": self.certificates,
        }


def branch_statistics(store: Store, actor: Actor, period: Period | None = None) -> Statistics:
    """The dashboard's figures for `period` (default: all time); every category is present, zeros too."""
    period = period or Period()
    with reading(store, actor, "statistics.view") as s:
        return compute(s, store.branch_code, period)


def compute(s: Session, branch_code: str, period: Period) -> Statistics:
    enrolments = s.scalar(select(func.count()).select_from(Person).where(
        Person.enrolled_branch == branch_code, *period.bounds(Person.enrolled_at))) or 0
    dependants = _grouped(s, select(Relationship.type_code, func.count()).where(
        Relationship.main_insured_id.is_not(None), Relationship.branch_code == branch_code,
        *period.bounds(Relationship.created_at)).group_by(Relationship.type_code), RELATIONS)
    corrections = _grouped(s, select(CorrectionRequest.status, func.count()).where(
        *period.bounds(CorrectionRequest.created_at)).group_by(CorrectionRequest.status), CORRECTION_STATUSES)
    inquiries = _grouped(s, select(InquiryRecord.state, func.count()).where(
        InquiryRecord.requester_person_id.is_(None), *period.bounds(InquiryRecord.at))
        .group_by(InquiryRecord.state), INQUIRY_STATES)
    certificates = s.scalar(select(func.count()).select_from(Certificate).where(
        *period.bounds(Certificate.created_at))) or 0
    return Statistics(period, enrolments, dependants, corrections, inquiries, certificates)


def _grouped(s: Session, query: Any, keys: Any) -> dict[str, int]:
    """Counts in the vocabulary's order, zeros included; an unknown key (a newer kind) is kept last."""
    counts = {str(key): int(n) for key, n in s.execute(query)}
    out = {str(key): counts.pop(str(key), 0) for key in keys}
    out.update(sorted(counts.items()))
    return out
