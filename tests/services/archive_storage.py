"""Damaging stored papers behind the application's back, as a disk fault or a person would."""

from __future__ import annotations

import os
import stat

from desktop.db.paper_files import PaperFiles
from desktop.services.store import Store


def paper_file(store: Store, sha256: str):
    return PaperFiles.beside(store.path).path_for(sha256)


def alter_content(store: Store, sha256: str) -> None:
    """One byte flipped in place (the file is read-only: a person would chmod it first)."""
    path = paper_file(store, sha256)
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def remove_content(store: Store, sha256: str) -> None:
    paper_file(store, sha256).unlink()
