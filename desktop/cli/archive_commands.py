"""archive add | list | get | verify | checklist | export — the document archive (SPEC §1.6)
without a window, over desktop.services.archive."""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from pathlib import Path

from desktop.domain.archive import CHAPTERS, MAX_BYTES
from desktop.domain.errors import InvalidValue
from desktop.domain.text import ascii_digits, persian_digits
from desktop.domain.vocabulary import PAPER_KINDS
from desktop.services import archive

from .base import Context, Output, checked_path
from .output_file import OutputUnwritable, PdfTarget

EXIT_DAMAGED = 3  # a scheduler must see a damaged archive in the exit status


def _person_options(v: argparse.ArgumentParser) -> None:
    who = v.add_mutually_exclusive_group(required=True)
    who.add_argument("--national-code")
    who.add_argument("--ssn")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("archive", help="the document archive (آرشیو الکترونیک)")
    verbs = p.add_subparsers(dest="verb", required=True)
    v = verbs.add_parser("add", parents=[common], help="store a scanned paper; the same kind again is a new version")
    _person_options(v)
    v.add_argument("--kind", required=True, metavar="PAPER_KIND", help=", ".join(PAPER_KINDS))
    v.add_argument("--file", required=True, metavar="F", help="PDF, JPEG, PNG or TIFF, at most 20 MB")
    v.add_argument("--chapter", metavar="C", help=", ".join(CHAPTERS) + " (default: the kind's own)")
    v.add_argument("--section", metavar="S", help="a section of the chapter (with --chapter)")
    v.set_defaults(handler=cmd_add)
    v = verbs.add_parser("list", parents=[common], help="the person's papers, every version")
    _person_options(v)
    v.set_defaults(handler=cmd_list)
    v = verbs.add_parser("get", parents=[common], help="write a paper's stored bytes to a file")
    v.add_argument("--identifier", required=True, metavar="ID")
    v.add_argument("--out", required=True, metavar="FILE")
    v.set_defaults(handler=cmd_get)
    v = verbs.add_parser("verify", parents=[common], help="re-hash every stored paper; exit 3 if any is damaged")
    v.set_defaults(handler=cmd_verify)
    v = verbs.add_parser("checklist", parents=[common], help="the papers the person's records require")
    _person_options(v)
    v.set_defaults(handler=cmd_checklist)
    v = verbs.add_parser("export", parents=[common], help="the dossier (or one chapter) as one PDF")
    _person_options(v)
    v.add_argument("--chapter", metavar="C", help=", ".join(CHAPTERS) + " (default: all)")
    v.add_argument("--all-versions", action="store_true", help="every version, not only the newest")
    v.add_argument("--out", required=True, metavar="FILE")
    v.set_defaults(handler=cmd_export)


def _person_id(ctx: Context) -> uuid.UUID:
    a = ctx.args
    return archive.person_id_for(ctx.store(), ctx.actor(), national_code=ascii_digits(a.national_code or ""),
                                 ssn=ascii_digits(a.ssn or ""))


def read_paper_file(raw: str) -> tuple[str, bytes]:
    """The file's name and bytes, never more than one byte past the limit (the check says why)."""
    path = checked_path(raw, "file")
    if not path.is_file():
        raise InvalidValue(f"فایل «{raw}» پیدا نشد یا فایل معمولی نیست.", f"--file {raw}: no such regular file",
                           field="file")
    try:
        with path.open("rb") as handle:
            return path.name, handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidValue(f"فایل «{raw}» خوانده نشد.", f"cannot read {raw}: {exc.strerror}", field="file") from None


def cmd_add(ctx: Context) -> Output:
    a = ctx.args
    if (a.chapter is None) != (a.section is None):
        raise InvalidValue("فصل و بخش با هم داده می‌شوند (--chapter و --section).",
                           "--chapter and --section go together", field="chapter" if a.section else "section")
    name, data = read_paper_file(a.file)
    archive.check_paper(a.kind, name, data, archive.media_type_for(name))  # before signing in to the store
    added = archive.add_paper_result(ctx.store(), ctx.actor(), _person_id(ctx), a.kind, name, data,
                                     chapter=a.chapter, section=a.section)
    text = (f"مدرک بایگانی شد: {added.identifier} (نسخه {persian_digits(added.version)}) / "
            f"archived: {added.identifier} version {added.version} sha256 {added.sha256}")
    return Output(added.as_json(), text)


def cmd_list(ctx: Context) -> Output:
    versions = archive.versions_of(ctx.store(), ctx.actor(), _person_id(ctx))
    rows = [v.as_json() for v in versions]
    text = "\n".join(f"{v.identifier}  {v.kind:<22} v{v.version}  {v.scanned_on}  {v.size:>9}  {v.sha256[:16]}…"
                     for v in versions) or "مدرکی نیست / no papers"
    return Output(rows, text)


def _out_target(raw: str | None, option: str = "out") -> PdfTarget:
    """The output file, checked before the store is touched; an empty name is invalid input."""
    target = PdfTarget.checked(raw, option)
    if target is None:
        raise InvalidValue(f"نام فایل خروجی (--{option}) خالی است.", f"--{option} is empty", field=option)
    return target


def _write_out(raw: str, data: bytes, option: str = "out") -> Path:
    """Write to a temporary file beside the target, then rename: never a half-written output."""
    target = _out_target(raw, option)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.path.absolute().parent, prefix=f".{target.path.name[:200]}.",
                                   suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputUnwritable(f"نوشتن فایل «{raw}» ممکن نشد (مثلاً دیسک پر است).",
                               f"cannot write {raw}: {exc.strerror}", field=option) from None
    return target.path


def cmd_get(ctx: Context) -> Output:
    a = ctx.args
    _out_target(a.out)  # a bad output path is refused before the store is touched
    paper = archive.paper_bytes(ctx.store(), ctx.actor(), a.identifier)
    out = _write_out(a.out, paper.data)
    data = {"identifier": paper.identifier, "out": str(out), "bytes": len(paper.data), "sha256": paper.sha256,
            "media_type": paper.media_type, "filename": paper.filename}
    return Output(data, f"{out} ({persian_digits(len(paper.data))} بایت / bytes)")


def cmd_verify(ctx: Context) -> Output:
    report = archive.verify_archive(ctx.store(), ctx.actor())
    if report.ok:
        text = (f"آرشیو سالم است: {persian_digits(report.checked)} مدرک / archive intact: "
                f"{report.checked} papers, {report.bytes / 1e6:.1f} MB")
    else:
        problems = {"altered": "تغییر کرده / altered", "missing": "پیدا نشد / missing"}
        text = "\n".join([f"مدارک آسیب‌دیده / damaged papers: {len(report.bad)} of {report.checked}"]
                         + [f"- {b.identifier}: {problems.get(b.problem, b.problem)}" for b in report.bad])
    return Output(report.as_json(), text, exit_code=0 if report.ok else EXIT_DAMAGED)


def cmd_checklist(ctx: Context) -> Output:
    listed = archive.checklist(ctx.store(), ctx.actor(), _person_id(ctx))
    data = {"complete": listed.complete, "requirements": [r.as_json() for r in listed.requirements]}
    text = "\n".join(f"{'✓' if r.met else '✗'} {r.scope_title}: {r.title}" for r in listed.requirements)
    return Output(data, text or "مدرکی لازم نیست / nothing required")


def cmd_export(ctx: Context) -> Output:
    a = ctx.args
    _out_target(a.out)
    written: list[Path] = []
    made = archive.export_dossier_pdf(ctx.store(), ctx.actor(), _person_id(ctx), a.chapter,
                                      all_versions=a.all_versions,
                                      deliver=lambda pdf: written.append(_write_out(a.out, pdf)))
    out = written[0]
    data = made.as_json() | {"out": str(out)}
    return Output(data, f"{out}: {persian_digits(made.pages)} صفحه / pages, {len(made.papers)} papers")
