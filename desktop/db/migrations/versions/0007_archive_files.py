"""archive: papers' bytes move out of the store into `<store>.archive/ab/cd/<sha256>` files;
`archive_blob` keeps the index (hash, size). docs/archive.md has the measurements and the why.

Each blob is written to its file (temporary name, fsync, rename) before the column is dropped,
inside the one upgrade transaction: if the upgrade fails, the store keeps its blobs and the files
already written are harmless copies that a later upgrade finds in place. A blob whose bytes no
longer match their hash is written as it is: `archive verify` must still see the damage.

Revision ID: 0007
Revises: 0004
"""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


# Frozen copies of desktop.db.paper_files as of this revision.
def _folder(conn: sa.Connection) -> Path | None:
    rows = conn.exec_driver_sql("PRAGMA database_list").fetchall()
    main = next((r[2] for r in rows if r[1] == "main"), "")
    return Path(main).with_name(Path(main).name + ".archive") if main else None


def _path(root: Path, digest: str) -> Path:
    return root / digest[:2] / digest[2:4] / digest


def _fsync_dir(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("archive_blob", schema=None) as batch_op:
        batch_op.add_column(sa.Column("size", sa.Integer(), nullable=True))
    count = conn.exec_driver_sql("SELECT COUNT(*) FROM archive_blob").scalar_one()
    root = _folder(conn)
    if count and root is None:
        raise RuntimeError("this store has no file on disk, so its archived papers have nowhere to go")
    written: set[Path] = set()
    for (digest,) in conn.exec_driver_sql("SELECT sha256 FROM archive_blob").fetchall():
        data = conn.exec_driver_sql("SELECT data FROM archive_blob WHERE sha256 = ?", (digest,)).scalar_one()
        assert root is not None
        path = _path(root, digest)
        _write(path, bytes(data))
        written.add(path.parent)
        conn.exec_driver_sql("UPDATE archive_blob SET size = ? WHERE sha256 = ?", (len(data), digest))
    if root is not None and written:
        for folder in {p.parent for p in written} | {root, root.parent}:
            _fsync_dir(folder)  # the new folders' own entries
    with op.batch_alter_table("archive_blob", schema=None) as batch_op:
        batch_op.alter_column("size", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("data")


def downgrade() -> None:
    conn = op.get_bind()
    root = _folder(conn)
    with op.batch_alter_table("archive_blob", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
    for (digest,) in conn.exec_driver_sql("SELECT sha256 FROM archive_blob").fetchall():
        path = _path(root, digest) if root else None
        if path is None or not path.exists():
            raise RuntimeError(f"cannot downgrade: the archived file {digest} is missing")
        conn.exec_driver_sql("UPDATE archive_blob SET data = ? WHERE sha256 = ?", (path.read_bytes(), digest))
    with op.batch_alter_table("archive_blob", schema=None) as batch_op:
        batch_op.alter_column("data", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("size")
