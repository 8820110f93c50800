"""The `branch-desk` argument parser and dispatcher. Feature work adds its module to COMMANDS.

`run` is the one top level: every expected failure becomes its documented exit code with a
bilingual message on stderr (docs/CLI.md "Exit codes"); anything unexpected becomes exit 1 with
a short bilingual message, its traceback going only to the log file (services/crash_log.py).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from typing import Any, NoReturn

from desktop.bundled import check_installation
from desktop.domain.errors import DomainError, InvalidValue, Refused
from desktop.services.crash_log import record_unexpected

from . import (
    archive_commands,
    backup_commands,
    correction_commands,
    data_commands,
    dependant_commands,
    inquiry_commands,
    stats_commands,
    store_commands,
    sync_commands,
)
from .base import Context, Output, common_options, emit, report_error

COMMANDS = [store_commands, data_commands, dependant_commands, inquiry_commands, sync_commands,
            correction_commands, archive_commands, stats_commands, backup_commands]
EXIT_UNEXPECTED = 1
EXIT_INTERRUPTED = 130


class UsageError(DomainError):
    """A sub-command or option argparse cannot make sense of (exit 2)."""


class PersianArgumentParser(argparse.ArgumentParser):
    """Usage errors in Persian first, then argparse's English (CLI.md: every bad input).

    Abbreviated options are off: `--admin-password X` must not quietly mean
    `--admin-password-file X`, and the option names are a contract."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"فرمان یا گزینه‌های آن نادرست است ({message}).", f"{self.prog}: {message}\n"
                         f"{self.format_usage().strip()}")


@functools.cache
def build_parser() -> argparse.ArgumentParser:
    """Built once per process: argparse parsers are reusable, and building one costs ~30 ms."""
    parser = PersianArgumentParser(
        prog="branch-desk",
        description="میز شعبه — Branch Desk. Without a sub-command the desktop application opens.",
    )
    sub = parser.add_subparsers(dest="command")
    common = common_options()
    for module in COMMANDS:
        module.register(sub, common)
    return parser


def check_arguments(argv: list[str]) -> None:
    """Undecodable bytes (surrogate-escaped by Python) and NUL cannot name a file or a value."""
    for position, arg in enumerate(argv, 1):
        if "\x00" in arg or any("\ud800" <= ch <= "\udfff" for ch in arg):
            raise InvalidValue(
                f"آرگومان {position} بایت‌هایی دارد که UTF-8 نیستند (یا NUL)؛ آن را دوباره بنویسید.",
                f"argument {position} holds bytes that are not UTF-8 (or NUL)",
                field="argv",
            )


def run(argv: list[str]) -> int:
    as_json = "--json" in argv
    ctx: Context | None = None
    try:
        check_arguments(argv)
        check_installation()  # a missing font or migration: exit 8 before anything is done
        args = build_parser().parse_args(argv)
        if getattr(args, "handler", None) is None:
            raise UsageError("فرمانی داده نشد.", "no sub-command given (see branch-desk --help)")
        # `--json FILE` on input commands names the input; the printed document is JSON anyway.
        as_json = bool(getattr(args, "json", False)) or bool(getattr(args, "json_file", None))
        ctx = Context(args)
        out: Output = args.handler(ctx)
        emit(out, as_json)
        return out.exit_code
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    except (DomainError, Refused) as exc:
        return report_error(exc, as_json)
    except KeyboardInterrupt:
        print("متوقف شد / interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `branch-desk … | head`: the reader left; nothing to say
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place the unexpected is caught
        return report_unexpected(exc, as_json)
    finally:
        if ctx is not None:
            ctx.close()


def report_unexpected(exc: BaseException, as_json: bool) -> int:
    log = record_unexpected(exc)
    where_fa = f"جزئیات در «{log}» ثبت شد." if log else "ثبت جزئیات هم ممکن نشد."
    where_en = f"details are in {log}" if log else "the details could not be logged either"
    fa = f"خطای پیش‌بینی‌نشده‌ای رخ داد ({type(exc).__name__})؛ {where_fa}"
    en = f"unexpected error ({type(exc).__name__}); {where_en}"
    print(f"خطا: {fa}\nerror: {en}", file=sys.stderr)
    if as_json:
        print(json.dumps({"ok": False, "error": {"fa": fa, "en": en, "field": None, "log": str(log or "")}},
                         ensure_ascii=False))
    return EXIT_UNEXPECTED


def main(argv: list[str] | None = None) -> int:
    return run(sys.argv[1:] if argv is None else argv)
