"""`hq` sub-commands (docs/CLI.md "Headquarters and sync").

Every expected failure is a bilingual message on stderr and an exit code — 2 bad usage or input,
3 refused by a rule, 5 PostgreSQL unreachable or not an HQ database — never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from desktop.domain.errors import DomainError
from desktop.domain.text import persian_digits

from . import branches, db, lookups
from .conflicts import open_conflicts
from .errors import NotFoundError, UsageError

EXIT_UNEXPECTED = 1


class Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"فرمان یا گزینه‌های آن نادرست است ({message}).",
                         f"{self.prog}: {message}\n{self.format_usage().strip()}")


def build_parser() -> Parser:
    parser = Parser(prog="hq", description="ستاد — Branch Desk headquarters")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    def command(name: str, handler: Callable[[argparse.Namespace, Engine], Any],
                helptext: str, into: Any = sub) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = into.add_parser(name, help=helptext)
        p.add_argument("--pg", required=True, metavar="DSN", help="libpq connection string")
        p.set_defaults(handler=handler)
        return p

    command("init", cmd_init, "create or migrate the headquarters database")
    serve = command("serve", cmd_serve, "run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8470)
    serve.add_argument("--max-bad-tokens", type=int, default=20, metavar="N",
                       help="wrong branch tokens per client address per minute before 429")
    branch = sub.add_parser("branch", help="branches")
    branch_sub = branch.add_subparsers(dest="branch_command", parser_class=Parser)
    add = command("add", cmd_branch_add, "register a branch; prints its token once", branch_sub)
    add.add_argument("--branch", required=True, metavar="CODE")
    add.add_argument("--name", default="")
    add.add_argument("--json", action="store_true")
    person = command("person", cmd_person, "the central record of one person")
    which = person.add_mutually_exclusive_group(required=True)
    which.add_argument("--national-code")
    which.add_argument("--ssn")
    person.add_argument("--json", action="store_true")
    conflicts = command("conflicts", cmd_conflicts, "open conflicts")
    conflicts.add_argument("--json", action="store_true")
    return parser


def cmd_init(args: argparse.Namespace, engine: Engine) -> dict[str, Any]:
    before, after = db.migrate(engine)
    return {"ok": True, "from": before, "to": after}


def cmd_serve(args: argparse.Namespace, engine: Engine) -> None:
    import uvicorn

    from .app import create_app

    if not 0 < args.port < 65536:
        raise UsageError("شماره درگاه (--port) باید بین ۱ و ۶۵۵۳۵ باشد.", "--port must be 1-65535")
    db.check_schema(engine, args.pg)
    if args.max_bad_tokens < 1:
        raise UsageError("--max-bad-tokens باید دست‌کم ۱ باشد.", "--max-bad-tokens must be at least 1")
    app = create_app(engine, bad_token_limit=args.max_bad_tokens)
    tune_garbage_collector()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


# A push batch parses into tens of thousands of small objects (pydantic models, dicts, rows),
# nearly all freed by reference counting when the request ends. With Python's default
# thresholds (700 allocations) the cycle collector ran hundreds of times per batch, each pass
# also walking the whole long-lived heap (the app, SQLAlchemy, pydantic's schemas): about a
# third of HQ's CPU per pushed change (bench/sync.py, docs/scaling.md). Objects made at start-up
# are frozen out of collection, and a pass waits for 50,000 new container objects — a few MB
# of garbage in cycles at most before it is collected.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def cmd_branch_add(args: argparse.Namespace, engine: Engine) -> dict[str, Any]:
    db.check_schema(engine, args.pg)
    return {"branch": args.branch.strip(), "token": branches.register(engine, args.branch, args.name)}


def cmd_person(args: argparse.Namespace, engine: Engine) -> dict[str, Any]:
    db.check_schema(engine, args.pg)
    with engine.connect() as conn:
        found = lookups.central_person(conn, national_code=args.national_code, ssn=args.ssn)
    if found is None:
        which = f"کد ملی {persian_digits(args.national_code)}" if args.national_code else f"شماره تامین اجتماعی {persian_digits(args.ssn)}"
        raise NotFoundError(f"ستاد فردی با {which} ندارد.",
                            f"HQ has no person with {'national code' if args.national_code else 'SSN'}"
                            f" {args.national_code or args.ssn}")
    return {**found.person.model_dump(mode="json"), "branch": found.branch,
            "conflict_ids": [str(i) for i in found.conflict_ids]}


def cmd_conflicts(args: argparse.Namespace, engine: Engine) -> list[dict[str, Any]]:
    db.check_schema(engine, args.pg)
    with engine.connect() as conn:
        return [c.model_dump(mode="json", exclude={"resolved_at"}) for c in open_conflicts(conn)]


def report(exc: DomainError, as_json: bool) -> int:
    print(f"خطا: {exc.fa}\nerror: {exc.en}", file=sys.stderr)
    if as_json:
        print(json.dumps({"ok": False, "error": {"fa": exc.fa, "en": exc.en, "field": exc.field}},
                         ensure_ascii=False))
    return exc.exit_code


def run(argv: list[str]) -> int:
    as_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            raise UsageError("فرمانی داده نشد.", "no sub-command given (see hq --help)")
        db.check_dsn(args.pg)
        engine = db.make_engine(args.pg, pool_size=2)
        try:
            result = handler(args, engine)
        except DBAPIError as exc:
            raise db.unavailable(args.pg, exc) from None
        finally:
            engine.dispose()
        if result is not None:
            print(json.dumps(result, ensure_ascii=False, indent=2 if not as_json else None))
        return 0
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except DomainError as exc:
        return report(exc, as_json)
    except KeyboardInterrupt:
        print("متوقف شد / interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place the unexpected is caught
        print(f"خطا: خطای پیش‌بینی‌نشده ({type(exc).__name__}).\nerror: unexpected error: {exc}",
              file=sys.stderr)
        return EXIT_UNEXPECTED
