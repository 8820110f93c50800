"""sync, sync status (CLI.md "Headquarters and sync").

Neither signs in a store user: `sync` is run by schedulers, and its credential is the branch
token (stored by `init --hq`, or given with --hq/--token); a round only moves changes that
signed-in users already committed. `sync status` only counts, never shows a person.
"""

from __future__ import annotations

import argparse
import os

from desktop.domain.errors import DomainError
from desktop.domain.text import persian_digits
from desktop.services.chain_anchor import verify_audit_chain
from desktop.services.sync import quarantine_list, sync_now, sync_status
from desktop.services.sync_settings import interval_minutes, set_sync_interval

from .base import Context, Output, read_secret_file

TOKEN_ENV = "BRANCH_DESK_HQ_TOKEN"


def hq_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hq", metavar="URL", help="headquarters address, e.g. http://127.0.0.1:8470")
    p.add_argument("--token", metavar="T", help=f"the branch token (or --token-file F, or ${TOKEN_ENV})")
    p.add_argument("--token-file", metavar="F", help="the branch token (first line of F)")


def hq_token(args: argparse.Namespace) -> str | None:
    if getattr(args, "token_file", None):
        return read_secret_file(args.token_file, "token-file")
    return getattr(args, "token", None) or os.environ.get(TOKEN_ENV) or None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[common], help="one sync round with headquarters")
    hq_options(p)
    p.set_defaults(handler=cmd_sync)
    verbs = p.add_subparsers(dest="verb")
    s = verbs.add_parser("status", parents=[common], help="the last sync, pending changes, leases left")
    s.set_defaults(handler=cmd_sync_status)
    q = verbs.add_parser("quarantine", parents=[common],
                         help="changes headquarters refused, with its reasons (supervisors)")
    q.set_defaults(handler=cmd_sync_quarantine)
    i = verbs.add_parser("interval", parents=[common],
                         help="minutes between the application's background rounds (default 5)")
    i.add_argument("--minutes", metavar="N", help="set it (1-1440; the administrator)")
    i.set_defaults(handler=cmd_sync_interval)

    p = sub.add_parser("audit-chain", help="the audit log's hash chain")
    v = p.add_subparsers(dest="verb", required=True).add_parser("verify", parents=[common])
    v.set_defaults(handler=cmd_audit_verify)


def cmd_sync(ctx: Context) -> Output:
    a = ctx.args
    report = sync_now(ctx.store(), None, url=a.hq, token=hq_token(a))
    data = report.as_json()
    text = (f"همگام‌سازی انجام شد: {persian_digits(report.pushed)} فرستاده، "
            f"{persian_digits(report.pulled)} دریافت، {persian_digits(report.pending)} در صف\n"
            f"sync done: pushed {report.pushed}, pulled {report.pulled}, quarantined {report.quarantined}, "
            f"pending {report.pending}, ssn left {report.lease.ssn_left}, central left {report.lease.central_left}")
    return Output(data, text)


def cmd_sync_status(ctx: Context) -> Output:
    status = sync_status(ctx.store(), None)
    data = status.as_json()
    last = status.last_success.isoformat(sep=" ", timespec="seconds") if status.last_success else "—"
    text = (f"آخرین همگام‌سازی موفق: {last}؛ در صف: {persian_digits(status.pending)}\n"
            f"last success: {last}; pending {status.pending}; quarantined {status.quarantined}; "
            f"ssn left {status.lease.ssn_left}; central left {status.lease.central_left}")
    return Output(data, text)


def cmd_sync_quarantine(ctx: Context) -> Output:
    """Unlike `sync`, this shows what was refused about people: a signed-in supervisor's list."""
    rows = quarantine_list(ctx.store(), ctx.actor())
    data = [{"change_id": str(q.change_id), "outbox_seq": q.outbox_seq, "entity": q.entity,
             "entity_id": q.entity_id, "op": q.op, "reason_fa": q.reason_fa, "reason_en": q.reason_en,
             "at": q.at.isoformat()} for q in rows]
    text = "\n".join(f"{q.op} {q.entity_id}: {q.reason_fa} / {q.reason_en}" for q in rows)
    return Output(data, text or "فهرست قرنطینه خالی است / nothing quarantined")


def cmd_sync_interval(ctx: Context) -> Output:
    """Showing the interval needs no sign-in (like `sync status`); changing it is the administrator's."""
    if ctx.args.minutes is not None:
        minutes: float = set_sync_interval(ctx.store(), ctx.actor(), ctx.args.minutes)
    else:
        minutes = interval_minutes(ctx.store())
    shown = int(minutes) if minutes == int(minutes) else minutes
    text = (f"فاصله همگام‌سازی خودکار: هر {persian_digits(shown)} دقیقه "
            f"(از بار بعد که برنامه باز شود)\nsync interval: every {shown} minutes")
    return Output({"minutes": shown}, text)


class AuditChainBroken(DomainError):
    exit_code = 3


HQ_STATES = {"compared": "با نسخه ستاد مقایسه شد", "not_joined": "شعبه به ستاد وصل نیست",
             "unreachable": "ستاد در دسترس نبود", "refused": "ستاد پاسخ نداد"}


def cmd_audit_verify(ctx: Context) -> Output:
    report = verify_audit_chain(ctx.store(), ctx.actor())
    if not report.ok:
        raise AuditChainBroken(
            "زنجیره گزارش رویدادها آسیب دیده است: " + "؛ ".join(
                f"رویداد {persian_digits(p.seq)} — {p.fa}" for p in report.problems),
            "audit chain broken: " + "; ".join(f"seq {p.seq} {p.problem}" for p in report.problems))
    text = (f"زنجیره گزارش رویدادها سالم است ({persian_digits(report.entries)} رویداد؛ "
            f"{HQ_STATES.get(report.hq, report.hq)}) / audit chain intact: {report.entries} entries, "
            f"hq {report.hq}")
    return Output(report.as_json(), text)
