"""backup, restore (CLI.md "Backup"): administrators only; see desktop/services/backup.py."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop.domain.errors import InvalidValue
from desktop.domain.text import persian_digits
from desktop.services.actor import Actor
from desktop.services.admin import DEFAULT_ADMIN
from desktop.services.backup import backup_store, restore_store
from desktop.services.store import Store
from desktop.services.users import sign_in

from .base import Context, Output, checked_path, cli_password, store_errors


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("backup", parents=[common], help="a consistent copy of the store in one file")
    p.add_argument("--out", required=True, metavar="FILE", help="the backup file to write")
    p.set_defaults(handler=cmd_backup)
    p = sub.add_parser("restore", parents=[common],
                       help="replace the store with a backup (new install epoch)")
    p.add_argument("--from", dest="source", required=True, metavar="FILE", help="a file made by backup")
    p.set_defaults(handler=cmd_restore)


def _checked_out(raw: str) -> Path:
    """The backup's target: a file in an existing, writable folder (replaced if there)."""
    path = checked_path(raw, "out")
    folder = path.absolute().parent
    if path.is_dir() or (path.exists() and not path.is_file()):
        raise InvalidValue(f"«{raw}» یک فایل معمولی نیست؛ نام یک فایل را بدهید.",
                           f"--out {raw} is not a regular file", field="out")
    if not folder.is_dir():
        raise InvalidValue(f"پوشه «{folder}» وجود ندارد.", f"--out: folder {folder} does not exist",
                           field="out")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidValue(f"در پوشه «{folder}» نمی‌توان نوشت.", f"--out: cannot write in {folder}",
                           field="out")
    return path


def cmd_backup(ctx: Context) -> Output:
    out = _checked_out(ctx.args.out)
    store, actor = ctx.store(), ctx.actor()
    if out.absolute() == store.path.absolute():
        raise InvalidValue("پشتیبان نمی‌تواند روی خود پایگاه داده نوشته شود.",
                           "--out names the store itself", field="out")
    result = backup_store(store, actor, out)
    return Output(result.as_json(),
                  f"پشتیبان شعبه {persian_digits(result.branch)} نوشته شد: {result.out} "
                  f"({persian_digits(result.bytes)} بایت)\nbackup written: {result.out} ({result.bytes} bytes)")


def cmd_restore(ctx: Context) -> Output:
    db = ctx.db
    source = checked_path(ctx.args.source, "from")

    def authorise(store: Store) -> Actor:
        username = ctx.args.user or DEFAULT_ADMIN
        return sign_in(store, username, cli_password(ctx.args.password_file, username),
                       audit_success=False)

    with store_errors(db):
        result = restore_store(db, source, authorise)
    return Output(result.as_json(),
                  f"پایگاه داده شعبه {persian_digits(result.branch)} از پشتیبان بازگردانده شد؛ "
                  f"در همگام‌سازی بعدی آنچه ستاد دارد بازگرفته می‌شود.\n"
                  f"restored {result.db} from {result.source}; new install epoch {result.install_epoch}; "
                  f"the next sync takes back what headquarters holds")
