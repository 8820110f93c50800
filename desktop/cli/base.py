"""What every sub-command shares: --db/--json/--user, signing in, opening the store, printing, errors."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy.exc

from desktop.domain.errors import DomainError, InvalidValue, PermissionDenied, Refused
from desktop.domain.limits import (
    JSON_INPUT_MAX_BYTES,
    JSON_MAX_DEPTH,
    NAME_MAX_BYTES,
    PATH_MAX_BYTES,
)
from desktop.services.actor import Actor
from desktop.services.admin import DEFAULT_ADMIN
from desktop.services.store import Store, default_store_path, open_store
from desktop.services.users import sign_in

PASSWORD_ENV = "BRANCH_DESK_PASSWORD"
PASSWORD_FILE_MAX_BYTES = 4096


@dataclass
class Output:
    data: Any
    text: str = ""
    exit_code: int = 0  # a report printed in full that still fails (ledger verify, a damaged archive: 3)


class StoreUnreadable(DomainError):
    """--db names something that cannot be opened as a branch store (exit 2)."""


class NotPermitted(PermissionDenied):
    """No password to sign in with (exit 4)."""


@dataclass
class Context:
    args: argparse.Namespace
    _store: Store | None = field(default=None, repr=False)
    _actor: Actor | None = field(default=None, repr=False)

    @property
    def db(self) -> Path:
        return checked_path(self.args.db, "db") if self.args.db else default_store_path()

    def store(self) -> Store:
        if self._store is None:
            self._store = open_checked(self.db)
        return self._store

    def actor(self) -> Actor:
        """The store user the command acts as: `--user` (default admin) with that user's password."""
        if self._actor is None:
            username = self.args.user or DEFAULT_ADMIN
            password = cli_password(self.args.password_file, username)
            self._actor = sign_in(self.store(), username, password, audit_success=False)
        return self._actor

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def open_checked(path: Path) -> Store:
    """open_store, with anything the file system or SQLite says about a bad path as exit 2."""
    with store_errors(path):
        return open_store(path)


@contextmanager
def store_errors(path: Path) -> Iterator[None]:
    """Opening or creating a store at `path`: a folder, an unreadable file or one SQLite cannot
    use is bad input (exit 2) however deep in the engine it is noticed."""
    if path.is_dir():
        raise StoreUnreadable(f"«{path}» یک پوشه است، نه پایگاه داده شعبه.", f"{path} is a directory, not a branch store",
                              field="db")
    try:
        yield
    except (OSError, sqlite3.Error, sqlalchemy.exc.DBAPIError) as exc:
        raise StoreUnreadable(f"«{path}» به عنوان پایگاه داده شعبه باز نشد.",
                              f"{path} cannot be opened as a branch store: {_first_line(exc)}", field="db") from None


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def checked_path(raw: str, option: str) -> Path:
    """A path from the command line: not empty, not longer than the file system allows."""
    encoded = os.fsencode(raw)
    name = os.path.basename(encoded.rstrip(b"/"))
    if not raw or len(encoded) > PATH_MAX_BYTES or len(name) > NAME_MAX_BYTES:
        raise InvalidValue(f"مسیر «{raw[:60]}» برای --{option} پذیرفتنی نیست (خالی یا بیش از حد بلند).",
                           f"--{option}: the path is empty or too long", field=option)
    return Path(raw)


def cli_password(password_file: str | None, username: str) -> str:
    """--password-file, else $BRANCH_DESK_PASSWORD, else a prompt on a terminal; never argv."""
    if password_file:
        return read_secret_file(password_file, "password-file")
    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV]
    if interactive():
        return getpass.getpass(f"گذرواژه {username} / password for {username}: ")
    raise NotPermitted(
        f"برای کار به نام «{username}» گذرواژه لازم است (--password-file یا متغیر {PASSWORD_ENV}).",
        f"a password is needed to act as {username!r}: --password-file F or ${PASSWORD_ENV}",
        field="password",
    )


def interactive() -> bool:
    """A person at a terminal who can be asked (a scheduler or a pipe cannot)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # a closed or odd stdin
        return False


def read_secret_file(path: str, option: str) -> str:
    """The first line of a small UTF-8 file (a trailing newline is not part of the password)."""
    checked = checked_path(path, option)
    try:
        with checked.open("rb") as f:
            data = f.read(PASSWORD_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidValue(f"فایل گذرواژه «{path}» خوانده نشد.", f"cannot read --{option} {path}: {exc.strerror}",
                           field=option) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValue(f"فایل گذرواژه «{path}» UTF-8 نیست.", f"--{option} {path} is not UTF-8",
                           field=option) from None
    if len(data) > PASSWORD_FILE_MAX_BYTES:
        raise InvalidValue(f"فایل گذرواژه «{path}» بیش از حد بزرگ است.", f"--{option} {path} is too large",
                           field=option)
    return text.splitlines()[0] if text.splitlines() else ""


def common_options(*, json_flag: bool = True) -> argparse.ArgumentParser:
    """--db, --user, --password-file and (unless `--json FILE` names the input, as in `enrol`) --json."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", help="branch store (SQLite file); default: the user's data directory")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")
    p.add_argument("--user", help="act as this store user (default: admin)")
    p.add_argument("--password-file", metavar="F",
                   help=f"the user's password (first line of F); else ${PASSWORD_ENV}, else a prompt on a terminal")
    return p


def read_json_file(path: str) -> Any:
    """A JSON input file (or - for stdin): UTF-8, at most JSON_INPUT_MAX_BYTES, at most
    JSON_MAX_DEPTH deep; anything else is a bilingual exit 2, never a traceback."""
    raw = _read_input(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidValue(f"فایل «{path}» با UTF-8 نوشته نشده است (بایت {exc.start}).",
                           f"{path} is not UTF-8 (byte {exc.start})", field="json") from None
    _check_depth(text, path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidValue(f"فایل «{path}» JSON معتبر نیست (سطر {exc.lineno}).",
                           f"{path} is not valid JSON: {exc}", field="json") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4,300 digits
        raise InvalidValue(f"فایل «{path}» JSON پذیرفتنی نیست.", f"{path} is not acceptable JSON: {exc}",
                           field="json") from None


def _read_input(path: str) -> bytes:
    try:
        if path == "-":
            data = sys.stdin.buffer.read(JSON_INPUT_MAX_BYTES + 1)
        else:
            with checked_path(path, "json").open("rb") as f:
                data = f.read(JSON_INPUT_MAX_BYTES + 1)
    except FileNotFoundError:
        raise InvalidValue(f"فایل «{path}» پیدا نشد.", f"file not found: {path}", field="json") from None
    except IsADirectoryError:
        raise InvalidValue(f"«{path}» یک پوشه است، نه فایل JSON.", f"{path} is a directory, not a JSON file",
                           field="json") from None
    except OSError as exc:
        raise InvalidValue(f"فایل «{path}» خوانده نشد.", f"cannot read {path}: {exc.strerror}", field="json") from None
    if len(data) > JSON_INPUT_MAX_BYTES:
        raise InvalidValue(f"فایل «{path}» بیش از حد بزرگ است.", f"{path} is larger than {JSON_INPUT_MAX_BYTES} bytes",
                           field="json")
    return data


def _check_depth(text: str, path: str) -> None:
    """Refuse nesting deeper than any real input before the parser recurses into it."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > JSON_MAX_DEPTH:
                raise InvalidValue(f"فایل «{path}» بیش از {JSON_MAX_DEPTH} لایه تودرتو است.",
                                   f"{path} is nested deeper than {JSON_MAX_DEPTH} levels", field="json")
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1


def emit(out: Output, as_json: bool) -> None:
    if as_json:
        print(json.dumps(out.data, ensure_ascii=False, indent=2, default=str))
    else:
        print(out.text or json.dumps(out.data, ensure_ascii=False, indent=2, default=str))


def report_error(exc: DomainError | Refused, as_json: bool) -> int:
    if isinstance(exc, Refused):
        lines = ["درخواست پذیرفته نشد / refused:"]
        for r in exc.reasons:
            lines.append(f"- [{r.rule}] {r.fa}" + (f" — {r.remedy_fa}" if r.remedy_fa else ""))
            lines.append(f"  {r.en}")
        print("\n".join(lines), file=sys.stderr)
        if as_json:
            print(json.dumps({"ok": False, "reasons": [
                {"rule": r.rule, "fa": r.fa, "en": r.en, "remedy_fa": r.remedy_fa, "papers": list(r.papers)}
                for r in exc.reasons]}, ensure_ascii=False, indent=2))
        return exc.exit_code
    print(f"خطا: {exc.fa}\nerror: {exc.en}", file=sys.stderr)
    if as_json:
        print(json.dumps({"ok": False, "error": {"fa": exc.fa, "en": exc.en, "field": exc.field}}, ensure_ascii=False))
    return exc.exit_code
