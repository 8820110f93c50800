"""The `branch-desk` argument parser and dispatcher. Feature work adds its module to COMMANDS."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from desktop.domain.errors import DomainError, Refused

from . import data_commands, dependant_commands, inquiry_commands, store_commands
from .base import Context, common_options, emit, report_error

COMMANDS = [store_commands, data_commands, dependant_commands, inquiry_commands]


class PersianArgumentParser(argparse.ArgumentParser):
    """Usage errors in Persian first, then argparse's English (CLI.md: every bad input)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"خطا: فرمان یا گزینه‌های آن نادرست است ({message}).\nerror: {self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = PersianArgumentParser(
        prog="branch-desk",
        description="میز شعبه — Branch Desk. Without a sub-command the desktop application opens.",
    )
    sub = parser.add_subparsers(dest="command")
    common = common_options()
    for module in COMMANDS:
        module.register(sub, common)
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # `--json FILE` on input commands names the input; the printed document is JSON anyway.
    as_json = bool(getattr(args, "json", False)) or bool(getattr(args, "json_file", None))
    ctx = Context(args)
    try:
        emit(args.handler(ctx), as_json)
        return 0
    except (DomainError, Refused) as exc:
        return report_error(exc, as_json)
    finally:
        ctx.close()


def main(argv: list[str] | None = None) -> int:
    return run(sys.argv[1:] if argv is None else argv)
