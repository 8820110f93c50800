"""Wife, husband, father and mother (SPEC §3)."""

from __future__ import annotations

from desktop.domain.registry import Marriage
from desktop.domain.text import persian_digits

from .calendar import birthday, over_age
from .common import (
    Outcome,
    active_marriage,
    fa_date,
    last_marriage,
    need_paper,
    own_main_links,
    reason,
    valid_papers,
)
from .facts import DependantFacts

PARENT_AGE = {"father": 60, "mother": 55}
_END_FA = {"divorce": "طلاق", "death": "فوت"}


def _marriage_reasons(facts: DependantFacts, out: Outcome) -> Marriage | None:
    """The marriage must be in the registry and in force on the request date."""
    main, cand, day = facts.main, facts.candidate, facts.request_date
    current = active_marriage(cand, main, day) or active_marriage(main, cand, day)
    if current is not None:
        return current
    last = last_marriage(cand, main) or last_marriage(main, cand)
    if last is None:
        out.reasons.append(reason(
            "not_married", "طبق ثبت احوال، ازدواجی میان این دو نفر ثبت نشده است.",
            "the registry records no marriage between them",
            "ازدواج باید در ثبت احوال ثبت شده باشد؛ سند ازدواج (صفحه دوم) را ارائه و استعلام را تکرار کنید.",
            ("marriage_certificate",)))
    elif last.ended is not None and last.ended <= day:
        why = _END_FA.get(last.end_reason or "", "پایان")
        out.reasons.append(reason(
            "marriage_ended", f"ازدواج این دو نفر در {fa_date(last.ended)} با {why} پایان یافته است.",
            f"their marriage ended on {last.ended} ({last.end_reason or 'ended'})",
            "پس از طلاق یا فوت، همسر فرد تبعی نیست."))
    else:
        out.reasons.append(reason(
            "marriage_not_started", f"تاریخ عقد ({fa_date(last.date)}) پس از تاریخ درخواست است.",
            "the marriage date is after the request date", "تاریخ درخواست را پس از تاریخ عقد بگذارید."))
    return None


def wife(facts: DependantFacts) -> Outcome:
    out = Outcome()
    if facts.main.gender != "male" or facts.candidate.gender != "female":
        out.reasons.append(reason("gender", "نسبت «همسر (زن)» فقط برای همسر زن بیمه‌شده مرد است.",
                                  "wife: a female spouse of a male insured", "نسبت «همسر (شوهر)» را بررسی کنید."))
    marriage = _marriage_reasons(facts, out)
    if marriage is not None:
        out.start = marriage.date  # from the marriage date (seed §2-الف-۲)
    return out


def _no_own_insurance(facts: DependantFacts, out: Outcome, who_fa: str) -> None:
    links = own_main_links(facts.candidate, facts.request_date)
    if links:
        out.reasons.append(reason(
            "own_insurance", f"{who_fa} خود ارتباط بیمه‌ای فعال ({links[0].kind}) از {fa_date(links[0].start)} دارد.",
            f"the candidate has an active relationship of their own ({links[0].kind})",
            "تا وقتی بیمه خودش فعال است نمی‌تواند فرد تبعی باشد."))


def _supported(facts: DependantFacts, out: Outcome) -> None:
    if not valid_papers(facts, "inspector_report"):
        out.reasons.append(need_paper("inspector_report", "inspector_report",
                                      "تامین معاش او توسط بیمه‌شده باید با گزارش بازرس احراز شود",
                                      "an inspector's report must establish that the insured supports them"))


def _age_or_disability(facts: DependantFacts, out: Outcome, years: int, who_fa: str) -> None:
    cand, day = facts.candidate, facts.request_date
    if over_age(cand.birth_date, years, day) or valid_papers(facts, "disability_certificate"):
        return
    first_day = birthday(cand.birth_date, years)
    out.reasons.append(reason(
        "age_or_disability",
        f"{who_fa} در تاریخ درخواست بیش از {persian_digits(years)} سال ندارد (از {fa_date(first_day)} به بعد "
        f"بیش از {persian_digits(years)} سال دارد) "
        "و گواهی ازکارافتادگی کلی هم ارائه نشده است.",
        f"not over {years} on the request date and no total-disability certificate",
        "گواهی ازکارافتادگی کلی کمیسیون پزشکی (ماده ۹۱) را ارائه کنید یا پس از رسیدن به سن درخواست دهید.",
        ("disability_certificate",)))


def husband(facts: DependantFacts) -> Outcome:
    out = Outcome()
    if facts.main.gender != "female" or facts.candidate.gender != "male":
        out.reasons.append(reason("gender", "نسبت «همسر (شوهر)» فقط برای شوهر بیمه‌شده زن است.",
                                  "husband: the male spouse of a female insured", "نسبت «همسر (زن)» را بررسی کنید."))
    _marriage_reasons(facts, out)
    _no_own_insurance(facts, out, "شوهر")
    _supported(facts, out)
    _age_or_disability(facts, out, 60, "شوهر")
    out.start = facts.request_date  # from when dependency is established
    return out


def parent(facts: DependantFacts) -> Outcome:
    relation, main, cand = facts.relation, facts.main, facts.candidate
    out = Outcome()
    registry_parent = main.father_national_code if relation == "father" else main.mother_national_code
    gender = "male" if relation == "father" else "female"
    who_fa = "پدر" if relation == "father" else "مادر"
    if not cand.national_code or registry_parent != cand.national_code or cand.gender != gender:
        out.reasons.append(reason(
            "registry_parent", f"طبق ثبت احوال، این شخص {who_fa} بیمه‌شده اصلی نیست.",
            f"the registry does not record the candidate as the insured's {relation}",
            "کد ملی را بررسی کنید؛ نسبت باید با ثبت احوال یکی باشد."))
    _no_own_insurance(facts, out, who_fa)
    if facts.other_fund:
        out.reasons.append(reason("other_fund", f"{who_fa} مشمول صندوق بیمه‌ای دیگری است.",
                                  "covered by another insurance fund",
                                  "پوشش صندوق دیگر باید پایان یافته باشد."))
    _supported(facts, out)
    _age_or_disability(facts, out, PARENT_AGE[relation], who_fa)
    out.start = facts.request_date
    return out
