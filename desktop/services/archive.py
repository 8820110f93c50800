"""The document archive (SPEC §1.6): scanned papers under a chapter and section, never replaced."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.errors import InvalidValue, NotFound
from desktop.domain.text import normalise_text
from desktop.domain.vocabulary import PAPER_KINDS
from desktop.models import ArchiveBlob, ArchiveItem, Person, uuid7

from .actor import Actor
from .store import Store
from .unit import Unit, mutation, reading

# Paper kind → (chapter, section). Soldiers' and students' papers go under the medical booklet's
# "certificates and commitments" group, as the circular asks.
PLACES: dict[str, tuple[str, str]] = {
    "questionnaire": ("enrolment", "questionnaire"),
    "photo": ("enrolment", "photo"),
    "marriage_certificate": ("dependants", "spouse"),
    "inspector_report": ("dependants", "inspection"),
    "court_order_trial": ("dependants", "guardianship"),
    "court_order_final": ("dependants", "guardianship"),
    "welfare_letter": ("dependants", "guardianship"),
    "commitment_form": ("certificates", "commitments"),
    "university_enrolment": ("certificates", "education"),
    "disability_certificate": ("certificates", "medical"),
    "service_booklet": ("certificates", "military"),
    "service_certificate": ("certificates", "military"),
    "residence_permit": ("identity", "foreign_national"),
    "work_permit": ("identity", "foreign_national"),
    "correction_form": ("corrections", "requests"),
}
MEDIA_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "image/tiff"})
MAX_BYTES = 20 * 1024 * 1024


def media_type_for(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
            "tif": "image/tiff", "tiff": "image/tiff"}.get(suffix, "application/octet-stream")


def check_paper(kind: str, filename: str, data: bytes, media_type: str) -> str:
    """Validate before anything is written; returns the normalised file name."""
    if kind not in PAPER_KINDS:
        raise InvalidValue(f"نوع مدرک «{kind}» شناخته نیست.", f"unknown paper kind {kind!r}", field="paper_kind")
    if not data:
        raise InvalidValue(f"فایل «{filename}» خالی است.", f"{filename}: empty file", field="file")
    if len(data) > MAX_BYTES:
        raise InvalidValue(f"فایل «{filename}» بزرگ‌تر از ۲۰ مگابایت است.", f"{filename}: larger than 20 MB", field="file")
    if media_type not in MEDIA_TYPES:
        raise InvalidValue(f"نوع فایل «{filename}» باید PDF، JPEG، PNG یا TIFF باشد.",
                           f"{filename}: {media_type} is not PDF, JPEG, PNG or TIFF", field="file")
    name = normalise_text(filename.replace("\\", "/").rsplit("/", 1)[-1], field="filename")
    return name[:200] or "scan"


def _latest(session: Session, person_id: uuid.UUID, kind: str) -> ArchiveItem | None:
    return session.scalars(select(ArchiveItem).where(ArchiveItem.person_id == person_id, ArchiveItem.paper_kind == kind)
                           .order_by(ArchiveItem.version.desc()).limit(1)).first()


def store_paper(unit: Unit, person_id: uuid.UUID, kind: str, filename: str, data: bytes,
                media_type: str) -> ArchiveItem:
    """Archive inside the caller's transaction; a re-scan of the same kind is the next version."""
    name = check_paper(kind, filename, data, media_type)
    s = unit.session
    digest = hashlib.sha256(data).hexdigest()
    if s.get(ArchiveBlob, digest) is None:
        s.add(ArchiveBlob(sha256=digest, data=data))
    previous = _latest(s, person_id, kind)
    chapter, section = PLACES[kind]
    item_id = uuid7()
    item = ArchiveItem(
        id=item_id, person_id=person_id, identifier=f"{unit.store.branch_code}-{item_id.hex[:26]}",
        chapter=chapter, section=section, paper_kind=kind, filename=name, media_type=media_type, size=len(data),
        sha256=digest, version=(previous.version + 1) if previous else 1,
        previous_id=previous.id if previous else None, scanned_by=unit.actor.id,
    )
    s.add(item)
    s.flush()
    unit.record("archive.add", "archive_item", item.id, item_json(item))
    return item


def item_json(item: ArchiveItem) -> dict[str, Any]:
    return {"identifier": item.identifier, "person_id": str(item.person_id), "paper_kind": item.paper_kind,
            "chapter": item.chapter, "section": item.section, "filename": item.filename,
            "media_type": item.media_type, "size": item.size, "sha256": item.sha256, "version": item.version,
            "previous_id": str(item.previous_id) if item.previous_id else None}


def add_paper(store: Store, actor: Actor, person_id: uuid.UUID, kind: str, filename: str, data: bytes,
              media_type: str) -> ArchiveItem:
    """Scan one paper into a person's archive (role `archive.add`), its own transaction."""
    check_paper(kind, filename, data, media_type)
    with mutation(store, actor, "archive.add") as unit:
        if unit.session.get(Person, person_id) is None:
            raise NotFound("این شخص در این شعبه ثبت نشده است.", f"no person {person_id}")
        return store_paper(unit, person_id, kind, filename, data, media_type)


def papers_of(store: Store, actor: Actor, person_id: uuid.UUID) -> list[dict[str, Any]]:
    """A person's archive, newest version last within each kind."""
    with reading(store, actor) as s:
        rows = s.scalars(select(ArchiveItem).where(ArchiveItem.person_id == person_id)
                         .order_by(ArchiveItem.paper_kind, ArchiveItem.version)).all()
        return [item_json(r) | {"scanned_at": r.scanned_at.isoformat()} for r in rows]
