"""Where a paper's bytes live, addressed by their SHA-256: put once, read back checked, never rewritten."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.errors import DomainError
from desktop.models import ArchiveBlob

from ..store import Store
from ..unit import Unit


class PaperDamaged(DomainError):
    """The stored bytes of a paper are missing or no longer match their hash."""

    exit_code = 3


class Content:
    """Bytes by hash, in the store's `archive_blob` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def known(self, digest: str) -> bool:
        with self.store.sessions() as s:
            return s.scalar(select(ArchiveBlob.sha256).where(ArchiveBlob.sha256 == digest)) is not None

    def put(self, unit: Unit, digest: str, data: bytes) -> bool:
        """Store the bytes inside the caller's transaction unless they are there; True when new."""
        if unit.session.get(ArchiveBlob, digest) is not None:
            return False
        unit.session.add(ArchiveBlob(sha256=digest, data=data))
        return True

    def raw(self, session: Session, digest: str) -> bytes | None:
        return session.scalar(select(ArchiveBlob.data).where(ArchiveBlob.sha256 == digest))

    def check(self, session: Session, digest: str) -> tuple[str | None, int]:
        """("missing" | "altered" | None, bytes read) for one content."""
        data = self.raw(session, digest)
        if data is None:
            return "missing", 0
        return (None if hashlib.sha256(data).hexdigest() == digest else "altered"), len(data)

    def read(self, session: Session, digest: str) -> bytes:
        data = self.raw(session, digest)
        if data is None:
            raise PaperDamaged(f"محتوای مدرک (چکیده {digest[:12]}…) در آرشیو پیدا نشد.",
                               f"the archived bytes {digest} are missing")
        if hashlib.sha256(data).hexdigest() != digest:
            raise PaperDamaged(f"محتوای مدرک (چکیده {digest[:12]}…) تغییر کرده است و با چکیده ثبت‌شده نمی‌خواند.",
                               f"the archived bytes {digest} were altered: they no longer match their hash")
        return data


def content_of(store: Store) -> Content:
    return Content(store)
