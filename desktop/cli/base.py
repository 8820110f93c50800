"""What every sub-command shares: --db/--json/--user, opening the store, printing, errors."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.domain.errors import DomainError, Refused
from desktop.services.actor import Actor
from desktop.services.admin import DEFAULT_ADMIN
from desktop.services.store import Store, default_store_path, open_store
from desktop.services.users import find_actor


@dataclass
class Output:
    data: Any
    text: str = ""


@dataclass
class Context:
    args: argparse.Namespace
    _store: Store | None = field(default=None, repr=False)

    @property
    def db(self) -> Path:
        return Path(self.args.db) if self.args.db else default_store_path()

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.db)
        return self._store

    def actor(self) -> Actor:
        return find_actor(self.store(), self.args.user or DEFAULT_ADMIN)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def common_options(*, json_flag: bool = True) -> argparse.ArgumentParser:
    """--db, --user and (unless `--json FILE` names the input, as in `enrol`) the --json flag."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", help="branch store (SQLite file); default: the user's data directory")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")
    p.add_argument("--user", help="act as this store user (default: the administrator init created)")
    return p


def read_json_file(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return json.loads(text)
    except FileNotFoundError:
        raise DomainError(f"فایل «{path}» پیدا نشد.", f"file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise DomainError(f"فایل «{path}» JSON معتبر نیست (سطر {exc.lineno}).", f"{path} is not valid JSON: {exc}") from None


def emit(out: Output, as_json: bool) -> None:
    if as_json:
        print(json.dumps(out.data, ensure_ascii=False, indent=2, default=str))
    else:
        print(out.text or json.dumps(out.data, ensure_ascii=False, indent=2, default=str))


def report_error(exc: BaseException, as_json: bool) -> int:
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
    assert isinstance(exc, DomainError)
    print(f"خطا: {exc.fa}\nerror: {exc.en}", file=sys.stderr)
    if as_json:
        print(json.dumps({"ok": False, "error": {"fa": exc.fa, "en": exc.en, "field": exc.field}}, ensure_ascii=False))
    return exc.exit_code
