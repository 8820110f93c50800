"""init, demo."""

from __future__ import annotations

import argparse
import sys

from desktop.services.admin import DEFAULT_ADMIN, init_store

from .base import Context, Output


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="create or migrate a branch store")
    p.add_argument("--branch", required=True, help="4-digit branch code")
    p.add_argument("--name", default="", help="branch name")
    p.add_argument("--admin-password", default="admin1234")  # interim: init reads a password file next (issue 8)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", parents=[common], help="fill a store with realistic synthetic data")
    p.add_argument("--persons", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--branch", default="1021", help="branch code if the store does not exist yet")
    p.set_defaults(handler=cmd_demo)


def cmd_init(ctx: Context) -> Output:
    store = init_store(ctx.db, ctx.args.branch, ctx.args.name, admin_password=ctx.args.admin_password)
    try:
        data = {"db": str(ctx.db), "branch": store.branch_code, "name": store.branch_name,
                "admin": DEFAULT_ADMIN}
    finally:
        store.close()
    return Output(data, f"پایگاه داده شعبه {data['branch']} آماده است: {data['db']}\n"
                        f"branch store ready; administrator user: {DEFAULT_ADMIN}")


def cmd_demo(ctx: Context) -> Output:
    from desktop.services.demo import fill_demo, new_demo_store  # heavy: loads Faker

    if not ctx.db.exists():
        new_demo_store(ctx.db, ctx.args.branch, persons=ctx.args.persons, seed=ctx.args.seed).close()
    store = ctx.store()

    seen: list[str] = []

    def progress(done: int, total: int, stage: str) -> None:
        # stderr only, so `--json` keeps stdout to the one JSON document: a bar on a terminal,
        # one line per stage when stderr is a log file.
        if sys.stderr.isatty():
            width = 30
            filled = int(width * done / max(total, 1))
            print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {stage:<14}", end="", file=sys.stderr)
            if stage == "done":
                print(file=sys.stderr)
        elif stage not in seen:
            seen.append(stage)
            print(f"{stage}: {done}/{total}", file=sys.stderr, flush=True)

    summary = fill_demo(store, ctx.actor(), persons=ctx.args.persons, seed=ctx.args.seed, progress=progress)
    return Output(summary, f"داده نمونه ساخته شد / demo data: {summary}")
