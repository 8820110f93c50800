"""The family of an insured soldier (SPEC §3, social-security law art. 94)."""

from __future__ import annotations

from .common import (
    Outcome,
    active_marriage,
    fa_date,
    is_registry_child,
    need_paper,
    reason,
    valid_papers,
)
from .facts import DependantFacts


def _family_member(facts: DependantFacts) -> bool:
    main, cand, day = facts.main, facts.candidate, facts.request_date
    parent = cand.national_code is not None and cand.national_code in (
        main.father_national_code, main.mother_national_code)
    return bool(active_marriage(cand, main, day) or active_marriage(main, cand, day)
                or is_registry_child(cand, main) or parent)


def soldier_family(facts: DependantFacts) -> Outcome:
    s, day = facts.soldier, facts.request_date
    out = Outcome()
    if not _family_member(facts):
        out.reasons.append(reason(
            "registry_family", "طبق ثبت احوال، این شخص همسر، فرزند یا پدر و مادر سرباز نیست.",
            "the registry does not record the candidate as the soldier's spouse, child or parent"))
    if s.dispatch_date is None:
        out.reasons.append(need_paper("dispatch", "service_booklet", "تاریخ اعزام به خدمت سرباز معلوم نیست",
                                      "the soldier's dispatch date is unknown"))
        return out
    if not (s.on_wage_list_or_inspection or s.wage_compensation_or_unemployment):
        out.reasons.append(reason(
            "soldier_insured_before_dispatch",
            f"سرباز در دو ماه پیش از اعزام ({fa_date(s.dispatch_date)}) در لیست دستمزد یا گزارش بازرسی نیست "
            "و غرامت دستمزد یا مقرری بیمه بیکاری هم نگرفته است.",
            "the soldier is on no wage list or inspection and drew no wage compensation or unemployment "
            "benefit in the two months before dispatch",
            "سابقه دو ماه پیش از اعزام را در حساب انفرادی بررسی کنید."))
    later_visit = any(d.relation == "soldier_family" for d in facts.existing_dependants)
    if later_visit and not valid_papers(facts, "service_certificate"):
        out.reasons.append(need_paper("service_certificate", "service_certificate",
                                      "در مراجعات بعدی گواهی اشتغال به خدمت لازم است",
                                      "later visits need the in-service certificate"))
    elif not later_visit and not (facts.has("service_booklet") or valid_papers(facts, "service_certificate")):
        out.reasons.append(need_paper("service_booklet", "service_booklet",
                                      "در نخستین مراجعه دفترچه آماده به خدمت لازم است",
                                      "the first visit needs the ready-for-service booklet"))
    end = s.service_end or max((p.until for p in valid_papers(facts, "service_certificate") if p.until),
                               default=None)
    if end is not None and end < day:
        out.reasons.append(reason("service_over", f"خدمت سربازی در {fa_date(end)} پایان یافته است.",
                                  "the military service is over"))
    out.start = s.dispatch_date  # coverage runs for the service, whenever the request came
    out.end, out.end_reason = (end, "service_end") if end else (None, None)
    return out
