"""The document archive (SPEC §1.6): scanned papers under a chapter and section, never replaced.

The API (Qt-free; screens call it through views/operations.py `Operation`, off the GUI thread):

    add_paper(store, actor, person_id, kind, filename, data, media_type, *, chapter=None,
              section=None) -> ArchiveItem          role archive.add; its own transaction
    add_paper_result(store, actor, person_id, kind, filename, data, media_type=None, *,
              chapter=None, section=None) -> AddedPaper     the same, typed result (.as_json())
    store_paper(unit, person_id, kind, filename, data, media_type) -> ArchiveItem
                                                    inside a caller's transaction (enrolment,
                                                    dependants, corrections)
    check_paper(kind, filename, data, media_type) -> str    validation only (normalised name);
                                                    PDF/JPEG/PNG/TIFF, magic bytes must match,
                                                    MAX_BYTES (20 MB), not empty → InvalidValue
    media_type_for(filename) -> str                 from the extension
    dossier(store, actor, person_id) -> Dossier     chapters → sections → DossierItem (newest
                                                    version; .previous = older versions, newest
                                                    first; .versions = all)
    versions_of(store, actor, person_id) -> list[PaperVersion]   every version, oldest first
    person_id_for(store, actor, *, national_code=None, ssn=None) -> uuid.UUID   enrolled person
    paper_bytes(store, actor, identifier) -> PaperFile(identifier, filename, media_type,
                                                    sha256, data); PaperDamaged (exit 3) when the
                                                    stored bytes are missing or altered
    thumbnail(store, actor, sha256, media_type, side=160) -> bytes | None   PNG, cached by hash
    checklist(store, actor, person_id) -> Checklist(requirements: Requirement(scope,
                                                    scope_title, person_id, kinds, title, why,
                                                    present, met); .missing, .complete)
    verify_archive(store, actor, progress=None, cancelled=None) -> VerifyReport(ok, checked,
                                                    contents, bytes, seconds, bad: BadPaper(
                                                    identifier, sha256, problem), cancelled)
                                                    role archive.verify; recorded in the audit log;
                                                    progress(done, total), cancelled() -> bool
    export_dossier_pdf(store, actor, person_id, chapter=None, *, all_versions=False,
                       progress=None) -> DossierPdf(data, pages, papers)    recorded in the audit log

Vocabulary (desktop.domain.archive): CHAPTERS, SECTIONS (code → Persian title), PLACES (paper
kind → chapter, section), MEDIA_TYPES, MAX_BYTES. Every add announces ChangeKind.ARCHIVE on the
change channel (tables archive_item / archive_blob).
"""

from desktop.domain.archive import CHAPTERS, SECTIONS

from .checklist import Checklist, Requirement, checklist
from .content import PaperDamaged
from .dossier import Chapter, Dossier, DossierItem, PaperVersion, Section, dossier, versions_of
from .export import DossierPdf, export_dossier_pdf
from .papers import (
    MAX_BYTES,
    MEDIA_TYPES,
    PLACES,
    AddedPaper,
    PaperFile,
    add_paper,
    add_paper_result,
    check_paper,
    item_json,
    media_type_for,
    paper_bytes,
    papers_of,
    person_id_for,
    store_paper,
)
from .thumbnails import THUMB_SIDE, thumbnail
from .verify import BadPaper, VerifyReport, verify_archive

__all__ = [
    "CHAPTERS", "MAX_BYTES", "MEDIA_TYPES", "PLACES", "SECTIONS", "THUMB_SIDE", "AddedPaper", "BadPaper",
    "Chapter", "Checklist", "Dossier", "DossierItem", "DossierPdf", "PaperDamaged", "PaperFile", "PaperVersion",
    "Requirement", "Section", "VerifyReport", "add_paper", "add_paper_result", "check_paper", "checklist",
    "dossier", "export_dossier_pdf", "item_json", "media_type_for", "paper_bytes", "papers_of", "person_id_for", "store_paper",
    "thumbnail", "verify_archive", "versions_of",
]
