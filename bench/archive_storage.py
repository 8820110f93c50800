"""Where the archive's bytes should live: SQLite blobs in the store vs a folder beside it.

Both options are filled with the same N papers (random, incompressible bytes — scans are already
compressed — of sizes drawn uniformly from [min, max] KB, seeded), then measured:
- size on disk: the store file (blobs) vs the store file plus the folder (apparent bytes and the
  blocks the file system really allocates, which rounds every file up to 4 KB);
- add: one 2 MB scan at N papers, the way the application adds one — the bytes plus a small
  index row, committed with synchronous=FULL (blobs: one transaction with the 2 MB in it; folder:
  temp file + fsync + rename + folder fsync, then the row) — median and p95 of `--adds` adds,
  against writing the same 2 MB to a plain file with fsync (the floor);
- backup: a full backup (blobs: SQLite's online backup API of the whole store; folder: the same
  API for the small store plus a copy of the files), then an incremental one after 100 more
  papers (blobs: there is no incremental online backup, the whole store again; folder: copy only
  the files the backup lacks — they never change, so a name present is a file complete);
- verify: re-hash every paper (blobs: SELECT every blob; folder: read every file), MB/s, and
  `sha256sum` over the same files as the floor.
The OS file cache is warm (the papers were just written and fit in RAM): these are
"software" costs, not cold-disk costs, for both options alike.

Usage: .venv/bin/python bench/archive_storage.py [--papers 100000] [--min-kb 8] [--max-kb 40]
       [--adds 20] [--dir var/bench-archive] [--keep]
Prints one JSON document on stdout; progress on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.db.paper_files import PaperFiles, write_atomically  # noqa: E402

SCAN = 2 * 1024 * 1024
INCREMENT = 100


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


def papers(n: int, lo: int, hi: int, seed: int) -> Iterator[tuple[str, bytes]]:
    rnd = random.Random(seed)
    for _ in range(n):
        data = rnd.randbytes(rnd.randint(lo * 1024, hi * 1024))
        yield hashlib.sha256(data).hexdigest(), data


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS item (sha256 TEXT NOT NULL, size INTEGER NOT NULL)")
    return conn


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2)}


def sqlite_backup(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def allocated(root: Path) -> tuple[int, int, int]:
    """(files, apparent bytes, allocated bytes) under root."""
    files = size = blocks = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            st = os.stat(os.path.join(folder, name))
            files, size, blocks = files + 1, size + st.st_size, blocks + st.st_blocks * 512
    return files, size, blocks


def file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


# --- the two options -------------------------------------------------------------------------

class Blobs:
    name = "sqlite_blobs"

    def __init__(self, folder: Path) -> None:
        self.db = folder / "blobs.sqlite"
        self.conn = connect(self.db)
        self.conn.execute("CREATE TABLE blob (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)")

    def fill(self, source: Iterator[tuple[str, bytes]]) -> None:
        self.conn.execute("PRAGMA synchronous=OFF")
        batch: list[tuple[str, bytes]] = []
        for digest, data in source:
            batch.append((digest, data))
            if len(batch) == 500:
                self._insert(batch)
                batch = []
        self._insert(batch)
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _insert(self, batch: list[tuple[str, bytes]]) -> None:
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT OR IGNORE INTO blob VALUES (?, ?)", batch)
        self.conn.executemany("INSERT INTO item VALUES (?, ?)", [(d, len(b)) for d, b in batch])
        self.conn.execute("COMMIT")

    def add(self, digest: str, data: bytes) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT OR IGNORE INTO blob VALUES (?, ?)", (digest, data))
        self.conn.execute("INSERT INTO item VALUES (?, ?)", (digest, len(data)))
        self.conn.execute("COMMIT")

    def size(self) -> dict[str, int]:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {"store_bytes": file_size(self.db), "total_bytes": file_size(self.db), "files": 1}

    def backup(self, target: Path, *, incremental: bool) -> int:
        target.mkdir(parents=True, exist_ok=True)
        sqlite_backup(self.db, target / "blobs.sqlite")  # no incremental form: the whole store
        return (target / "blobs.sqlite").stat().st_size

    def verify(self) -> tuple[int, int, int]:
        checked = bad = read = 0
        reader = sqlite3.connect(self.db)
        for digest, data in reader.execute("SELECT sha256, data FROM blob"):
            checked, read = checked + 1, read + len(data)
            bad += hashlib.sha256(data).hexdigest() != digest
        reader.close()
        return checked, bad, read


class Folder:
    name = "folder"

    def __init__(self, folder: Path) -> None:
        self.db = folder / "store.sqlite"
        self.conn = connect(self.db)
        self.files = PaperFiles(folder / "store.sqlite.archive")

    def fill(self, source: Iterator[tuple[str, bytes]]) -> None:
        self.conn.execute("PRAGMA synchronous=OFF")
        rows: list[tuple[str, int]] = []
        for digest, data in source:
            write_atomically(self.files.path_for(digest), data, durable=False, read_only=True)
            rows.append((digest, len(data)))
            if len(rows) == 500:
                self._rows(rows)
                rows = []
        self._rows(rows)
        os.sync()  # the fill's files reach the disk once, as a restore would leave them
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _rows(self, rows: list[tuple[str, int]]) -> None:
        self.conn.execute("BEGIN")
        self.conn.executemany("INSERT INTO item VALUES (?, ?)", rows)
        self.conn.execute("COMMIT")

    def add(self, digest: str, data: bytes) -> None:
        self.files.put(digest, data)  # durable before the row that names it commits
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO item VALUES (?, ?)", (digest, len(data)))
        self.conn.execute("COMMIT")

    def size(self) -> dict[str, int]:
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        files, apparent, blocks = allocated(self.files.root)
        store = file_size(self.db)
        return {"store_bytes": store, "folder_bytes": apparent, "folder_allocated_bytes": blocks,
                "total_bytes": store + blocks, "files": files}

    def backup(self, target: Path, *, incremental: bool) -> int:
        target.mkdir(parents=True, exist_ok=True)
        sqlite_backup(self.db, target / "store.sqlite")
        copied = (target / "store.sqlite").stat().st_size
        dest_root = target / "store.sqlite.archive"
        for folder, _dirs, names in os.walk(self.files.root):
            rel = Path(folder).relative_to(self.files.root)
            dest = dest_root / rel
            dest.mkdir(parents=True, exist_ok=True)
            have = set(os.listdir(dest)) if incremental else set()
            for name in names:
                if name not in have:  # immutable content: present means complete
                    shutil.copyfile(os.path.join(folder, name), dest / name)
                    copied += os.stat(dest / name).st_size
        return copied

    def verify(self) -> tuple[int, int, int]:
        checked = bad = read = 0
        for digest, _size in self.conn.execute("SELECT DISTINCT sha256, size FROM item").fetchall():
            problem, n = self.files.check(digest)
            checked, read, bad = checked + 1, read + n, bad + (problem is not None)
        return checked, bad, read


def sha256sum_seconds(root: Path) -> float:
    started = time.perf_counter()
    find = subprocess.Popen(["find", str(root), "-type", "f", "-print0"], stdout=subprocess.PIPE)
    subprocess.run(["xargs", "-0", "sha256sum"], stdin=find.stdout, stdout=subprocess.DEVNULL, check=True)
    find.wait()
    return time.perf_counter() - started


def measure(option: Any, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    log(f"{option.name}: filling {args.papers} papers")
    out["fill_s"] = round(timed(lambda: option.fill(papers(args.papers, args.min_kb, args.max_kb, 1))), 1)
    out["size"] = option.size()
    rnd = random.Random(2)
    samples = []
    for _ in range(args.adds):
        data = rnd.randbytes(SCAN)
        digest = hashlib.sha256(data).hexdigest()
        samples.append(timed(lambda d=digest, b=data: option.add(d, b)))  # type: ignore[misc]
    out["add_2mb"] = summary(samples)
    log(f"{option.name}: backup")
    backup = work / f"{option.name}-backup"
    full_bytes: list[int] = []
    out["backup_full_s"] = round(timed(lambda: full_bytes.append(option.backup(backup, incremental=False))), 2)
    out["backup_full_bytes"] = full_bytes[0]
    for digest, data in papers(INCREMENT, args.min_kb, args.max_kb, 3):
        option.add(digest, data)
    inc_bytes: list[int] = []
    out["backup_after_100_more_s"] = round(timed(lambda: inc_bytes.append(option.backup(backup, incremental=True))), 2)
    out["backup_after_100_more_bytes"] = inc_bytes[0]
    shutil.rmtree(backup)
    log(f"{option.name}: verify")
    result: list[tuple[int, int, int]] = []
    seconds = timed(lambda: result.append(option.verify()))
    checked, bad, read = result[0]
    out["verify"] = {"papers": checked, "bad": bad, "seconds": round(seconds, 2),
                     "mb_per_s": round(read / 1e6 / seconds, 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--min-kb", type=int, default=8)
    parser.add_argument("--max-kb", type=int, default=40)
    parser.add_argument("--adds", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench-archive")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {"papers": args.papers, "paper_kb": [args.min_kb, args.max_kb], "scan_bytes": SCAN}
    floor = args.dir / "floor.bin"
    args.dir.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(4)
    floor_samples = []
    for _ in range(args.adds):
        data = rnd.randbytes(SCAN)

        def plain(data: bytes = data) -> None:
            with open(floor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())

        floor_samples.append(timed(plain))
    floor.unlink()
    report["write_2mb_file_fsync"] = summary(floor_samples)
    for kind in (Blobs, Folder):
        work = args.dir / kind.name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        option = kind(work)
        report[kind.name] = measure(option, args, args.dir)
        report[kind.name]["add_ratio_to_file_write"] = round(
            report[kind.name]["add_2mb"]["median_ms"] / report["write_2mb_file_fsync"]["median_ms"], 2)
        if isinstance(option, Folder):
            seconds = sha256sum_seconds(option.files.root)
            read = report[kind.name]["size"]["folder_bytes"]
            report["sha256sum_folder"] = {"seconds": round(seconds, 2), "mb_per_s": round(read / 1e6 / seconds, 1)}
        option.conn.close()
        if not args.keep:
            shutil.rmtree(work)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
