"""Remembers the last store opened, so the next start goes straight to sign-in.

A small JSON in the user's config directory (BRANCH_DESK_CONFIG_DIR overrides it, for tests).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs


def config_file() -> Path:
    base = os.environ.get("BRANCH_DESK_CONFIG_DIR") or platformdirs.user_config_dir("branch-desk", appauthor=False)
    return Path(base) / "last_store.json"


def last_store() -> Path | None:
    try:
        path = Path(json.loads(config_file().read_text(encoding="utf-8"))["path"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if path.exists() else None


def remember_store(path: str | Path) -> None:
    target = config_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"path": str(Path(path).resolve())}, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass  # a read-only profile only costs the convenience, not the work
