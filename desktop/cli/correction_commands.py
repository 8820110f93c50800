"""account, correction request|list|approve|reject, ledger verify (CLI.md "The individual
account, corrections, archive and statistics")."""

from __future__ import annotations

import argparse

from desktop.domain.corrections import FIELDS, STATUS_TITLES
from desktop.domain.errors import InvalidValue
from desktop.domain.text import persian_digits
from desktop.services.account import account_of
from desktop.services.corrections import (
    STATUSES,
    ScannedForm,
    approve_correction,
    list_corrections,
    reject_correction,
    request_correction,
)
from desktop.services.ledger import verify_ledger

from .base import Context, Output
from .dependant_commands import parse_paper

EXIT_LEDGER_BROKEN = 3  # as `inquiry-chain verify`: a scheduler sees a broken chain in the status


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("account", parents=[common], help="a person's individual account")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--national-code")
    g.add_argument("--ssn")
    p.set_defaults(handler=cmd_account)

    verbs = sub.add_parser("correction", help="corrections of insurance document lines").add_subparsers(
        dest="verb", required=True)
    v = verbs.add_parser("request", parents=[common], help="file a correction of one document line")
    v.add_argument("--line", required=True, help="the document line's id (from `account`)")
    v.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", required=True,
                   help=f"a new component value, repeatable; fields: {', '.join(FIELDS)}")
    v.add_argument("--reason", required=True, help="the written reasons")
    v.add_argument("--unit", help="the requesting unit (default: this branch)")
    v.add_argument("--paper", metavar="correction_form=FILE", help="the scanned correction request form")
    v.set_defaults(handler=cmd_request)
    v = verbs.add_parser("list", parents=[common], help="correction requests by status")
    v.add_argument("--status", default="open", choices=STATUSES)
    v.set_defaults(handler=cmd_list)
    for verb, handler in (("approve", cmd_approve), ("reject", cmd_reject)):
        v = verbs.add_parser(verb, parents=[common], help=f"a supervisor's decision: {verb}")
        v.add_argument("id", help="the request's id")
        v.add_argument("--reason", required=True, help="the written reason (required)")
        v.set_defaults(handler=handler)

    v = sub.add_parser("ledger", help="the correction ledger").add_subparsers(dest="verb", required=True) \
        .add_parser("verify", parents=[common], help="check the correction ledger's hash chain")
    v.set_defaults(handler=cmd_verify)


def cmd_account(ctx: Context) -> Output:
    a = ctx.args
    account = account_of(ctx.store(), ctx.actor(), national_code=a.national_code, ssn=a.ssn)
    life = account.lifetime
    return Output(account.as_json(), f"{account.full_name}: {persian_digits(life.days)} روز / {life.days} days, "
                                     f"{len(account.monthly)} monthly lines")


def parse_sets(specs: list[str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    for spec in specs:
        field, sep, value = spec.partition("=")
        field = field.strip()
        if not sep or field not in FIELDS:
            raise InvalidValue(f"«{spec[:60]}» باید به شکل FIELD=VALUE باشد و FIELD یکی از {'، '.join(FIELDS)}.",
                               f"--set {spec[:60]!r}: expected FIELD=VALUE with FIELD one of {', '.join(FIELDS)}",
                               field="set")
        if field in changes:
            raise InvalidValue(f"جزء «{field}» دو بار آمده است.", f"--set {field} given twice", field="set")
        changes[field] = value
    return changes


def _form(spec: str | None) -> ScannedForm | None:
    if spec is None:
        return None
    kind, filename, data, media_type, _attrs = parse_paper(spec)
    if kind != "correction_form":
        raise InvalidValue("مدرک درخواست اصلاح باید correction_form=FILE باشد.",
                           f"--paper {kind!r}: expected correction_form=FILE", field="paper")
    return ScannedForm(filename, data, media_type)


def cmd_request(ctx: Context) -> Output:
    a = ctx.args
    changes, form = parse_sets(a.set), _form(a.paper)
    filed = request_correction(ctx.store(), ctx.actor(), a.line, changes, a.reason, unit=a.unit, form=form)
    return Output(filed.as_json(), f"درخواست اصلاح ثبت شد / correction requested: {filed.id.hex}")


def cmd_list(ctx: Context) -> Output:
    rows = list_corrections(ctx.store(), ctx.actor(), ctx.args.status)
    text = "\n".join(f"{r.id.hex}  {r.period}  {r.national_code or ''}  {STATUS_TITLES.get(r.status, r.status)}"
                     for r in rows) or "درخواستی نیست / no requests"
    return Output([r.as_json() for r in rows], text)


def cmd_approve(ctx: Context) -> Output:
    decision = approve_correction(ctx.store(), ctx.actor(), ctx.args.id, ctx.args.reason)
    return Output(decision.as_json(), "تایید و اعمال شد / approved and applied")


def cmd_reject(ctx: Context) -> Output:
    decision = reject_correction(ctx.store(), ctx.actor(), ctx.args.id, ctx.args.reason)
    return Output(decision.as_json(), "رد شد / rejected")


def cmd_verify(ctx: Context) -> Output:
    report = verify_ledger(ctx.store(), ctx.actor())
    bad = report.first_bad
    if bad is None:
        text = f"دفتر اصلاح سالم است: {persian_digits(report.entries)} ردیف / ledger intact: {report.entries} entries"
        return Output(report.as_json(), text)
    text = (f"دفتر اصلاح آسیب دیده است؛ نخستین ردیف نادرست {persian_digits(bad.seq)}: {bad.fa}\n"
            f"ledger broken: first bad entry {bad.seq} ({bad.problem})")
    return Output(report.as_json(), text, exit_code=EXIT_LEDGER_BROKEN)
