"""`hq` sub-commands (docs/CLI.md "Headquarters and sync").

Every expected failure is a bilingual message on stderr and an exit code — 2 bad usage or input,
3 refused by a rule, 5 PostgreSQL unreachable or not an HQ database — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from desktop.domain.errors import DomainError
from desktop.domain.text import persian_digits

from . import branches, db, lookups
from .conflicts import open_conflicts
from .errors import NotFoundError, UsageError

EXIT_UNEXPECTED = 1
# An idle keep-alive connection is closed by the server only after the clients' own expiry
# (httpx: 5 s) has passed, so a client never reuses one the server is closing at that moment.
# With uvicorn's default (also 5 s) a thousand branches saw "server disconnected without
# sending a response" (tests/hq/test_concurrency.py).
KEEP_ALIVE_SECONDS = 30


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
    serve.add_argument("--key-rate", type=float, default=120.0, metavar="N",
                       help="requests per minute each authority API key may make (429 beyond)")
    serve.add_argument("--key-burst", type=int, default=30, metavar="N",
                       help="requests an authority API key may make at once before --key-rate applies")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="server processes (one per core: docs/scaling.md)")
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
    authority = sub.add_parser("authority", help="outside authorities (the panel)")
    authority_sub = authority.add_subparsers(dest="authority_command", parser_class=Parser)
    auth_add = command("add", cmd_authority_add, "register an authority; prints its API key once",
                       authority_sub)
    auth_add.add_argument("--code", required=True)
    auth_add.add_argument("--name", required=True)
    auth_add.add_argument("--group", required=True, choices=("fund", "judicial"))
    auth_add.add_argument("--json", action="store_true")
    panel_user = authority_sub.add_parser("user", help="sign-ins for an authority's staff (web panel)")
    panel_user_sub = panel_user.add_subparsers(dest="user_command", parser_class=Parser)
    user_add = command("add", cmd_authority_user_add, "a web-panel account of an authority",
                       panel_user_sub)
    user_add.add_argument("--code", required=True, help="the authority's code")
    user_add.add_argument("--username", required=True)
    user_add.add_argument("--password-file", required=True, metavar="F",
                          help="a file holding the password (its first line)")
    user_add.add_argument("--json", action="store_true")
    box = command("person-box", cmd_person_box, "a person's certificates from every branch")
    box.add_argument("--national-code", required=True)
    box.add_argument("--json", action="store_true")
    conflicts = command("conflicts", cmd_conflicts, "open conflicts")
    conflicts.add_argument("--json", action="store_true")
    return parser


def cmd_init(args: argparse.Namespace, engine: Engine) -> dict[str, Any]:
    before, after = db.migrate(engine)
    return {"ok": True, "from": before, "to": after}


def cmd_serve(args: argparse.Namespace, engine: Engine) -> None:
    import uvicorn

    from .app import (
        SERVE_KEY_BURST,
        SERVE_KEY_RATE,
        SERVE_MAX_BAD_TOKENS,
        SERVE_PG,
        SERVE_SECURE_COOKIES,
    )
    from .panel import web as panel_web
    from .serving import serve

    if not 0 < args.port < 65536:
        raise UsageError("شماره درگاه (--port) باید بین ۱ و ۶۵۵۳۵ باشد.", "--port must be 1-65535")
    db.check_schema(engine, args.pg)
    if args.max_bad_tokens < 1:
        raise UsageError("--max-bad-tokens باید دست‌کم ۱ باشد.", "--max-bad-tokens must be at least 1")
    if args.key_rate <= 0 or args.key_burst < 1:
        raise UsageError("--key-rate و --key-burst باید مثبت باشند.", "--key-rate and --key-burst must be positive")
    if not 1 <= args.workers <= 64:
        raise UsageError("--workers باید بین ۱ و ۶۴ باشد.", "--workers must be 1-64")
    # Each worker process builds its own app and engine (hq.app.app_from_environment); the
    # settings travel in the environment, which uvicorn's worker processes inherit.
    # The panel's cookies are Secure unless HQ listens on loopback only (plain http on this
    # machine); any other address is reached through TLS in front of it (hq/panel/web.py).
    secure = not panel_web.is_loopback(args.host)
    os.environ.update({SERVE_PG: args.pg, SERVE_MAX_BAD_TOKENS: str(args.max_bad_tokens),
                       SERVE_KEY_RATE: str(args.key_rate), SERVE_KEY_BURST: str(args.key_burst),
                       SERVE_SECURE_COOKIES: "1" if secure else "0"})
    engine.dispose()  # the check's connection: workers open their own
    serve(uvicorn.Config("hq.app:app_from_environment", factory=True, workers=args.workers,
                         host=args.host, port=args.port, log_level="warning", access_log=False,
                         timeout_keep_alive=KEEP_ALIVE_SECONDS))


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


def cmd_authority_add(args: argparse.Namespace, engine: Engine) -> dict[str, Any]:
    from .panel import service

    db.check_schema(engine, args.pg)
    with engine.begin() as conn:
        held, key, added = service.add_authority(conn, code=args.code, name=args.name, group=args.group)
    return {**held.as_json(), "api_key": key, "new": added}


def cmd_person_box(args: argparse.Namespace, engine: Engine) -> list[dict[str, Any]]:
    from .panel import service

    db.check_schema(engine, args.pg)
    with engine.connect() as conn:
        return [item.as_json() for item in service.personal_box(conn, national_code=args.national_code)]


def cmd_authority_user_add(args: argparse.Namespace, engine: Engine) -> dict[str, Any]:
    from .errors import HqError
    from .panel import accounts, service

    try:
        lines = Path(args.password_file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("پرونده گذرواژه (--password-file) خوانده نشد.",
                         f"cannot read --password-file: {exc}") from None
    db.check_schema(engine, args.pg)
    with engine.begin() as conn:
        try:
            held = service.authority(conn, args.code.strip())
        except HqError as exc:  # unknown, or its agreement ended
            raise NotFoundError(exc.fa, exc.en) from None
        user = accounts.add_user(conn, authority_code=held.code, name=args.username,
                                 password=lines[0] if lines else "", authority_exists=True)
    return {"authority": held.code, "group": held.group, "username": user.username}


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
