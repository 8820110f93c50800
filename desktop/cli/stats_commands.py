"""stats — the branch's statistics (SPEC §7), the same figures as the supervisor's dashboard."""

from __future__ import annotations

import argparse

from desktop.domain.jalali import parse_optional
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import RELATIONS
from desktop.services.statistics import (
    CORRECTION_STATUS_TITLES,
    INQUIRY_STATE_TITLES,
    Period,
    Statistics,
    branch_statistics,
)

from .base import Context, Output


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("stats", parents=[common], help="the branch's statistics for a Jalali period (آمار شعبه)")
    p.add_argument("--from", dest="from_date", metavar="D", help="first day, Jalali YYYY/MM/DD (default: all time)")
    p.add_argument("--to", dest="to_date", metavar="D", help="last day, Jalali YYYY/MM/DD, inclusive")
    p.set_defaults(handler=cmd_stats)


def cmd_stats(ctx: Context) -> Output:
    a = ctx.args
    period = Period(parse_optional(a.from_date, field="from"), parse_optional(a.to_date, field="to"))
    stats = branch_statistics(ctx.store(), ctx.actor(), period)
    return Output(stats.as_json(), text(stats))


def text(stats: Statistics) -> str:
    data = stats.as_json()
    lines = [f"بازه / period: {data['from'] or '…'} – {data['to'] or '…'}",
             f"نام‌نویسی / enrolments: {persian_digits(stats.enrolments)}"]
    for title, group, names in (("افراد تبعی / dependants", stats.dependants_by_relation, RELATIONS),
                                ("اصلاح سند / corrections", stats.corrections, CORRECTION_STATUS_TITLES),
                                ("استعلام / inquiries", stats.inquiries_by_state, INQUIRY_STATE_TITLES)):
        lines.append(f"{title}: " + "، ".join(f"{names.get(k, k)} ({k}) {persian_digits(n)}"
                                              for k, n in group.items()))
    lines.append(f"گواهی / certificates: {persian_digits(stats.certificates)}")
    return "\n".join(lines)
