"""Where a paper's bytes live, addressed by their SHA-256: put once, read back checked, never rewritten.

The bytes are files in a folder beside the store (desktop/db/paper_files.py; docs/archive.md says
why, with the measurements); the store's `archive_blob` table is the index of contents it holds
(hash and size), which archive items point at.

Order of writing, for crash safety: the file is made durable *before* the transaction that names
it commits. A crash in between leaves a file no row names (harmless; the same bytes later reuse
it), never a row naming a missing file. A transaction that rolls back removes the files it wrote
itself: every write happens while that transaction holds the store's write lock (BEGIN
IMMEDIATE, one writer per store), so no other transaction can have come to rely on them.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import event
from sqlalchemy.orm import Session

from desktop.db.paper_files import PaperFiles
from desktop.domain.errors import DomainError
from desktop.models import ArchiveBlob

from ..store import Store
from ..unit import Unit


class PaperDamaged(DomainError):
    """The stored bytes of a paper are missing or no longer match their hash."""

    exit_code = 3


class Content:
    """Bytes by hash: files beside the store, indexed by the `archive_blob` table."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.files = PaperFiles.beside(store.path)

    def put(self, unit: Unit, digest: str, data: bytes) -> bool:
        """Make the bytes durable and index them inside the caller's transaction; True when new.
        Bytes already indexed are not written again (a missing file is written back, though:
        the same bytes under the same name are no rewrite)."""
        s = unit.session
        indexed = s.get(ArchiveBlob, digest) is not None
        if self.files.put(digest, data):
            _forget_on_rollback(s, self.files, digest)
        if indexed:
            return False
        s.add(ArchiveBlob(sha256=digest, size=len(data)))
        return True

    def check(self, session: Session, digest: str) -> tuple[str | None, int]:
        """("missing" | "altered" | None, bytes read) for one content."""
        return self.files.check(digest)

    def read(self, session: Session, digest: str) -> bytes:
        data = self.files.read(digest)
        if data is None:
            raise PaperDamaged(f"فایل مدرک (چکیده {digest[:12]}…) در پوشه آرشیو پیدا نشد.",
                               f"the archived file {digest} is missing from {self.files.root}")
        if hashlib.sha256(data).hexdigest() != digest:
            raise PaperDamaged(
                f"فایل مدرک (چکیده {digest[:12]}…) تغییر کرده است و با چکیده ثبت‌شده نمی‌خواند.",
                f"the archived file {digest} was altered: it no longer matches its hash")
        return data


NEW_FILES, LISTENING = "archive.new_files", "archive.listening"


def _forget_on_rollback(session: Session, files: PaperFiles, digest: str) -> None:
    """Remember a file this transaction wrote; remove it if the transaction rolls back."""
    if not session.info.get(LISTENING):
        session.info[LISTENING] = True

        @event.listens_for(session, "after_rollback")
        def _rolled_back(s: Session) -> None:
            for written in s.info.pop(NEW_FILES, set()):
                files.remove(written)

        @event.listens_for(session, "after_commit")
        def _committed(s: Session) -> None:
            s.info.pop(NEW_FILES, None)

    session.info.setdefault(NEW_FILES, set()).add(digest)


def content_of(store: Store) -> Content:
    return Content(store)
