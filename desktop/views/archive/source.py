"""What the archive screen reads and asks of the archive service, in the screen's own terms.

The screen codes against these few functions and frozen rows; this module maps them onto
`desktop.services.archive` (the storage and its API belong to that package), so the screen does
not change when the service's shapes do. Every function here is called inside an Operation.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QImage

from desktop.domain.archive import CHAPTERS, PLACES, SECTIONS
from desktop.domain.errors import DomainError
from desktop.domain.jalali import format_jalali
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import PAPER_KINDS
from desktop.services import archive
from desktop.services.actor import Actor
from desktop.services.store import Store

from ..operations import Job, OperationCancelled
from ..person_file_actions import read_scan

VERIFY_PERMISSION = "archive.verify"


def chapter_title(code: str) -> str:
    return CHAPTERS.get(code, code)


def place_title(kind: str) -> str:
    """«افراد تحت تکفل / همسر»: where a paper of `kind` is filed."""
    chapter, section = PLACES.get(kind, ("", ""))
    return f"{chapter_title(chapter)} / {SECTIONS.get(chapter, {}).get(section, section)}" if chapter else "—"


@dataclass(frozen=True)
class ShownPaper:
    """One stored paper (one version) as the dossier shows it."""

    identifier: str
    person_id: uuid.UUID  # whose archive holds it (a dependant's papers sit in the main's dossier)
    kind: str
    chapter: str
    chapter_title: str
    section: str  # a section code, or "dependant:<id>" for one dependant's papers
    section_title: str
    version: int
    filename: str
    media_type: str
    size: int
    sha256: str
    scanned_at: dt.datetime
    scanned_by: str

    @property
    def kind_title(self) -> str:
        return PAPER_KINDS.get(self.kind, self.kind)

    @property
    def chain(self) -> tuple[uuid.UUID, str]:
        """Versions of one paper share this key."""
        return (self.person_id, self.kind)

    @property
    def jalali_day(self) -> str:
        return format_jalali(self.scanned_at.date(), persian=True)


@dataclass(frozen=True)
class ShownDossier:
    person_id: uuid.UUID
    papers: tuple[ShownPaper, ...]  # every version, in chapter and section order
    person_label: str = ""

    def versions_of(self, paper: ShownPaper) -> list[ShownPaper]:
        """Every version of `paper`'s chain, newest first."""
        return sorted((p for p in self.papers if p.chain == paper.chain), key=lambda p: -p.version)

    def latest(self) -> list[ShownPaper]:
        """The newest version of each paper, in dossier order."""
        newest: dict[tuple[uuid.UUID, str], ShownPaper] = {}
        for p in self.papers:
            if p.chain not in newest or p.version > newest[p.chain].version:
                newest[p.chain] = p
        return list(newest.values())

    def chapters(self) -> list[tuple[str, str]]:
        """(code, title) of the chapters that hold papers, in dossier order."""
        return list(dict.fromkeys((p.chapter, p.chapter_title) for p in self.papers))


def load_dossier(store: Store, actor: Actor, person_id: uuid.UUID) -> ShownDossier:
    found = archive.dossier(store, actor, person_id)
    papers = []
    for chapter in found.chapters:
        for section in chapter.sections:
            for item in section.items:
                for v in sorted(item.versions, key=lambda v: v.version):
                    papers.append(ShownPaper(
                        v.identifier, v.person_id, v.kind, chapter.code, chapter.title, section.code,
                        section.title, v.version, v.filename, v.media_type, v.size, v.sha256,
                        v.scanned_at, v.scanned_by))
    label = f"{found.full_name} — شماره تامین اجتماعی \u2066{persian_digits(found.ssn)}\u2069" if found.ssn \
        else found.full_name
    return ShownDossier(person_id, tuple(papers), label)


def add_one(store: Store, actor: Actor, person_id: uuid.UUID, kind: str, name: str, *,
            path: Path | None = None, data: bytes | None = None) -> tuple[str, int]:
    """Add one paper (a file's bytes are read here, within the size limit); its identifier and
    version. A refusal is the service's DomainError, and nothing is stored."""
    content = data if data is not None else read_scan(path) if path is not None else b""
    added = archive.add_paper_result(store, actor, person_id, kind, name, content,
                                     archive.media_type_for(name))
    return added.identifier, added.version


def paper_bytes(store: Store, actor: Actor, identifier: str) -> bytes:
    """The stored bytes of one paper, checked against its hash by the service."""
    return archive.paper_bytes(store, actor, identifier).data


def thumbnails(store: Store, actor: Actor, papers: list[ShownPaper]) -> dict[str, QImage]:
    """Thumbnails by content hash (the service makes and caches them); a paper whose bytes are
    damaged or cannot be drawn gets none — it is still listed and opened."""
    made: dict[str, QImage] = {}
    for paper in papers:
        if paper.sha256 in made:
            continue
        try:
            png = archive.thumbnail(store, actor, paper.sha256, paper.media_type)
        except DomainError:
            continue
        image = QImage.fromData(png, "PNG") if png else QImage()  # type: ignore[arg-type]
        if not image.isNull():
            made[paper.sha256] = image
    return made


@dataclass(frozen=True)
class ShownRequirement:
    kind: str  # the first kind that meets it (what «add» proposes)
    whom: str  # «نامنویسی» or the dependant's name and relation
    present: bool
    identifier: str = ""  # the archived paper that meets it
    title: str = ""  # the kinds that meet it, «… یا …»
    why: str = ""  # the rule that asks for it
    person_id: uuid.UUID | None = None  # whose archive must hold it

    @property
    def kind_title(self) -> str:
        return self.title or PAPER_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class ShownChecklist:
    requirements: tuple[ShownRequirement, ...]


def load_checklist(store: Store, actor: Actor, person_id: uuid.UUID) -> ShownChecklist:
    found = archive.checklist(store, actor, person_id)
    return ShownChecklist(tuple(
        ShownRequirement(r.kinds[0], r.scope_title, r.met, r.present[0] if r.present else "", r.title, r.why,
                         r.person_id) for r in found.requirements))


def export_pdf(store: Store, actor: Actor, person_id: uuid.UUID, chapter: str | None) -> tuple[bytes, int]:
    """The dossier (or one chapter) as one PDF with its cover page; the bytes and page count."""
    made = archive.export_dossier_pdf(store, actor, person_id, chapter)
    return made.data, made.pages


PROBLEMS = {"altered": "تغییر کرده", "missing": "پیدا نشد"}


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    bad: tuple[tuple[str, str], ...]  # (identifier, "altered" | "missing")

    @property
    def ok(self) -> bool:
        return not self.bad

    @property
    def text(self) -> str:
        if self.ok:
            return f"همه {persian_digits(self.checked)} سند آرشیو سالم است؛ نتیجه در گزارش ممیزی ثبت شد."
        shown = [f"\u2066{ident}\u2069 ({PROBLEMS.get(problem, problem)})" for ident, problem in self.bad[:20]]
        more = "، …" if len(self.bad) > 20 else ""
        return (f"از {persian_digits(self.checked)} سند، {persian_digits(len(self.bad))} سند تغییر کرده یا "
                f"پیدا نشد: {'، '.join(shown)}{more}. نتیجه در گزارش ممیزی ثبت شد.")


def verify(store: Store, actor: Actor, job: Job) -> VerifyResult:
    """Re-hash every paper with progress; cancelling stops it (OperationCancelled)."""
    report = archive.verify_archive(store, actor, progress=lambda done, total: job.progress(
        done, total, "بررسی درستی اسناد آرشیو…"), cancelled=job.cancelled)
    if report.cancelled or job.cancelled():
        raise OperationCancelled
    return VerifyResult(report.checked, tuple((b.identifier, b.problem) for b in report.bad))
