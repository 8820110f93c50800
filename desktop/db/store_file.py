"""Is this file a branch store? Decided by reading it, never by writing to it.

Opening a file through the engine switches it to WAL, and migrating it creates 40 tables: so a
path is first looked at read-only, with the standard library — name length, kind of file, the
SQLite header, and the two things every branch store has held since revision 0001: an
`alembic_version` row and `store_setting.branch_code`. Only a file that passes is handed to the
engine; everything else is refused with nothing written (no `-wal`/`-shm`, no registry file).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.errors import DomainError
from desktop.domain.text import persian_digits

SQLITE_HEADER = b"SQLite format 3\x00"
NAME_MAX = 255  # bytes in one path component on the file systems a branch uses


class NotABranchStore(DomainError):
    """The path is a directory, a missing folder, some other file or another program's database."""

    exit_code = 2


@dataclass(frozen=True)
class StoreFile:
    """What is at a store path: `new` (nothing, or an empty file) or a branch store."""

    path: Path
    state: str  # new | branch_store
    revisions: tuple[str, ...] = ()
    branch_code: str = ""
    branch_name: str = ""


def _refuse(path: Path, fa_why: str, en_why: str) -> NotABranchStore:
    return NotABranchStore(f"«{path}» پایگاه داده شعبه نیست: {fa_why}", f"{path} is not a branch store: {en_why}",
                           field="db")


def _check_name(path: Path) -> None:
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise NotABranchStore(
                f"نام «{part[:40]}…» بیش از {persian_digits(NAME_MAX)} بایت است و نمی‌تواند پایگاه داده شعبه باشد.",
                f"no branch store can be there: a path component is longer than {NAME_MAX} bytes",
                field="db",
            )


def inspect_store_file(path: str | Path) -> StoreFile:
    """Look at `path` without writing anything; raise NotABranchStore for anything but new/store."""
    path = Path(path)
    _check_name(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return StoreFile(path, "new")
    except OSError as exc:
        raise _refuse(path, "خواندنی نیست", f"cannot be read ({exc.strerror})") from None
    except ValueError:  # a NUL byte in the path
        raise _refuse(path, "نام آن نویسه تهی (NUL) دارد", "its name contains a NUL byte") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, "یک پوشه است", "it is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "فایل معمولی نیست", "it is not a regular file")
    if info.st_size == 0:
        return StoreFile(path, "new")
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise _refuse(path, "خواندنی نیست", f"cannot be read ({exc.strerror})") from None
    if header != SQLITE_HEADER:
        raise _refuse(path, "پایگاه داده SQLite نیست", "it is not an SQLite database")
    revisions, settings = _read_marks(path)
    return StoreFile(path, "branch_store", revisions, settings["branch_code"], settings.get("branch_name", ""))


def _read_marks(path: Path) -> tuple[tuple[str, ...], dict[str, str]]:
    # Without a -wal beside it the main file holds everything: `immutable` reads it taking no lock
    # and creating no -shm/-wal. With one (the store is open elsewhere) a plain read-only open
    # uses the files that are already there.
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
        try:
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('alembic_version', 'store_setting')")}
            if tables != {"alembic_version", "store_setting"}:
                raise _refuse(path, "پایگاه داده برنامه دیگری است", "it is some other program's database")
            revisions = tuple(str(r[0]) for r in conn.execute("SELECT version_num FROM alembic_version"))
            settings = {str(k): str(v) for k, v in conn.execute(
                "SELECT key, value FROM store_setting WHERE key IN ('branch_code', 'branch_name')")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _refuse(path, "پایگاه داده خراب یا ناخوانا است", f"it cannot be read as a database ({exc})") from None
    if not settings.get("branch_code"):
        raise _refuse(path, "کد شعبه در آن ثبت نشده است", "it records no branch code")
    return revisions, settings
