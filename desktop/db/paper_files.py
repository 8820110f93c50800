"""Scanned papers' bytes in a folder beside the store, named by their SHA-256 (docs/archive.md).

`<store>.archive/ab/cd/<sha256>`: two levels of 256 folders keep every folder small at millions of
files. A file is written once — to a temporary name in the same folder, flushed to disk, made
read-only, then renamed into place (atomic on POSIX and Windows), and the folder entry flushed —
and never rewritten: the same bytes again find their file already there. A crash leaves at worst a
`.tmp` file, never a half-written paper under its final name.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

CHUNK = 1024 * 1024
TMP_SUFFIX = ".tmp"


def archive_dir_for(store_path: str | Path) -> Path:
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".archive")


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # Windows cannot open a folder for fsync; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and any missing parents; returns the parents whose entries changed."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for new in reversed(missing):
        new.mkdir(exist_ok=True)
    return [new.parent for new in missing]


def write_atomically(path: Path, data: bytes, *, durable: bool = True, read_only: bool = False) -> None:
    """Write `data` to `path` so that `path` holds either nothing or all of it."""
    changed = _make_folders(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if read_only:
            os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)  # the file's own entry
        for parent in changed:  # a new folder's entry lives in its parent
            _fsync_dir(parent)


class PaperFiles:
    """The content-addressed folder of one store."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def beside(cls, store_path: str | Path) -> PaperFiles:
        return cls(archive_dir_for(store_path))

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def has(self, digest: str, size: int | None = None) -> bool:
        try:
            found = self.path_for(digest).stat().st_size
        except FileNotFoundError:
            return False
        return size is None or found == size

    def put(self, digest: str, data: bytes) -> bool:
        """Store the bytes unless a file of theirs is already there; True when written now."""
        if self.has(digest, len(data)):
            return False
        write_atomically(self.path_for(digest), data, durable=True, read_only=True)
        return True

    def read(self, digest: str) -> bytes | None:
        try:
            return self.path_for(digest).read_bytes()
        except FileNotFoundError:
            return None

    def check(self, digest: str) -> tuple[str | None, int]:
        """("missing" | "altered" | None, bytes read), hashing in 1 MB chunks."""
        h = hashlib.sha256()
        read = 0
        try:
            with open(self.path_for(digest), "rb") as handle:
                while chunk := handle.read(CHUNK):
                    h.update(chunk)
                    read += len(chunk)
        except FileNotFoundError:
            return "missing", 0
        return (None if h.hexdigest() == digest else "altered"), read

    def remove(self, digest: str) -> None:
        """Only for a file this process wrote in a transaction that then rolled back."""
        self.path_for(digest).unlink(missing_ok=True)

    def copy_to(self, target: Path) -> tuple[int, int]:
        """Bring a copy of the folder up to date (a backup): copy the files `target` lacks, each
        durably and atomically; a file already there is complete, since none ever changes.
        Returns (files copied, bytes copied). Previews (`thumbs/`) are not copied."""
        files = size = 0
        if not self.root.is_dir():
            return 0, 0
        for first in sorted(self.root.iterdir()):
            if first.name == "thumbs" or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir():
                    continue
                have = set(os.listdir(target / first.name / second.name)) if (
                    target / first.name / second.name).is_dir() else set()
                for paper in second.iterdir():
                    if paper.name in have or paper.name.endswith(TMP_SUFFIX) or paper.name.startswith("."):
                        continue
                    data = paper.read_bytes()
                    write_atomically(target / first.name / second.name / paper.name, data, read_only=True)
                    files, size = files + 1, size + len(data)
        return files, size
