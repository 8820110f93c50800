"""The engine's answer: eligible or not, the dates, and every failing rule with its remedy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop.domain.errors import Reason

# Why a dependant link ends: computed ends (the engine) and recorded ends (end_dependency).
END_REASONS = {
    "age_20": "پایان ۱۹ سالگی (رسیدن به ۲۰ سالگی)",
    "age_18_commitment_form": "۱۸ سالگی بدون تعهدنامه",
    "trial_order": "پایان قرار سرپرستی آزمایشی",
    "certificate_expiry": "پایان اعتبار گواهی",
    "service_end": "پایان خدمت سربازی",
    "divorce": "طلاق",
    "death": "فوت",
    "marriage": "ازدواج",
    "employment": "اشتغال",
    "order_revoked": "فسخ حکم سرپرستی",
    "other_fund": "پوشش صندوق دیگر",
    "other": "سایر",
}


@dataclass(frozen=True)
class Verdict:
    relation: str
    eligible: bool
    start: dt.date | None = None
    end: dt.date | None = None  # last covered day, or None while no end is known
    end_reason: str | None = None
    reasons: tuple[Reason, ...] = ()
    # Two insured parents: whether this link carries medical services, and whose it takes.
    medical_link: bool = True
    takes_medical_link_from: tuple[str, ...] = ()
    notes_fa: tuple[str, ...] = field(default_factory=tuple)

    @property
    def papers_needed(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for reason in self.reasons:
            for paper in reason.papers:
                seen.setdefault(paper)
        return tuple(seen)
