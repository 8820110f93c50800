"""registry add, workshop add, authority add, enrol, relationship add, person."""

from __future__ import annotations

import argparse

from desktop.domain.text import persian_digits
from desktop.services.enrolment import enrol
from desktop.services.people import get_person
from desktop.services.records import add_relationship
from desktop.services.reference import add_authority, add_registry_identities, add_workshops

from .base import Context, Output, common_options, read_json_file
from .dependant_commands import parse_paper

SCAN_HELP = ("a scanned paper to archive with it, KIND=FILE (questionnaire, photo, residence_permit, "
             "work_permit …), repeatable; the questionnaire is required when a person who holds an SSN "
             "only as a dependant or employer starts a main-insured relationship")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    # These take their input as `--json FILE`; what they print is JSON in any case.
    common_in = common_options(json_flag=False)
    for noun, handler, helptext in (
        ("registry", cmd_registry_add, "add identities to the local identity-registry service"),
        ("workshop", cmd_workshop_add, "add workshops"),
    ):
        p = sub.add_parser(noun, help=helptext)
        verbs = p.add_subparsers(dest="verb", required=True)
        v = verbs.add_parser("add", parents=[common_in], help=helptext)
        v.add_argument("--json-file", "--json", dest="json_file", required=True, metavar="FILE",
                       help="JSON file (one object or a list); - for stdin")
        v.set_defaults(handler=handler)

    p = sub.add_parser("authority", help="outside authorities")
    v = p.add_subparsers(dest="verb", required=True).add_parser("add", parents=[common])
    v.add_argument("--code", required=True)
    v.add_argument("--name", required=True)
    v.add_argument("--group", required=True, choices=["fund", "judicial"])
    v.set_defaults(handler=cmd_authority_add)

    p = sub.add_parser("enrol", parents=[common_in], help="enrol one person (questionnaire as JSON)")
    p.add_argument("--json-file", "--json", dest="json_file", required=True, metavar="FILE")
    p.add_argument("--paper", action="append", default=[], metavar="KIND=FILE", help=SCAN_HELP)
    p.set_defaults(handler=cmd_enrol)

    p = sub.add_parser("relationship", help="insurance relationships")
    v = p.add_subparsers(dest="verb", required=True).add_parser("add", parents=[common_in])
    v.add_argument("--national-code", required=True)
    v.add_argument("--json-file", "--json", dest="json_file", required=True, metavar="FILE")
    v.add_argument("--paper", action="append", default=[], metavar="KIND=FILE", help=SCAN_HELP)
    v.set_defaults(handler=cmd_relationship_add)

    p = sub.add_parser("person", parents=[common], help="a person's full record")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--national-code")
    g.add_argument("--ssn")
    g.add_argument("--foreign-id")
    p.set_defaults(handler=cmd_person)


def cmd_registry_add(ctx: Context) -> Output:
    n = add_registry_identities(ctx.store(), ctx.actor(), read_json_file(ctx.args.json_file))
    return Output({"added": n}, f"{persian_digits(n)} هویت افزوده شد / {n} identities added")


def cmd_workshop_add(ctx: Context) -> Output:
    codes = add_workshops(ctx.store(), ctx.actor(), read_json_file(ctx.args.json_file))
    return Output({"added": codes}, f"{persian_digits(len(codes))} کارگاه افزوده شد / {len(codes)} workshops added")


def cmd_authority_add(ctx: Context) -> Output:
    a = ctx.args
    data = add_authority(ctx.store(), ctx.actor(), a.code, a.name, a.group)
    return Output(data, f"مرجع {data['name']} افزوده شد / authority {data['code']} added")


def scans(specs: list[str]) -> list[tuple[str, str, bytes, str]]:
    """`--paper KIND=FILE` options as the services take them (kind, name, bytes, media type)."""
    return [(kind, name, data, media) for kind, name, data, media, _attrs in map(parse_paper, specs)]


def cmd_enrol(ctx: Context) -> Output:
    result = enrol(ctx.store(), ctx.actor(), read_json_file(ctx.args.json_file), scans(ctx.args.paper))
    return Output(result.as_json(), result.ssn)


def cmd_relationship_add(ctx: Context) -> Output:
    added = add_relationship(ctx.store(), ctx.actor(), ctx.args.national_code, read_json_file(ctx.args.json_file),
                             scans(ctx.args.paper))
    return Output(added.as_json(), f"ارتباط ثبت شد / relationship recorded: {added.insurance_number}")


def cmd_person(ctx: Context) -> Output:
    a = ctx.args
    record = get_person(ctx.store(), ctx.actor(), national_code=a.national_code, ssn=a.ssn, foreign_id=a.foreign_id)
    return Output(record.as_json(), f"{record.full_name} — SSN {record.ssn}")
