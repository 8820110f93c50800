"""`archive verify`: re-hash every stored paper, list the ones whose bytes differ or are missing,
and record the result in the audit log (a cancelled run is recorded as such)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from desktop.domain.roles import require
from desktop.models import ArchiveItem

from ..actor import Actor
from ..store import Store
from ..unit import mutation
from .content import content_of

Progress = Callable[[int, int], None]  # (contents checked, contents in all)


@dataclass(frozen=True)
class BadPaper:
    identifier: str
    sha256: str
    problem: str  # "altered" | "missing"


@dataclass(frozen=True)
class VerifyReport:
    checked: int  # papers (archive items) whose content was checked
    contents: int  # distinct contents (one file may serve several papers)
    bytes: int
    seconds: float
    bad: tuple[BadPaper, ...]
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.bad and not self.cancelled

    def as_json(self) -> dict[str, Any]:
        """CLI.md `archive verify`: ok, checked, bad (identifiers); the rest is extra."""
        return {"ok": self.ok, "checked": self.checked, "bad": [b.identifier for b in self.bad],
                "problems": {b.identifier: b.problem for b in self.bad}, "contents": self.contents,
                "bytes": self.bytes, "seconds": round(self.seconds, 3), "cancelled": self.cancelled}


def verify_archive(store: Store, actor: Actor, progress: Progress | None = None,
                   cancelled: Callable[[], bool] | None = None) -> VerifyReport:
    """Re-hash every stored paper (role `archive.verify`); the result goes to the audit log."""
    require(actor.role, "archive.verify")
    started = time.perf_counter()
    content = content_of(store)
    with store.sessions() as s:
        items: dict[str, list[str]] = {}
        for digest, ident in s.execute(select(ArchiveItem.sha256, ArchiveItem.identifier)
                                       .order_by(ArchiveItem.sha256, ArchiveItem.identifier)):
            items.setdefault(digest, []).append(ident)
        bad: list[BadPaper] = []
        total, checked, size, stopped = len(items), 0, 0, False
        for n, (digest, idents) in enumerate(items.items()):
            if cancelled is not None and cancelled():
                stopped = True
                break
            problem, read = content.check(s, digest)
            size += read
            checked += len(idents)
            bad += [BadPaper(i, digest, problem) for i in idents] if problem else []
            if progress is not None and (n % 16 == 0 or n == total - 1):
                progress(n + 1, total)
    report = VerifyReport(checked, total, size, time.perf_counter() - started, tuple(bad), stopped)
    with mutation(store, actor, "archive.verify") as unit:
        unit.audit("archive.verify", "archive", "all", ok=report.ok, checked=report.checked,
                   cancelled=report.cancelled, bad={b.identifier: b.problem for b in report.bad})
    return report
