"""inquiry, certificate, verify, inquiry-chain verify (CLI.md "Store and data")."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from desktop.domain.errors import DomainError
from desktop.domain.inquiry import InquiryAnswer
from desktop.domain.text import persian_digits
from desktop.services.certificates import IssuedCertificate, issue_certificate, verify_certificate
from desktop.services.hashchain import verify_chain
from desktop.services.inquiry import Deliver, answer_inquiry

from .base import Context, Output
from .output_file import PdfTarget

STATE_FA = {"not_found": "اطلاعاتی یافت نشد", "not_active": "در سوابق موجود، فاقد ارتباط فعال",
            "in_period": "دارای ارتباط در دوره", "active": "دارای ارتباط بیمه‌ای فعال"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("inquiry", parents=[common], help="answer an inquiry as an authority and record it")
    p.add_argument("--authority", required=True, help="the asking authority's code")
    p.add_argument("--national-code", required=True)
    p.add_argument("--from", dest="from_date", help="period start, Jalali YYYY/MM/DD (with --to)")
    p.add_argument("--to", dest="to_date", help="period end, Jalali YYYY/MM/DD (with --from)")
    p.add_argument("--pdf", help="also write the letter as a PDF file")
    p.set_defaults(handler=cmd_inquiry)

    p = sub.add_parser("certificate", parents=[common], help="issue a certificate for a person to an authority")
    p.add_argument("--national-code", required=True)
    p.add_argument("--authority", required=True)
    p.add_argument("--pdf", help="also write the certificate (with its passcode) as a PDF file")
    p.set_defaults(handler=cmd_certificate)

    p = sub.add_parser("verify", parents=[common], help="show a certificate to an authority")
    p.add_argument("--tracking", required=True)
    p.add_argument("--passcode", required=True)
    p.add_argument("--source", default="", help="who is asking (recorded with the attempt)")
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser("inquiry-chain", help="the inquiry record's hash chain")
    v = p.add_subparsers(dest="verb", required=True).add_parser("verify", parents=[common])
    v.set_defaults(handler=cmd_chain_verify)
    sub.add_parser("verify-chain", parents=[common], help="same as `inquiry-chain verify`").set_defaults(
        handler=cmd_chain_verify)


def _summary(answer: InquiryAnswer) -> str:
    return (f"{STATE_FA[answer.state]} — کد پیگیری {persian_digits(answer.tracking_code)}\n"
            f"{answer.state} — tracking code {answer.tracking_code}")


T = TypeVar("T", InquiryAnswer, IssuedCertificate)


def _recorded_with_pdf(raw_path: str | None, record: Callable[[Deliver | None], T]) -> T:
    """Check `--pdf` before anything is recorded; the PDF is written inside the record's
    transaction and put in place only once the record committed (else it is removed)."""
    target = PdfTarget.checked(raw_path)
    try:
        result = record(target.deliver if target else None)
    except BaseException:
        if target:
            target.discard()
        raise
    if target:
        target.commit(result.tracking_code)
    return result


def cmd_inquiry(ctx: Context) -> Output:
    a = ctx.args
    answer = _recorded_with_pdf(a.pdf, lambda deliver: answer_inquiry(
        ctx.store(), ctx.actor(), a.authority, a.national_code, a.from_date, a.to_date, deliver=deliver))
    return Output(answer.as_json(), _summary(answer))


def cmd_certificate(ctx: Context) -> Output:
    a = ctx.args
    issued = _recorded_with_pdf(a.pdf, lambda deliver: issue_certificate(
        ctx.store(), ctx.actor(), a.national_code, a.authority, deliver=deliver))
    return Output(issued.as_json(),
                  _summary(issued.answer) + f"\nکد رمز / passcode: {issued.passcode}")


def cmd_verify(ctx: Context) -> Output:
    a = ctx.args
    shown = verify_certificate(ctx.store(), ctx.actor(), a.tracking, a.passcode, source=a.source)
    return Output(shown.as_json(), _summary(shown.answer))


def cmd_chain_verify(ctx: Context) -> Output:
    report = verify_chain(ctx.store(), ctx.actor())
    if not report.ok:
        # A scheduler must see a broken chain in the exit status, not only in the text.
        raise ChainBroken(
            "زنجیره دفتر استعلام‌ها آسیب دیده است: " + "؛ ".join(f"{p.tracking_code} — {p.fa}"
                                                             for p in report.problems),
            "inquiry chain broken: " + "; ".join(f"{p.tracking_code} {p.problem}" for p in report.problems)
            + f" (hq: {report.hq})")
    text = f"زنجیره سالم است: {persian_digits(report.records)} پاسخ / chain intact: {report.records} records"
    return Output(report.as_json(), text)


class ChainBroken(DomainError):
    exit_code = 3
