"""Backup and restore of a branch store (CLI.md "Backup"): one file, restored to a new install epoch.

A backup is a tar holding `manifest.json` (format, branch, the store's schema revision, and the
size and SHA-256 of every other member) first, then `store.sqlite` — a copy made with SQLite's
online backup API, so it is consistent while the application has the store open —, the identity
registry file beside the store (also copied online) and the archive folder `<store>.archive/`
when there is one. It is written to a temporary file in the target folder and renamed into place,
so a backup cut short never looks like a backup.

Restoring verifies the whole file (manifest, sizes, hashes, SQLite integrity, a branch store of
this branch and a schema this version knows) before anything at the store path is touched. The
copy then gets a new install epoch (desktop.sync.leases.start_new_epoch: every number block it
held is abandoned, so no SSN its former self may have handed out is given again) and is marked
for recovery: its next sync round asks HQ what HQ already holds of this branch's changes and
takes back its own acknowledged records (desktop.sync.recovery). Only then is the old store put
aside (kept in `<store>.before-restore-<time>/`) and the copy renamed into its place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.db.migrate import check_revisions
from desktop.db.registry_local import registry_path_for
from desktop.db.store_file import inspect_store_file
from desktop.domain.errors import DomainError, InvalidValue
from desktop.domain.roles import require
from desktop.sync.leases import start_new_epoch
from desktop.sync.local import put_setting, setting
from desktop.sync.recovery import RECOVERY_SETTING

from .actor import Actor
from .store import Store, open_store
from .store_use import not_in_use

FORMAT = "branch-desk-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
STORE_MEMBER = "store.sqlite"
REGISTRY_MEMBER = "registry.sqlite"
ARCHIVE_MEMBER = "archive"
MANIFEST_MAX_BYTES = 1 << 20
SIDE_FILES = ("-wal", "-shm", "-journal")


class BadBackup(InvalidValue):
    """The file is not a whole, untampered backup this version can restore (exit 2)."""


class BackupRefused(DomainError):
    """A rule says no: another branch's backup, a store in the way (exit 3)."""

    exit_code = 3


@dataclass(frozen=True)
class BackupResult:
    out: Path
    bytes: int
    branch: str

    def as_json(self) -> dict[str, object]:
        return {"out": str(self.out), "bytes": self.bytes, "branch": self.branch}


@dataclass(frozen=True)
class RestoreResult:
    db: Path
    source: Path
    branch: str
    install_epoch: str
    previous: Path | None  # where the replaced store was put aside

    def as_json(self) -> dict[str, object]:
        return {"db": str(self.db), "from": str(self.source), "branch": self.branch,
                "install_epoch": self.install_epoch,
                "previous": str(self.previous) if self.previous else None}


def archive_dir_for(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".archive")


# --- backup ---------------------------------------------------------------------------------

def backup_store(store: Store, actor: Actor, out: Path) -> BackupResult:
    require(actor.role, "store.backup")
    folder = out.absolute().parent
    with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as tmp:
        work = Path(tmp)
        members = [_online_copy(store.path, work / STORE_MEMBER)]
        registry = registry_path_for(store.path)
        if registry.is_file():
            members.append(_online_copy(registry, work / REGISTRY_MEMBER))
        archive = archive_dir_for(store.path)
        manifest = _manifest(store, work, members, archive)
        part = work / "backup.tar"
        with tarfile.open(part, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            for member in members:
                tar.add(member, arcname=member.name)
            if archive.is_dir():
                tar.add(archive, arcname=ARCHIVE_MEMBER)
        with part.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(part, out)
    return BackupResult(out, out.stat().st_size, store.branch_code)


def _online_copy(source: Path, target: Path) -> Path:
    """SQLite's backup API: a consistent copy of a database other connections may be writing."""
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest(store: Store, work: Path, members: list[Path], archive: Path) -> dict[str, Any]:
    files = [{"name": m.name, "bytes": m.stat().st_size, "sha256": _sha256(m)} for m in members]
    if archive.is_dir():
        for f in sorted(p for p in archive.rglob("*") if p.is_file()):
            files.append({"name": f"{ARCHIVE_MEMBER}/{f.relative_to(archive).as_posix()}",
                          "bytes": f.stat().st_size, "sha256": _sha256(f)})
    revision = inspect_store_file(work / STORE_MEMBER).revisions
    return {"format": FORMAT, "version": FORMAT_VERSION, "branch": store.branch_code,
            "revision": revision[0] if revision else "",
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "files": files}


# --- restore --------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifiedBackup:
    """A backup unpacked into `work` (beside the store) and checked member by member."""

    work: Path
    branch: str
    has_registry: bool
    has_archive: bool


def _bad(source: Path, fa_why: str, en_why: str) -> BadBackup:
    return BadBackup(f"«{source}» پشتیبان سالمی از پایگاه داده شعبه نیست: {fa_why}",
                     f"{source} is not a sound branch store backup: {en_why}", field="from")


@contextmanager
def unpacked_backup(source: Path, folder: Path) -> Iterator[VerifiedBackup]:
    """Unpack and verify `source` in a temporary folder inside `folder`; removed on leaving."""
    if not source.is_file():
        raise _bad(source, "فایل نیست یا پیدا نشد", "no such file")
    with tempfile.TemporaryDirectory(dir=folder, prefix=".restore-") as tmp:
        work = Path(tmp)
        manifest = _unpack(source, work)
        yield _verify(source, work, manifest)


def _unpack(source: Path, work: Path) -> dict[str, Any]:
    try:
        with tarfile.open(source, "r:") as tar:
            members = tar.getmembers()
            if not members or members[0].name != MANIFEST or not members[0].isfile():
                raise _bad(source, "فهرست محتوا (manifest) در آغاز آن نیست", "no manifest first")
            if members[0].size > MANIFEST_MAX_BYTES:
                raise _bad(source, "فهرست محتوا بیش از حد بزرگ است", "manifest too large")
            raw = tar.extractfile(members[0])
            assert raw is not None
            manifest = _parse_manifest(source, raw.read())
            listed = {f["name"] for f in manifest["files"]}
            for member in members[1:]:
                # Only regular files the manifest lists (and their folders): no links, devices or
                # paths outside the work folder — the "data" filter refuses those too.
                if member.isdir() and (member.name == ARCHIVE_MEMBER
                                       or member.name.startswith(ARCHIVE_MEMBER + "/")):
                    continue
                if not member.isfile() or member.name not in listed:
                    raise _bad(source, f"عضو ناشناخته «{member.name[:80]}» دارد",
                               f"unexpected member {member.name[:80]!r}")
            tar.extractall(work, members=members[1:], filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _bad(source, "خوانده نشد (فایل tar ناقص یا نادرست)", f"unreadable tar ({exc})") from None
    return manifest


def _parse_manifest(source: Path, raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad(source, "فهرست محتوا JSON معتبر نیست", "manifest is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _bad(source, "قالب آن پشتیبان میز شعبه نیست", "not a branch-desk backup")
    if manifest.get("version") != FORMAT_VERSION:
        raise _bad(source, f"نسخه قالب پشتیبان ({manifest.get('version')!s:.10}) شناخته نیست",
                   f"backup format version {manifest.get('version')!r} is not known")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("bytes"), int)
            and isinstance(f.get("sha256"), str) for f in files):
        raise _bad(source, "فهرست پرونده‌ها نادرست است", "manifest files list is malformed")
    if STORE_MEMBER not in {f["name"] for f in files}:
        raise _bad(source, "پایگاه داده در آن نیست", "no store.sqlite in it")
    return manifest


def _verify(source: Path, work: Path, manifest: dict[str, Any]) -> VerifiedBackup:
    for entry in manifest["files"]:
        path = work / entry["name"]
        if not path.is_file() or path.stat().st_size != entry["bytes"] or _sha256(path) != entry["sha256"]:
            raise _bad(source, f"«{entry['name'][:80]}» ناقص یا دست‌کاری‌شده است (SHA-256 نمی‌خواند)",
                       f"{entry['name'][:80]} is missing, truncated or altered (sha256 mismatch)")
    store_copy = work / STORE_MEMBER
    found = inspect_store_file(store_copy)
    if found.state != "branch_store":
        raise _bad(source, "پایگاه داده درون آن از آن شعبه نیست", "the copy is not a branch store")
    check_revisions(found.revisions)  # a backup from a newer version: exit 5
    with closing(sqlite3.connect(f"file:{store_copy}?mode=ro", uri=True)) as conn:
        if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise _bad(source, "پایگاه داده درون آن آسیب دیده است", "integrity_check failed")
    if found.branch_code != manifest.get("branch"):
        raise _bad(source, "شعبه فهرست محتوا با پایگاه داده نمی‌خواند",
                   "the manifest's branch is not the copy's")
    return VerifiedBackup(work, found.branch_code, (work / REGISTRY_MEMBER).is_file(),
                          (work / ARCHIVE_MEMBER).is_dir())


def check_same_branch(backup: VerifiedBackup, current_branch: str) -> None:
    if current_branch and current_branch != backup.branch:
        raise BackupRefused(
            f"این پشتیبان از آن شعبه {backup.branch} است، نه شعبه {current_branch} که اینجاست.",
            f"the backup is branch {backup.branch}'s; the store here is branch {current_branch}'s",
            field="from")


def prepare_restored_copy(backup: VerifiedBackup) -> str:
    """Upgrade the copy to this version's schema and give it a new install epoch, marked for
    recovery at its next sync round; returns the new epoch. Only the unpacked copy is written."""
    copy = open_store(backup.work / STORE_MEMBER)
    try:
        with copy.sessions() as s, s.begin():
            epoch = start_new_epoch(s)
            put_setting(s, RECOVERY_SETTING, setting(s, "install_epoch"))
    finally:
        copy.close()
    _checkpoint(backup.work / STORE_MEMBER)  # everything into the main file: no -wal to carry
    return epoch


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the main file (outside any transaction, on a closed store)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def put_in_place(backup: VerifiedBackup, db: Path) -> Path | None:
    """Put the current store aside and the prepared copy in its place. The store file itself is
    swapped by one rename (os.replace), after its -wal/-shm went aside, so the path holds either
    the whole old store or the whole copy. Returns the folder the old files were kept in."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    aside = db.with_name(f"{db.name}.before-restore-{stamp}")
    registry, archive = registry_path_for(db), archive_dir_for(db)
    olds = [p for p in (db, *(db.with_name(db.name + s) for s in SIDE_FILES), registry,
                        *(registry.with_name(registry.name + s) for s in SIDE_FILES), archive)
            if p.exists()]
    if olds:
        aside.mkdir()
        if db.exists():
            shutil.copy2(db, aside / db.name)  # the old store stays whole until the swap
        for old in olds:
            if old != db:
                os.replace(old, aside / old.name)
    copy = backup.work / STORE_MEMBER
    for suffix in SIDE_FILES:  # the copy was checkpointed; nothing of it lives beside it
        copy.with_name(copy.name + suffix).unlink(missing_ok=True)
    os.replace(copy, db)
    if backup.has_registry:
        os.replace(backup.work / REGISTRY_MEMBER, registry)
    if backup.has_archive:
        os.replace(backup.work / ARCHIVE_MEMBER, archive)
    return aside if olds else None


def restore_store(db: Path, source: Path, authorise: Callable[[Store], Actor]) -> RestoreResult:
    """Verify `source`, check who asks (an administrator of the store there, or — when no store is
    there any more — of the backup's), then put the prepared copy in place. Nothing at `db` is
    touched before every check passed."""
    folder = db.absolute().parent
    if not folder.is_dir():
        raise InvalidValue(f"پوشه «{folder}» وجود ندارد.", f"--db: folder {folder} does not exist",
                           field="db")
    with not_in_use(db):
        return _restore(db, source, authorise, folder)


def _restore(db: Path, source: Path, authorise: Callable[[Store], Actor], folder: Path) -> RestoreResult:
    current = inspect_store_file(db)
    with unpacked_backup(source, folder) as backup:
        if current.state == "branch_store":
            _authorise_on(open_store(db), authorise, backup, checkpoint=True)
        else:
            _authorise_on(open_store(backup.work / STORE_MEMBER), authorise, backup)
        epoch = prepare_restored_copy(backup)
        previous = put_in_place(backup, db)
    return RestoreResult(db, source, backup.branch, epoch, previous)


def _authorise_on(store: Store, authorise: Callable[[Store], Actor], backup: VerifiedBackup, *,
                  checkpoint: bool = False) -> None:
    try:
        require(authorise(store).role, "store.restore")
        check_same_branch(backup, store.branch_code)
    finally:
        store.close()
    if checkpoint:  # the old store whole in its main file before its -wal goes aside
        _checkpoint(store.path)
