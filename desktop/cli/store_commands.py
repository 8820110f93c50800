"""init, demo — the two commands that may create a store, and so the two that need no signed-in
user there: `init` makes the administrator, `demo` on a new path makes a demo store whose users
are the documented demo users (admin/admin1234 …). On an existing store `demo` signs in like
every other command."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from desktop.db.registry_local import registry_path_for
from desktop.domain import identifiers
from desktop.domain.errors import InvalidValue
from desktop.domain.limits import SEED_MAX, check_range
from desktop.domain.text import normalise_text
from desktop.services.actor import Actor
from desktop.services.admin import DEFAULT_ADMIN, init_store
from desktop.services.store import Store
from desktop.services.users import check_password

from .base import Context, NotPermitted, Output, interactive, read_secret_file, store_errors


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="create or migrate a branch store")
    p.add_argument("--branch", required=True, help="4-digit branch code")
    p.add_argument("--name", default="", help="branch name")
    p.add_argument("--admin-password-file", metavar="F",
                   help="the new administrator's password (first line of F); else a prompt on a terminal, "
                        "else one is generated and printed once")
    p.add_argument("--hq", metavar="URL", help="join headquarters: lease the first number blocks from it")
    p.add_argument("--token", metavar="T", help="the branch token given by `hq branch add` (or --token-file F)")
    p.add_argument("--token-file", metavar="F", help="the branch token (first line of F)")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", parents=[common], help="fill a store with realistic synthetic data")
    p.add_argument("--persons", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--branch", default="1021", help="branch code if the store does not exist yet")
    p.set_defaults(handler=cmd_demo)


def is_new_store(db: Path) -> bool:
    return not db.exists() or (db.is_file() and db.stat().st_size == 0)


@contextmanager
def removed_on_failure(db: Path, close: Callable[[], None] = lambda: None) -> Iterator[None]:
    """A refused `init`/`demo` on a new path leaves no store, registry or folder behind."""
    parent = db.absolute().parent
    missing_dirs = [d for d in (parent, *parent.parents) if not d.exists()]
    files = [db, registry_path_for(db)]
    files += [f.with_name(f.name + suffix) for f in list(files) for suffix in ("-wal", "-shm", "-journal")]
    created = [f for f in files if not f.exists()]
    try:
        yield
    except BaseException:
        close()  # SQLite must let go of the files before they go
        for f in created:
            f.unlink(missing_ok=True)
        for d in missing_dirs:  # deepest first
            with suppress(OSError):
                d.rmdir()
        raise


def _admin_password(ctx: Context) -> tuple[str, bool]:
    """(password, generated): the file, else a prompt on a terminal, else a generated one."""
    if ctx.args.admin_password_file:
        return check_password(read_secret_file(ctx.args.admin_password_file, "admin-password-file")), False
    if interactive():
        first = getpass.getpass("گذرواژه مدیر / administrator password: ")
        if getpass.getpass("تکرار / again: ") != first:
            raise NotPermitted("دو گذرواژه یکی نیستند.", "the two passwords differ", field="password")
        return check_password(first), False
    return secrets.token_urlsafe(12), True


def cmd_init(ctx: Context) -> Output:
    a = ctx.args
    db = ctx.db
    code = identifiers.branch_code(a.branch)
    name = normalise_text(a.name, field="branch_name")
    new = is_new_store(db)
    # An existing store keeps its administrator; the throw-away password is never used or shown.
    password, generated = _admin_password(ctx) if new else (secrets.token_urlsafe(12), False)
    with removed_on_failure(db), store_errors(db):
        if ctx.args.hq or ctx.args.token or ctx.args.token_file:
            store = _joined_store(ctx, db, code, name, password)
        else:
            store = init_store(db, code, name, admin_password=password)
    try:
        data = {"db": str(db), "branch": store.branch_code, "name": store.branch_name, "admin": DEFAULT_ADMIN,
                "hq": store.settings.get("hq_url", "")}
    finally:
        store.close()
    text = (f"پایگاه داده شعبه {data['branch']} آماده است: {data['db']}\n"
            f"branch store ready; administrator user: {DEFAULT_ADMIN}")
    if generated and new:
        # Shown once: only its argon2 hash is kept.
        data["admin_password"] = password
        text += f"\nگذرواژه مدیر (فقط همین یک بار نمایش داده می‌شود) / administrator password (shown once): {password}"
    return Output(data, text)


def _joined_store(ctx: Context, db: Path, code: str, name: str, password: str) -> Store:
    """init --hq URL --token T: both are needed; HQ unreachable is exit 6 with nothing created."""
    from desktop.services.sync import join_headquarters

    from .sync_commands import hq_token

    token = hq_token(ctx.args)
    if not ctx.args.hq or not token:
        raise InvalidValue("برای پیوستن به ستاد هم --hq و هم --token لازم است.",
                           "joining headquarters needs both --hq URL and --token T", field="hq")
    return join_headquarters(db, code, name, admin_password=password, url=ctx.args.hq, token=token)


def cmd_demo(ctx: Context) -> Output:
    from desktop.services.demo import (  # heavy: Faker is only loaded for demo
        DEMO_ADMIN_PASSWORD,
        MAX_PERSONS,
        fill_demo,
        new_demo_store,
    )

    a = ctx.args
    check_range(a.persons, 1, MAX_PERSONS, "persons", "تعداد افراد")
    check_range(a.seed, 0, SEED_MAX, "seed", "بذر")
    db = ctx.db
    if not is_new_store(db):
        return _fill(ctx, fill_demo, ctx.store(), ctx.actor())
    code = identifiers.branch_code(a.branch)
    if (a.user or DEFAULT_ADMIN) != DEFAULT_ADMIN:
        raise NotPermitted(f"در پایگاه نمونه تازه فقط {DEFAULT_ADMIN} می‌تواند آن را بسازد.",
                           f"a new demo store is built as {DEFAULT_ADMIN}, not {a.user!r}", field="user")
    with removed_on_failure(db, ctx.close):
        with store_errors(db):
            new_demo_store(db, code, persons=a.persons, seed=a.seed).close()
        store = ctx.store()
        from desktop.services.users import sign_in

        return _fill(ctx, fill_demo, store, sign_in(store, DEFAULT_ADMIN, DEMO_ADMIN_PASSWORD, audit_success=False))


def _fill(ctx: Context, fill_demo: Callable[..., dict[str, Any]], store: Store, actor: Actor) -> Output:
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

    summary = fill_demo(store, actor, persons=ctx.args.persons, seed=ctx.args.seed, progress=progress)
    return Output(summary, f"داده نمونه ساخته شد / demo data: {summary}")
