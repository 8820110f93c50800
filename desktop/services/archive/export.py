"""The dossier export: the person's whole archive, or one chapter, as one printable PDF."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from desktop.domain.archive import CHAPTERS
from desktop.domain.errors import InvalidValue
from desktop.printing.dossier_pdf import CoverPerson, ExportPaper, render_dossier

from ..actor import Actor
from ..store import Store
from ..unit import mutation, reading
from .content import content_of
from .dossier import PaperVersion, read_dossier


@dataclass(frozen=True)
class DossierPdf:
    data: bytes
    pages: int
    papers: tuple[str, ...]  # identifiers, in print order

    def as_json(self) -> dict[str, object]:
        return {"pages": self.pages, "papers": list(self.papers), "bytes": len(self.data)}


def export_dossier_pdf(store: Store, actor: Actor, person_id: uuid.UUID, chapter: str | None = None, *,
                       all_versions: bool = False,
                       progress: Callable[[int, int], None] | None = None,
                       deliver: Callable[[bytes], None] | None = None) -> DossierPdf:
    """Cover page + every paper (newest versions; every version with `all_versions`) of the whole
    dossier or of one chapter. The export is recorded in the audit log (whose papers, by whom);
    `deliver(pdf)` (e.g. writing the file) runs inside that transaction, so a failed write
    records nothing."""
    if chapter is not None and chapter not in CHAPTERS:
        raise InvalidValue(f"فصل «{chapter}» در آرشیو شناخته نیست.", f"unknown archive chapter {chapter!r}",
                           field="chapter")
    content = content_of(store)
    with reading(store, actor) as s:
        found = read_dossier(s, person_id)
        chapters = [c for c in found.chapters if chapter is None or c.code == chapter]
        papers: list[ExportPaper] = []
        for ch in chapters:
            for section in ch.sections:
                for item in section.items:
                    versions: tuple[PaperVersion, ...] = item.versions if all_versions else (item,)
                    for v in versions:
                        papers.append(ExportPaper(v.identifier, v.kind_fa, f"{ch.title} › {section.title}",
                                                  v.version, v.scanned_on, v.sha256, v.media_type,
                                                  content.read(s, v.sha256)))
    cover = CoverPerson(found.full_name, found.national_code, found.ssn,
                        store.branch_name, store.branch_code,
                        CHAPTERS[chapter] if chapter else "همه فصل‌ها", actor.full_name or actor.username,
                        store.today())
    data, pages = render_dossier(cover, papers, progress)
    with mutation(store, actor, "person.read") as unit:
        if deliver is not None:
            deliver(data)
        unit.audit("archive.export", "person", person_id, chapter=chapter, papers=[p.identifier for p in papers])
    return DossierPdf(data, pages, tuple(p.identifier for p in papers))
