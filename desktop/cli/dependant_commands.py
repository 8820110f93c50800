"""dependant add | check | due | end — the dependant service (SPEC §3) without a window."""

from __future__ import annotations

import argparse
from typing import Any

from desktop.domain.errors import InvalidValue
from desktop.domain.jalali import parse_jalali, parse_optional
from desktop.domain.limits import PAPER_MAX_BYTES
from desktop.domain.text import ascii_digits, persian_digits
from desktop.services.archive import media_type_for
from desktop.services.dependant_facts import PaperInput
from desktop.services.dependants import (
    add_dependant,
    check_dependant,
    due_to_end,
    end_dependency,
    verdict_json,
)

from .base import Context, Output, checked_path

PAPER_HELP = (
    "a scanned paper, KIND=FILE, repeatable. Attributes after '@': a Jalali date (the order or "
    "certificate date, e.g. court_order_trial=order.pdf@1403/01/10), 'until=DATE' (validity end) "
    "and 'seminary' (a seminary enrolment certificate, which does not count), joined by '@': "
    "university_enrolment=cert.pdf@until=1405/06/31@seminary"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("dependant", help="dependants (افراد تبعی)")
    verbs = p.add_subparsers(dest="verb", required=True)
    for verb, handler, helptext in (("add", cmd_add, "register a dependant; refusal exits 3 with the reasons"),
                                    ("check", cmd_check, "the rules' answer without writing anything")):
        v = verbs.add_parser(verb, parents=[common], help=helptext)
        v.add_argument("--main", required=True, metavar="NATIONAL_CODE", help="the main insured's national code")
        v.add_argument("--national-code", required=True, help="the dependant's national code")
        v.add_argument("--relation", required=True, choices=["wife", "husband", "daughter", "son", "father",
                                                               "mother", "adopted_child", "soldier_family"])
        v.add_argument("--paper", action="append", default=[], metavar="KIND=FILE[@ATTR...]", help=PAPER_HELP)
        v.add_argument("--date", help="request date, Jalali YYYY/MM/DD (default: today)")
        v.add_argument("--other-fund", action="store_true", help="the parent is covered by another fund")
        v.add_argument("--dispatch-date", help="soldier's family: date of dispatch to service")
        v.add_argument("--service-end", help="soldier's family: end of the military service")
        v.add_argument("--benefit-before-dispatch", action="store_true",
                       help="soldier drew wage compensation or unemployment benefit in the two months before dispatch")
        v.add_argument("--wage-list-before-dispatch", action="store_true",
                       help="soldier is on a wage list or inspection in the two months before dispatch")
        v.set_defaults(handler=handler)
    v = verbs.add_parser("due", parents=[common], help="dependant links whose end falls in the next DAYS days")
    v.add_argument("--within", type=int, required=True, metavar="DAYS")
    v.set_defaults(handler=cmd_due)
    v = verbs.add_parser("end", parents=[common], help="end a dependant link, recording why")
    v.add_argument("--relationship", required=True, metavar="ID")
    v.add_argument("--reason", required=True, help="divorce, death, marriage, employment, order_revoked, other …")
    v.add_argument("--end-date", required=True, help="last covered day, Jalali YYYY/MM/DD")
    v.add_argument("--note", default="")
    v.set_defaults(handler=cmd_end)


def parse_paper(spec: str) -> PaperInput:
    kind, sep, rest = spec.partition("=")
    if not sep or not rest:
        raise InvalidValue(f"مدرک «{spec}» باید به شکل KIND=FILE باشد.", f"--paper {spec!r}: expected KIND=FILE",
                           field="paper")
    filename, *attrs_raw = rest.split("@")
    attrs: dict[str, object] = {}
    for raw in attrs_raw:
        if raw == "seminary":
            attrs["seminary"] = True
        elif raw.startswith("until="):
            attrs["until"] = parse_jalali(raw[6:], field="paper.until")
        else:
            attrs["date"] = parse_jalali(raw, field="paper.date")
    path = checked_path(filename, "paper")
    try:
        with path.open("rb") as f:
            data = f.read(PAPER_MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidValue(f"فایل «{filename}» خوانده نشد.", f"cannot read {filename}: {exc.strerror}",
                           field="paper") from None
    if len(data) > PAPER_MAX_BYTES:
        raise InvalidValue(f"فایل «{filename}» بیش از حد بزرگ است.", f"{filename} is larger than {PAPER_MAX_BYTES} bytes",
                           field="paper")
    return kind.strip(), path.name, data, media_type_for(path.name), attrs


def _request(ctx: Context) -> dict[str, Any]:
    a = ctx.args
    soldier: dict[str, Any] = {k: v for k, v in (("dispatch_date", parse_optional(a.dispatch_date, field="dispatch_date")),
                                 ("service_end", parse_optional(a.service_end, field="service_end"))) if v}
    if a.wage_list_before_dispatch:
        soldier["on_wage_list_or_inspection"] = True
    if a.benefit_before_dispatch:
        soldier["wage_compensation_or_unemployment"] = True
    return {"papers": [parse_paper(p) for p in a.paper], "request_date": parse_optional(a.date, field="date"),
            "other_fund": a.other_fund, "soldier": soldier or None}


def cmd_add(ctx: Context) -> Output:
    a = ctx.args
    result = add_dependant(ctx.store(), ctx.actor(), ascii_digits(a.main), ascii_digits(a.national_code),
                           a.relation, **_request(ctx))
    data = result.as_json()
    text = (f"فرد تبعی ثبت شد؛ شماره تامین اجتماعی {persian_digits(result.ssn)}، شماره موقت متمرکز "
            f"{result.central_temporary} / dependant registered: SSN {result.ssn}, "
            f"central temporary {result.central_temporary}")
    return Output(data, text)


def cmd_check(ctx: Context) -> Output:
    a = ctx.args
    verdict = check_dependant(ctx.store(), ctx.actor(), ascii_digits(a.main), ascii_digits(a.national_code),
                              a.relation, **_request(ctx))
    data = verdict_json(verdict)
    lines = ["پذیرفته می‌شود / eligible" if verdict.eligible else "پذیرفته نمی‌شود / not eligible"]
    lines += [f"- [{r['rule']}] {r['fa']} — {r['remedy_fa']}\n  {r['en']}" for r in data["reasons"]]
    return Output(data, "\n".join(lines))


def cmd_due(ctx: Context) -> Output:
    rows = due_to_end(ctx.store(), ctx.actor(), ctx.args.within)
    text = "\n".join(f"{r['end']}  {r['relation']:<14} {r['dependant']['name']} ← {r['main_insured']['name']} "
                     f"({r['end_reason_fa']})" for r in rows) or "موردی نیست / none"
    return Output({"due": rows}, text)


def cmd_end(ctx: Context) -> Output:
    a = ctx.args
    ended = end_dependency(ctx.store(), ctx.actor(), a.relationship, a.reason,
                           parse_jalali(a.end_date, field="end_date"), a.note)
    data = ended.as_json()
    return Output(data, f"ارتباط تبعی پایان یافت / dependant link ended: {data['end']} ({ended.end_reason})")
