"""The branch's statistics (SPEC §7) over a Jalali period: what the supervisor's dashboard and
`branch-desk stats` show.

Each figure counts this branch's own work in the period, by the day it was recorded:
- enrolments: people enrolled at this branch (`person.enrolled_at`);
- dependants by relation: dependant links registered at this branch (`relationship.created_at`);
- corrections by status: correction requests filed (`correction_request.created_at`);
- inquiries by state: answers given to outside authorities (`inquiry_record.at`; a certificate's
  record is counted under certificates, not twice);
- certificates: certificates issued to natural persons (`certificate.created_at`).

The figures are read from `statistics_day`, daily counts the store keeps by triggers (revision
0006, desktop/db/statistics_index.py): a year is at most a few thousand small rows however large
the store. `recount` gives the same figures by plain COUNTs over the rows (covering indexes), for
checking and as the benchmark's floor.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, column, func, select, table
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.domain.errors import InvalidValue
from desktop.domain.jalali import format_jalali
from desktop.domain.letters import ORGANISATION
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import INQUIRY_STATES, RELATIONS
from desktop.models import Certificate, CorrectionRequest, InquiryRecord, Person, Relationship
from desktop.printing.statistics_report import FigureGroup, StatisticsReport, render_statistics_pdf

from .actor import Actor
from .store import Store
from .unit import reading

# The daily counts (revision 0006); a figure's branch is '' when it is kept branch-wide.
DAY = table("statistics_day", column("figure"), column("branch"), column("day"), column("key"), column("n"))

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
    """The figures from the daily counts: one grouped SUM over the period's days."""
    days: list[ColumnElement[bool]] = []
    if period.start is not None:
        days.append(DAY.c.day >= period.start.isoformat())
    if period.end is not None:
        days.append(DAY.c.day <= period.end.isoformat())
    sums: dict[str, dict[str, int]] = {}
    query = (select(DAY.c.figure, DAY.c.key, func.sum(DAY.c.n))
             .where(DAY.c.branch.in_([branch_code, ""]), *days).group_by(DAY.c.figure, DAY.c.key))
    for figure, key, n in s.execute(query):
        sums.setdefault(figure, {})[key] = int(n or 0)
    return Statistics(
        period, sums.get("enrolments", {}).get("", 0),
        _ordered(sums.get("dependants", {}), RELATIONS), _ordered(sums.get("corrections", {}), CORRECTION_STATUSES),
        _ordered(sums.get("inquiries", {}), INQUIRY_STATES), sums.get("certificates", {}).get("", 0))


def _ordered(counts: dict[str, int], keys: Any) -> dict[str, int]:
    """Counts in the vocabulary's order, zeros included; an unknown key (a newer kind) is kept last."""
    rest = {k: n for k, n in counts.items() if n}
    out = {str(key): rest.pop(str(key), 0) for key in keys}
    out.update(sorted(rest.items()))
    return out


def recount(s: Session, branch_code: str, period: Period) -> Statistics:
    """The same figures by plain COUNTs over the rows (covering indexes) — the check and the floor."""
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


# --- what the dashboard shows and exports ----------------------------------------------------

ENROLMENTS_TITLE = "نام‌نویسی"
CERTIFICATES_TITLE = "گواهی وضعیت بیمه‌ای"


@dataclass(frozen=True)
class FigureRow:
    group: str  # enrolments | dependants | corrections | inquiries | certificates
    key: str
    title: str  # Persian
    count: int


GROUP_TITLES = {
    "overview": "خلاصه", "dependants": "افراد تبعی بر پایه نسبت", "corrections": "درخواست‌های اصلاح سند",
    "inquiries": "استعلام‌ها بر پایه پاسخ",
}


def figure_rows(stats: Statistics) -> dict[str, list[FigureRow]]:
    """Every figure with its Persian title, by group, in the vocabulary's order."""
    return {
        "overview": [
            FigureRow("overview", "enrolments", ENROLMENTS_TITLE, stats.enrolments),
            FigureRow("overview", "dependants", "افراد تبعی", stats.dependants),
            FigureRow("overview", "corrections", "درخواست اصلاح", sum(stats.corrections.values())),
            FigureRow("overview", "inquiries", "استعلام", stats.inquiries),
            FigureRow("overview", "certificates", CERTIFICATES_TITLE, stats.certificates),
        ],
        "dependants": [FigureRow("dependants", k, RELATIONS.get(k, k), n)
                       for k, n in stats.dependants_by_relation.items()],
        "corrections": [FigureRow("corrections", k, CORRECTION_STATUS_TITLES.get(k, k), n)
                        for k, n in stats.corrections.items()],
        "inquiries": [FigureRow("inquiries", k, INQUIRY_STATE_TITLES.get(k, k), n)
                      for k, n in stats.inquiries_by_state.items()],
    }


def period_text(period: Period) -> str:
    """«از ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۱۲/۲۹», or the open side said in words."""
    start = format_jalali(period.start, persian=True) if period.start else "آغاز"
    end = format_jalali(period.end, persian=True) if period.end else "امروز"
    return f"از {start} تا {end}"


def statistics_csv(stats: Statistics) -> bytes:
    """UTF-8 with a BOM so Excel reads the Persian; one row per figure, codes beside titles."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["گروه", "کد", "عنوان", "تعداد", "از", "تا"])
    start, end = format_jalali(stats.period.start), format_jalali(stats.period.end)
    for group, rows in figure_rows(stats).items():
        for row in rows:
            writer.writerow([GROUP_TITLES[group], row.key, row.title, row.count, start, end])
    return out.getvalue().encode("utf-8-sig")


def statistics_pdf(store: Store, stats: Statistics) -> bytes:
    """The printable page: a table with bars per group (desktop/printing/statistics_report.py)."""
    report = StatisticsReport(
        organisation=ORGANISATION,
        branch=f"{persian_digits(store.branch_code)} — {store.branch_name}".strip(" —"),
        period=period_text(stats.period), printed_on=format_jalali(store.today(), persian=True),
        groups=tuple(FigureGroup(GROUP_TITLES[g], tuple((r.title, r.count) for r in rows))
                     for g, rows in figure_rows(stats).items()))
    return render_statistics_pdf(report)
