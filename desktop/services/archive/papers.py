"""Adding papers and reading their bytes: the archive's writes go through here and only here."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain import archive as rules
from desktop.domain.archive import MAX_BYTES, MEDIA_TYPES, PLACES, media_type_for
from desktop.domain.errors import NotFound
from desktop.domain.text import normalise_text
from desktop.models import ArchiveItem, Person, uuid7

from ..actor import Actor
from ..store import Store
from ..unit import Unit, mutation, reading
from .content import Content, content_of

__all__ = ["MAX_BYTES", "MEDIA_TYPES", "PLACES", "AddedPaper", "PaperFile", "add_paper", "add_paper_result", "check_paper",
           "item_json", "media_type_for", "paper_bytes", "papers_of", "person_id_for", "store_paper"]


@dataclass(frozen=True)
class AddedPaper:
    """What `add_paper` stored (CLI.md `archive add`: identifier, version, sha256)."""

    item_id: uuid.UUID
    person_id: uuid.UUID
    identifier: str
    kind: str
    chapter: str
    section: str
    version: int
    sha256: str
    size: int
    media_type: str
    filename: str
    new_content: bool  # False: these bytes were already stored (the same file twice is one copy)

    def as_json(self) -> dict[str, Any]:
        return {"identifier": self.identifier, "version": self.version, "sha256": self.sha256}


@dataclass(frozen=True)
class PaperFile:
    identifier: str
    filename: str
    media_type: str
    sha256: str
    data: bytes


def check_paper(kind: str, filename: str, data: bytes, media_type: str) -> str:
    """Validate before anything is written (kind, emptiness, size, type and magic bytes);
    returns the normalised file name."""
    return rules.check_paper(kind, filename, data, media_type)


def _latest(session: Session, person_id: uuid.UUID, kind: str) -> ArchiveItem | None:
    return session.scalars(select(ArchiveItem).where(ArchiveItem.person_id == person_id,
                                                     ArchiveItem.paper_kind == kind)
                           .order_by(ArchiveItem.version.desc()).limit(1)).first()


def store_paper(unit: Unit, person_id: uuid.UUID, kind: str, filename: str, data: bytes,
                media_type: str, *, chapter: str | None = None, section: str | None = None) -> ArchiveItem:
    """Archive inside the caller's transaction; a re-scan of the same kind is the next version
    (the earlier one stays, linked as `previous_id`)."""
    return _store(unit, person_id, kind, filename, data, media_type, chapter, section)[0]


def _store(unit: Unit, person_id: uuid.UUID, kind: str, filename: str, data: bytes, media_type: str,
           chapter: str | None, section: str | None) -> tuple[ArchiveItem, bool]:
    """store_paper, also saying whether these bytes were new to the store."""
    name = check_paper(kind, filename, data, media_type)
    place = rules.place_of(kind, chapter, section)
    s = unit.session
    digest = hashlib.sha256(data).hexdigest()
    new_content = content_of(unit.store).put(unit, digest, data)
    previous = _latest(s, person_id, kind)
    item_id = uuid7()
    item = ArchiveItem(
        id=item_id, person_id=person_id, identifier=f"{unit.store.branch_code}-{item_id.hex[:26]}",
        chapter=place[0], section=place[1], paper_kind=kind, filename=name, media_type=media_type,
        size=len(data), sha256=digest, version=(previous.version + 1) if previous else 1,
        previous_id=previous.id if previous else None, scanned_by=unit.actor.id,
    )
    s.add(item)
    s.flush()
    # Metadata and the hash only: the bytes travel to headquarters by hash, never in the outbox.
    unit.record("archive.add", "archive_item", item.id, item_json(item))
    return item, new_content


def item_json(item: ArchiveItem) -> dict[str, Any]:
    return {"identifier": item.identifier, "person_id": str(item.person_id), "paper_kind": item.paper_kind,
            "chapter": item.chapter, "section": item.section, "filename": item.filename,
            "media_type": item.media_type, "size": item.size, "sha256": item.sha256, "version": item.version,
            "previous_id": str(item.previous_id) if item.previous_id else None}


def add_paper(store: Store, actor: Actor, person_id: uuid.UUID, kind: str, filename: str, data: bytes,
              media_type: str, *, chapter: str | None = None, section: str | None = None) -> ArchiveItem:
    """Scan one paper into a person's archive (role `archive.add`), its own transaction.
    Refused (bad kind/type/size/content, unknown person) → DomainError and nothing is written."""
    return _add(store, actor, person_id, kind, filename, data, media_type, chapter, section)[0]


def _add(store: Store, actor: Actor, person_id: uuid.UUID, kind: str, filename: str, data: bytes,
         media_type: str, chapter: str | None, section: str | None) -> tuple[ArchiveItem, bool]:
    check_paper(kind, filename, data, media_type)
    rules.place_of(kind, chapter, section)
    with mutation(store, actor, "archive.add") as unit:
        if unit.session.get(Person, person_id) is None:
            raise NotFound("این شخص در این شعبه ثبت نشده است.", f"no person {person_id}", field="person")
        return _store(unit, person_id, kind, filename, data, media_type, chapter, section)


def add_paper_result(store: Store, actor: Actor, person_id: uuid.UUID, kind: str, filename: str,
                     data: bytes, media_type: str | None = None, *, chapter: str | None = None,
                     section: str | None = None) -> AddedPaper:
    """`add_paper` with a typed result (the screen's and the CLI's call); the media type defaults
    to what the file name says."""
    media = media_type or media_type_for(filename)
    item, new_content = _add(store, actor, person_id, kind, filename, data, media, chapter, section)
    return AddedPaper(item.id, item.person_id, item.identifier, item.paper_kind, item.chapter, item.section,
                      item.version, item.sha256, item.size, item.media_type, item.filename, new_content)


def person_id_for(store: Store, actor: Actor, *, national_code: str | None = None,
                  ssn: str | None = None) -> uuid.UUID:
    """The enrolled person with this national code or SSN (CLI `--national-code` / `--ssn`)."""
    from ..records import enrolled_person  # records stores papers through this module: no cycle

    with reading(store, actor) as s:
        return enrolled_person(s, national_code=national_code, ssn=ssn).id


def paper_bytes(store: Store, actor: Actor, identifier: str) -> PaperFile:
    """The stored bytes of one paper (any version), checked against its hash on the way out."""
    ident = normalise_text(identifier, field="identifier")
    with reading(store, actor) as s:
        item = s.scalars(select(ArchiveItem).where(ArchiveItem.identifier == ident)).first()
        if item is None:
            raise NotFound(f"مدرکی با شناسه «{ident}» در آرشیو نیست.", f"no archived paper {ident!r}",
                           field="identifier")
        content: Content = content_of(store)
        data = content.read(s, item.sha256)
        return PaperFile(item.identifier, item.filename, item.media_type, item.sha256, data)


def papers_of(store: Store, actor: Actor, person_id: uuid.UUID) -> list[dict[str, Any]]:
    """A person's archive, newest version last within each kind."""
    with reading(store, actor) as s:
        rows = s.scalars(select(ArchiveItem).where(ArchiveItem.person_id == person_id)
                         .order_by(ArchiveItem.paper_kind, ArchiveItem.version)).all()
        return [item_json(r) | {"scanned_at": r.scanned_at.isoformat()} for r in rows]
