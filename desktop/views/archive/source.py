"""What the archive screen reads and asks of the archive service, in the screen's own terms.

The screen codes against these few functions and frozen rows; this module maps them onto
`desktop.services.archive` (the storage and its API belong to that module), so the screen does
not change when the service's shapes do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QImage

from desktop.domain.errors import DomainError
from desktop.domain.roles import PERMISSIONS
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import PAPER_KINDS
from desktop.services import archive
from desktop.services.actor import Actor
from desktop.services.pdf_preview import pdf_pages_png
from desktop.services.store import Store

from ..operations import Job, OperationCancelled
from ..person_file_actions import read_scan

# Supervisors verify the archive; until the archive has its own permission, the audit check's.
VERIFY_PERMISSION = "archive.verify" if "archive.verify" in PERMISSIONS else "audit.verify"
THUMB_PX = 112  # twice the tree's icon size: sharp on a high-density screen

CHAPTER_TITLES = {
    "enrolment": "نام‌نویسی",
    "identity": "هویت",
    "relationships": "ارتباط‌های بیمه‌ای",
    "dependants": "افراد تبعی",
    "certificates": "گواهی‌ها و تعهدنامه‌ها",
    "corrections": "اصلاح سوابق",
}
SECTION_TITLES = {
    "questionnaire": "پرسشنامه", "photo": "عکس", "spouse": "همسر", "inspection": "گزارش بازرس",
    "guardianship": "سرپرستی", "commitments": "تعهدنامه‌ها", "education": "تحصیل", "medical": "پزشکی",
    "military": "نظام وظیفه", "foreign_national": "اتباع خارجی", "requests": "درخواست‌ها",
}


def chapter_title(code: str) -> str:
    return CHAPTER_TITLES.get(code, code)


def section_title(code: str) -> str:
    return SECTION_TITLES.get(code, code)


def place_title(kind: str) -> str:
    """«افراد تبعی / همسر»: where a paper of `kind` is filed."""
    chapter, section = archive.PLACES.get(kind, ("", ""))
    return f"{chapter_title(chapter)} / {section_title(section)}" if chapter else "—"


@dataclass(frozen=True)
class ShownPaper:
    """One stored paper (one version) as the dossier shows it."""

    identifier: str
    kind: str
    chapter: str
    section: str
    version: int
    filename: str
    media_type: str
    size: int
    sha256: str
    scanned_at: dt.datetime
    scanned_by: str
    previous: str | None = None  # the identifier of the version this one follows
    group: str = ""  # e.g. the dependant the paper belongs to

    @property
    def kind_title(self) -> str:
        return PAPER_KINDS.get(self.kind, self.kind)

    @property
    def chain(self) -> tuple[str, str]:
        """Versions of one paper share this key."""
        return (self.group, self.kind)


@dataclass(frozen=True)
class ShownDossier:
    person_id: uuid.UUID
    papers: tuple[ShownPaper, ...]
    person_label: str = ""

    def versions_of(self, paper: ShownPaper) -> list[ShownPaper]:
        """Every version of `paper`'s chain, newest first."""
        return sorted((p for p in self.papers if p.chain == paper.chain), key=lambda p: -p.version)

    def latest(self) -> list[ShownPaper]:
        newest: dict[tuple[str, str], ShownPaper] = {}
        for p in self.papers:
            if p.chain not in newest or p.version > newest[p.chain].version:
                newest[p.chain] = p
        return list(newest.values())


def load_dossier(store: Store, actor: Actor, person_id: uuid.UUID) -> ShownDossier:
    rows = archive.papers_of(store, actor, person_id)
    by_id = {}
    papers = []
    for row in rows:
        by_id[(row["paper_kind"], row["version"])] = row["identifier"]
    for row in rows:
        papers.append(ShownPaper(
            identifier=row["identifier"], kind=row["paper_kind"], chapter=row["chapter"],
            section=row["section"], version=int(row["version"]), filename=row["filename"],
            media_type=row["media_type"], size=int(row["size"]), sha256=row["sha256"],
            scanned_at=dt.datetime.fromisoformat(row["scanned_at"]), scanned_by="",
            previous=by_id.get((row["paper_kind"], int(row["version"]) - 1))))
    return ShownDossier(person_id, tuple(papers))


def add_one(store: Store, actor: Actor, person_id: uuid.UUID, kind: str, name: str, *,
            path: Path | None = None, data: bytes | None = None) -> tuple[str, int]:
    """Add one paper (a file's bytes are read here, within the size limit); its identifier and
    version. A refusal is the service's DomainError, and nothing is stored."""
    content = data if data is not None else read_scan(path) if path is not None else b""
    item = archive.add_paper(store, actor, person_id, kind, name, content, archive.media_type_for(name))
    return item.identifier, item.version


def _api(name: str):  # noqa: ANN202 - the service function, once the archive service has it
    fn = getattr(archive, name, None)
    if fn is None:
        raise DomainError("این کار آرشیو هنوز در این نسخه نیست.", f"archive service has no {name}")
    return fn


def paper_bytes(store: Store, actor: Actor, identifier: str) -> bytes:
    """The stored bytes of one paper (checked against its hash by the service)."""
    return bytes(_api("paper_bytes")(store, actor, identifier).data)


def thumbnail(media_type: str, data: bytes) -> QImage:
    """A small picture of the paper's first page (call it inside an operation)."""
    if media_type == "application/pdf":
        image = QImage.fromData(pdf_pages_png(data, dpi=24)[0], "PNG")  # type: ignore[arg-type]
    else:
        image = QImage.fromData(QByteArray(data))
    return image.scaled(THUMB_PX, THUMB_PX, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def thumbnails(store: Store, actor: Actor, papers: list[ShownPaper]) -> dict[str, QImage]:
    """Thumbnails by content hash; a paper whose bytes cannot be read gets none."""
    made: dict[str, QImage] = {}
    for paper in papers:
        if paper.sha256 in made:
            continue
        try:
            image = thumbnail(paper.media_type, paper_bytes(store, actor, paper.identifier))
        except DomainError:
            continue
        if not image.isNull():
            made[paper.sha256] = image
    return made


@dataclass(frozen=True)
class ShownRequirement:
    kind: str
    whom: str  # «خود شخص» or the dependant's name
    present: bool
    identifier: str = ""

    @property
    def kind_title(self) -> str:
        return PAPER_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class ShownChecklist:
    requirements: tuple[ShownRequirement, ...]


def load_checklist(store: Store, actor: Actor, person_id: uuid.UUID) -> ShownChecklist | None:
    fn = getattr(archive, "checklist", None)
    if fn is None:
        return None
    raw = fn(store, actor, person_id)
    return ShownChecklist(tuple(ShownRequirement(r.kind, r.whom, r.present, r.identifier or "")
                                for r in raw.requirements))


def export_pdf(store: Store, actor: Actor, person_id: uuid.UUID, chapter: str | None) -> bytes:
    return bytes(_api("export_dossier_pdf")(store, actor, person_id, chapter=chapter))


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    bad: tuple[str, ...]  # identifiers whose bytes differ or are missing

    @property
    def ok(self) -> bool:
        return not self.bad

    @property
    def text(self) -> str:
        if self.ok:
            return f"همه {persian_digits(self.checked)} سند آرشیو سالم است؛ نتیجه در گزارش ممیزی ثبت شد."
        listed = "، ".join(self.bad[:20]) + ("، …" if len(self.bad) > 20 else "")
        return (f"از {persian_digits(self.checked)} سند، {persian_digits(len(self.bad))} سند تغییر کرده یا "
                f"پیدا نشد: {persian_digits(listed)}. نتیجه در گزارش ممیزی ثبت شد.")


def verify(store: Store, actor: Actor, job: Job) -> VerifyResult:
    """Re-hash every paper with progress; cancelling stops it (OperationCancelled)."""
    report = _api("verify_archive")(store, actor, progress=lambda done, total: job.progress(
        done, total, "بررسی درستی اسناد آرشیو…"), cancelled=job.cancelled)
    if job.cancelled():
        raise OperationCancelled
    return VerifyResult(int(report.checked), tuple(report.bad))
