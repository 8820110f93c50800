"""Issue 13: the project documents itself: every relative link in README.md and docs/ names a
file that is in the project, and no text points at a path that climbs out of it."""

from __future__ import annotations

import re
from pathlib import Path

from .support import ROOT

LINK = re.compile(r"\]\(([^)\s]+)\)")
CLIMB = re.compile(r"(?<![\w.])((?:\.\./)+[\w.-]+)")  # a relative path that goes up, in any text


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "bench").glob("*.md"))]


def test_every_relative_link_in_the_docs_names_a_file_of_the_project() -> None:
    broken: list[str] = []
    for doc in _documents():
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor in the same page
            path = (doc.parent / target.split("#", 1)[0]).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert not broken, broken
    outside = [f"{doc.relative_to(ROOT)}: {path}" for doc in _documents()
               for path in CLIMB.findall(doc.read_text(encoding="utf-8"))
               if not (doc.parent / path).resolve().is_relative_to(ROOT)]
    assert not outside, outside
