"""Checks every relation shares, and small helpers the relation rules use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop.domain.errors import Reason
from desktop.domain.jalali import format_jalali
from desktop.domain.registry import Marriage
from desktop.domain.vocabulary import MAIN_KINDS, PAPER_KINDS, RELATIONS

from .facts import EMPLOYMENT_KINDS, NOT_EMPLOYMENT_ORIENTATION, DependantFacts, Link, Paper, Person


def fa_date(day: dt.date) -> str:
    return format_jalali(day, persian=True)


def paper_title(kind: str) -> str:
    return PAPER_KINDS.get(kind, kind)


def reason(rule: str, fa: str, en: str, remedy_fa: str = "", papers: tuple[str, ...] = ()) -> Reason:
    return Reason(rule=rule, fa=fa, en=en, remedy_fa=remedy_fa, papers=papers)


def need_paper(rule: str, kind: str, why_fa: str, why_en: str) -> Reason:
    return reason(rule, f"{why_fa}؛ «{paper_title(kind)}» ارائه نشده است.", f"{why_en}; no {kind} presented",
                  f"«{paper_title(kind)}» را ارائه و اسکن کنید.", (kind,))


@dataclass
class Outcome:
    """What one relation's rules decided; the engine adds the shared checks."""

    reasons: list[Reason] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    end_reason: str | None = None


def own_main_links(person: Person, day: dt.date) -> list[Link]:
    """The person's own active insurance (not links through someone else) on a day."""
    return [k for k in person.links if k.kind in MAIN_KINDS and k.main_insured_code is None and k.active_on(day)]


def employment(person: Person, relation: str, day: dt.date) -> Link | None:
    """Active employment that ends a child's dependency (SPEC §3's exceptions excluded)."""
    return next((link for link in own_main_links(person, day) if ends_dependency(link, relation)), None)


def ends_dependency(link: Link, relation: str) -> bool:
    """Whether a child's own main-insured link is employment that ends dependency (SPEC §3:
    voluntary continuation and self-employment as housewife/student do not)."""
    if link.main_insured_code is not None or link.kind not in EMPLOYMENT_KINDS:
        return False
    exempt = NOT_EMPLOYMENT_ORIENTATION.get(relation, frozenset())
    return not (link.kind == "self_employed" and link.orientation in exempt)


def valid_papers(facts: DependantFacts, kind: str) -> list[Paper]:
    """Papers of a kind whose validity covers the request date."""
    day = facts.request_date
    return [p for p in facts.papers_of(kind) if p.until is None or p.until >= day]


def is_registry_child(candidate: Person, parent: Person) -> bool:
    code = parent.national_code
    return bool(code) and code in (candidate.father_national_code, candidate.mother_national_code)


def active_marriage(a: Person, b: Person, day: dt.date) -> Marriage | None:
    return next((m for m in a.marriages if m.spouse_national_code == b.national_code and m.active_on(day)), None)


def last_marriage(a: Person, b: Person) -> Marriage | None:
    with_b = [m for m in a.marriages if m.spouse_national_code == b.national_code]
    return max(with_b, key=lambda m: m.date) if with_b else None


def shared_checks(facts: DependantFacts) -> list[Reason]:
    """Main insured alive and insured, candidate alive and not already a dependant."""
    main, cand, day = facts.main, facts.candidate, facts.request_date
    out: list[Reason] = []
    if facts.relation not in RELATIONS:
        out.append(reason("relation", f"نسبت «{facts.relation}» شناخته نیست.", f"unknown relation {facts.relation!r}",
                          "یکی از نسبت‌های همسر، شوهر، دختر، پسر، پدر، مادر، فرزندخوانده یا خانواده سرباز را برگزینید."))
    if main.death_date and main.death_date <= day:
        out.append(reason("main_deceased", f"بیمه‌شده اصلی در {fa_date(main.death_date)} فوت کرده است.",
                          "the main insured has died", "برای بازماندگان از مسیر مستمری بازماندگان اقدام کنید."))
    elif facts.relation != "soldier_family" and not own_main_links(main, day):
        out.append(reason("main_not_insured", "بیمه‌شده اصلی در تاریخ درخواست ارتباط بیمه‌ای فعال ندارد.",
                          "the main insured has no active relationship on the request date",
                          "ابتدا ارتباط بیمه‌ای فعال بیمه‌شده اصلی (یا مستمری) را ثبت کنید."))
    if cand.death_date and cand.death_date <= day:
        out.append(reason("candidate_deceased", f"طبق ثبت احوال، متقاضی در {fa_date(cand.death_date)} فوت کرده است.",
                          "the registry records the candidate's death"))
    if cand.national_code and cand.national_code == main.national_code:
        out.append(reason("self", "شخص نمی‌تواند فرد تبعی خودش باشد.", "a person cannot be their own dependant"))
    for dep in facts.existing_dependants:
        if dep.national_code == cand.national_code and dep.active_on(day):
            title = RELATIONS.get(dep.relation, dep.relation)
            out.append(reason("already_dependant",
                              f"این شخص از {fa_date(dep.start)} به عنوان «{title}» فرد تبعی همین بیمه‌شده است.",
                              f"already an active {dep.relation} dependant of this main insured",
                              "ارتباط موجود را ببینید؛ ثبت دوباره لازم نیست."))
    return out
