"""Issue 13: the project documents itself: every relative link in README.md and docs/ names a
file that is in the project (nothing outside it, such as ../shared)."""

from __future__ import annotations

import re
from pathlib import Path

from .support import ROOT

LINK = re.compile(r"\]\(([^)\s]+)\)")


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
    assert "../shared" not in "".join(d.read_text(encoding="utf-8") for d in _documents())
