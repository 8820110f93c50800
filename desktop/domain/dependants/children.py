"""Daughter, son and adopted child (SPEC §3); children of a female insured qualify alike."""

from __future__ import annotations

import datetime as dt

from .calendar import birthday, jalali_add_months, over_age, under_age
from .common import (
    Outcome,
    employment,
    ends_dependency,
    fa_date,
    is_registry_child,
    need_paper,
    reason,
    valid_papers,
)
from .facts import TRIAL_ORDER_MONTHS, DependantFacts, ExistingDependant

ONE_DAY = dt.timedelta(days=1)
ADOPTION_LIMIT = 2  # without siblings (law of 1392, art. 7)


def _registry_child(facts: DependantFacts, out: Outcome, gender: str, who_fa: str) -> None:
    cand = facts.candidate
    if not is_registry_child(cand, facts.main) or cand.gender != gender:
        out.reasons.append(reason(
            "registry_child", f"طبق ثبت احوال، این شخص {who_fa} بیمه‌شده اصلی نیست.",
            f"the registry does not record the candidate as the insured's {facts.relation}",
            "کد ملی و نسبت را بررسی کنید؛ فرزندخوانده را با نسبت «فرزندخوانده» ثبت کنید."))


def _employed(facts: DependantFacts, out: Outcome, who_fa: str) -> None:
    link = employment(facts.candidate, facts.relation, facts.request_date)
    if link is not None:
        out.reasons.append(reason(
            "employed", f"{who_fa} از {fa_date(link.start)} بیمه‌پرداز ({link.kind}) و شاغل است.",
            f"the candidate is employed ({link.kind}) since {link.start}",
            "پس از پایان اشتغال می‌توان دوباره درخواست داد."))


def _returning(facts: DependantFacts) -> bool:
    """A daughter who left through marriage or work and now returns (starts on the request date)."""
    cand, day = facts.candidate, facts.request_date
    divorced = any(m.ended is not None and m.ended <= day for m in cand.marriages)
    left_work = any(k.end is not None and k.end < day and ends_dependency(k, facts.relation) for k in cand.links)
    ended_before = any(d.national_code == cand.national_code and d.end is not None and d.end < day
                       for d in facts.existing_dependants)
    return divorced or left_work or ended_before


def daughter(facts: DependantFacts) -> Outcome:
    cand, day = facts.candidate, facts.request_date
    out = Outcome()
    _registry_child(facts, out, "female", "دختر")
    married = next((m for m in cand.marriages if m.active_on(day)), None)
    if married is not None:
        out.reasons.append(reason(
            "married", f"طبق ثبت احوال، دختر از {fa_date(married.date)} ازدواج کرده است.",
            "the registry records her as married", "پس از طلاق می‌توان دوباره درخواست داد."))
    _employed(facts, out, "دختر")
    has_form = bool(valid_papers(facts, "commitment_form"))
    if over_age(cand.birth_date, 18, day) and not has_form:
        out.reasons.append(need_paper("commitment_form", "commitment_form",
                                      "برای دختر بالای ۱۸ سال تعهدنامه عدم ازدواج و اشتغال (پیوست ۲) لازم است",
                                      "a daughter over 18 needs the signed commitment form (appendix 2)"))
    out.start = day if _returning(facts) else cand.birth_date
    if not has_form:
        # Without the form the link can last only while she is not yet over 18.
        out.end, out.end_reason = birthday(cand.birth_date, 18), "age_18_commitment_form"
    return out


def son(facts: DependantFacts) -> Outcome:
    cand, day = facts.candidate, facts.request_date
    out = Outcome()
    _registry_child(facts, out, "male", "پسر")
    _employed(facts, out, "پسر")
    twentieth = birthday(cand.birth_date, 20)
    university = valid_papers(facts, "university_enrolment")
    seminary = [p for p in university if p.seminary]
    university = [p for p in university if not p.seminary]
    disability = valid_papers(facts, "disability_certificate")
    if under_age(cand.birth_date, 20, day):
        out.start = cand.birth_date
        out.end, out.end_reason = twentieth - ONE_DAY, "age_20"  # the 20th birthday is not covered
    else:
        out.start = day
        if not university and not disability:
            out.reasons.append(reason(
                "son_over_19", f"پسر از {fa_date(twentieth)} بیست ساله است و گواهی اشتغال به تحصیل دانشگاه "
                "یا گواهی ازکارافتادگی کلی ارائه نشده است.",
                "the son is 20 or older and has neither a university enrolment nor a disability certificate",
                "گواهی اشتغال به تحصیل از دانشگاه (مورد تایید وزارت علوم) یا گواهی ازکارافتادگی کلی ارائه کنید.",
                ("university_enrolment", "disability_certificate")))
            if seminary:  # it does not count: said only to explain why it did not help
                out.reasons.append(reason(
                    "seminary", "گواهی اشتغال به تحصیل حوزه علمیه ملاک عمل نیست (شورای حقوقی، ۱۳۹۶/۱۰/۱۶).",
                    "a seminary enrolment certificate does not count",
                    "گواهی دانشگاه یا مرکز آموزشی مورد تایید وزارت علوم لازم است.", ("university_enrolment",)))
    if disability:
        out.end, out.end_reason = None, None
    elif university:
        until = max((p.until for p in university if p.until), default=None)
        if until is None:
            # A certificate without a validity date carries the link until it is ended by hand.
            out.end, out.end_reason = None, None
        elif out.end is None or until > out.end:
            out.end, out.end_reason = until, "certificate_expiry"
    return out


def _siblings(a_father: str | None, a_mother: str | None, b: ExistingDependant) -> bool:
    return bool((a_father and a_father == b.father_national_code) or (a_mother and a_mother == b.mother_national_code))


def adopted_child(facts: DependantFacts) -> Outcome:
    cand, day = facts.candidate, facts.request_date
    out = Outcome()
    final = [p for p in facts.papers_of("court_order_final") if p.date is None or p.date <= day]
    trial = [p.date for p in facts.papers_of("court_order_trial") if p.date is not None and p.date <= day]
    if final:
        out.start = min((p.date for p in final if p.date), default=day)
    elif trial:
        order_date = max(trial)  # the latest dated trial order counts
        last_day = jalali_add_months(order_date, TRIAL_ORDER_MONTHS) - ONE_DAY
        out.start = order_date
        out.end, out.end_reason = last_day, "trial_order"
        if day > last_day:
            out.reasons.append(reason(
                "trial_order_expired", f"قرار سرپرستی آزمایشی فقط تا {fa_date(last_day)} اعتبار داشت.",
                f"the six-month trial order covered only until {last_day}",
                "حکم سرپرستی قطعی دادگاه را ارائه کنید.", ("court_order_final",)))
    else:
        bad_trial = facts.has("court_order_trial")
        out.reasons.append(reason(
            "court_order", "حکم سرپرستی قطعی یا قرار سرپرستی آزمایشی دادگاه (با تاریخ آن) ارائه نشده است."
            if not bad_trial else "تاریخ قرار سرپرستی آزمایشی معلوم نیست یا پس از تاریخ درخواست است.",
            "no court guardianship order (final, or a dated trial order) presented",
            "رای دادگاه را با تاریخ صدور آن ارائه کنید.", ("court_order_final", "court_order_trial")))
    if not facts.has("welfare_letter"):
        out.reasons.append(need_paper("welfare_letter", "welfare_letter", "معرفی‌نامه سازمان بهزیستی لازم است",
                                      "a letter from the welfare organisation is required"))
    adopted = [d for d in facts.existing_dependants
               if d.relation == "adopted_child" and d.active_on(day) and d.national_code != cand.national_code]
    if len(adopted) >= ADOPTION_LIMIT and not any(
            _siblings(cand.father_national_code, cand.mother_national_code, d) for d in adopted):
        out.reasons.append(reason(
            "adoption_limit", f"بیمه‌شده هم‌اکنون {len(adopted)} فرزندخوانده دارد؛ بیش از دو فرزندخوانده "
            "فقط وقتی مجاز است که خواهر یا برادر باشند.",
            "at most two adopted children unless they are siblings",
            "فقط خواهر یا برادرِ فرزندخوانده کنونی پذیرفته می‌شود."))
    return out
