"""A person's dossier: chapters → sections → papers (newest version, with the earlier ones)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.archive import CHAPTERS, SECTIONS
from desktop.domain.errors import NotFound
from desktop.domain.jalali import format_jalali
from desktop.domain.vocabulary import PAPER_KINDS, RELATIONS
from desktop.models import AppUser, ArchiveItem, Person, Relationship

from ..actor import Actor
from ..store import Store
from ..unit import reading

# A dependant's papers shown in the main insured's dossier, under the dependant's own section.
DEPENDANT_CHAPTERS = ("dependants", "certificates")


@dataclass(frozen=True)
class PaperVersion:
    """One stored version of a paper."""

    item_id: uuid.UUID
    person_id: uuid.UUID  # whose archive holds it (a dependant's, in the dependants chapter)
    identifier: str  # شناسه‌گذاری
    kind: str  # PAPER_KINDS code
    kind_fa: str
    chapter: str
    section: str
    version: int
    scanned_at: dt.datetime  # UTC
    scanned_on: str  # Jalali YYYY/MM/DD, Latin digits
    scanned_by: str  # the user's full name (their username if none)
    scanned_by_username: str
    media_type: str
    size: int
    sha256: str
    filename: str

    def as_json(self) -> dict[str, Any]:
        """CLI.md `archive list` keys, plus a few more."""
        return {"identifier": self.identifier, "kind": self.kind, "chapter": self.chapter,
                "section": self.section, "version": self.version, "sha256": self.sha256, "size": self.size,
                "scanned_by": self.scanned_by_username, "scanned_by_name": self.scanned_by,
                "scanned_at": self.scanned_on,
                "scanned_at_utc": self.scanned_at.isoformat(), "media_type": self.media_type,
                "filename": self.filename, "person_id": str(self.person_id)}


@dataclass(frozen=True)
class DossierItem(PaperVersion):
    """The newest version of a paper; `previous` holds the earlier ones, newest first."""

    previous: tuple[PaperVersion, ...] = ()

    @property
    def versions(self) -> tuple[PaperVersion, ...]:
        """Every version, newest first (this one included)."""
        return (self, *self.previous)


@dataclass(frozen=True)
class Section:
    code: str  # a SECTIONS code, or "dependant:<person id>" for one dependant's papers
    title: str
    items: tuple[DossierItem, ...]


@dataclass(frozen=True)
class Chapter:
    code: str
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Dossier:
    person_id: uuid.UUID
    full_name: str
    national_code: str
    ssn: str
    chapters: tuple[Chapter, ...]  # in CHAPTERS order; chapters without papers are left out

    def items(self) -> Iterator[DossierItem]:
        for chapter in self.chapters:
            for section in chapter.sections:
                yield from section.items

    def versions(self) -> Iterator[PaperVersion]:
        for item in self.items():
            yield from item.versions

    def chapter(self, code: str) -> Chapter | None:
        return next((c for c in self.chapters if c.code == code), None)


def _full_name(person: Person) -> str:
    return f"{person.first_name} {person.last_name}".strip()


Users = dict[uuid.UUID, tuple[str, str]]  # id → (full name, username)


def _version(row: ArchiveItem, users: Users) -> PaperVersion:
    name, username = users.get(row.scanned_by, ("", ""))
    return PaperVersion(row.id, row.person_id, row.identifier, row.paper_kind,
                        PAPER_KINDS.get(row.paper_kind, row.paper_kind), row.chapter, row.section, row.version,
                        row.scanned_at, format_jalali(row.scanned_at.date()), name, username,
                        row.media_type, row.size, row.sha256, row.filename)


def _lineages(rows: list[ArchiveItem], users: Users) -> list[DossierItem]:
    """Rows of one person → one item per paper kind: the newest version with the older ones."""
    by_kind: dict[tuple[uuid.UUID, str], list[ArchiveItem]] = {}
    for row in rows:
        by_kind.setdefault((row.person_id, row.paper_kind), []).append(row)
    out = []
    for versions in by_kind.values():
        versions.sort(key=lambda r: r.version, reverse=True)
        newest, older = versions[0], versions[1:]
        head = _version(newest, users)
        out.append(DossierItem(**head.__dict__, previous=tuple(_version(r, users) for r in older)))
    out.sort(key=lambda i: (i.scanned_at, i.identifier))
    return out


def _sections(items: list[DossierItem], chapter: str) -> list[Section]:
    titles = SECTIONS.get(chapter, {})
    grouped: dict[str, list[DossierItem]] = {}
    for item in items:
        grouped.setdefault(item.section, []).append(item)
    order = [*titles, *sorted(set(grouped) - set(titles))]
    return [Section(code, titles.get(code, code), tuple(grouped[code])) for code in order if code in grouped]


def _dependant_sections(s: Session, person_id: uuid.UUID, users: Users) -> list[Section]:
    """One section per dependant covered through this person: that dependant's papers."""
    links = s.execute(select(Relationship.type_code, Person).join(Person, Person.id == Relationship.person_id)
                      .where(Relationship.main_insured_id == person_id)
                      .order_by(Relationship.start)).all()
    seen: dict[uuid.UUID, str] = {}
    for relation, dependant in links:
        seen.setdefault(dependant.id, f"{_full_name(dependant)} ({RELATIONS.get(relation, relation)})")
    if not seen:
        return []
    rows = list(s.scalars(select(ArchiveItem).where(ArchiveItem.person_id.in_(seen),
                                                    ArchiveItem.chapter.in_(DEPENDANT_CHAPTERS))))
    out = []
    for pid, title in seen.items():
        items = _lineages([r for r in rows if r.person_id == pid], users)
        if items:
            out.append(Section(f"dependant:{pid}", title, tuple(items)))
    return out


def _users(s: Session) -> Users:
    return {uid: (full or name, name) for uid, full, name in s.execute(select(AppUser.id, AppUser.full_name,
                                                                              AppUser.username))}


def read_dossier(s: Session, person_id: uuid.UUID) -> Dossier:
    person = s.get(Person, person_id)
    if person is None:
        raise NotFound("این شخص در این شعبه ثبت نشده است.", f"no person {person_id}", field="person")
    users = _users(s)
    own = _lineages(list(s.scalars(select(ArchiveItem).where(ArchiveItem.person_id == person_id))), users)
    chapters = []
    for code, title in CHAPTERS.items():
        sections = _sections([i for i in own if i.chapter == code], code)
        if code == "dependants":
            sections += _dependant_sections(s, person_id, users)
        if sections:
            chapters.append(Chapter(code, title, tuple(sections)))
    for code in sorted({i.chapter for i in own} - set(CHAPTERS)):  # a chapter older data may hold
        chapters.append(Chapter(code, code, tuple(_sections([i for i in own if i.chapter == code], code))))
    return Dossier(person.id, _full_name(person), person.national_code or person.foreign_id or "",
                   person.ssn or "", tuple(chapters))


def dossier(store: Store, actor: Actor, person_id: uuid.UUID) -> Dossier:
    """The person's whole archive as chapters → sections → papers (role `person.read`)."""
    with reading(store, actor) as s:
        return read_dossier(s, person_id)


def versions_of(store: Store, actor: Actor, person_id: uuid.UUID) -> list[PaperVersion]:
    """Every stored version of the person's own papers, oldest first (CLI `archive list`)."""
    with reading(store, actor) as s:
        if s.get(Person, person_id) is None:
            raise NotFound("این شخص در این شعبه ثبت نشده است.", f"no person {person_id}", field="person")
        users = _users(s)
        rows = s.scalars(select(ArchiveItem).where(ArchiveItem.person_id == person_id)
                         .order_by(ArchiveItem.scanned_at, ArchiveItem.paper_kind, ArchiveItem.version))
        return [_version(r, users) for r in rows]
