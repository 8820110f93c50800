"""Upgrades cannot half-fail: one transaction, a backup copy until it committed, the store as it was."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command

from desktop.db import migrate
from desktop.db.engine import make_engine
from desktop.db.migrate import (
    StoreTooNew,
    UpgradeFailed,
    alembic_config,
    backup_path_for,
    head_revision,
)
from desktop.services.admin import init_store
from desktop.services.store import open_store

FAILING_REVISION = '''
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE half_done (x BLOB)")
    op.execute("UPDATE store_setting SET value = 'changed' WHERE key = 'branch_name'")
    # A tiny page cache spills the uncommitted pages into the -wal file before the failure.
    op.execute("PRAGMA cache_size = 16")
    op.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
               "INSERT INTO half_done SELECT randomblob(400) FROM n")
    raise RuntimeError("revision 0004 made to fail")


def downgrade() -> None:
    pass
'''


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Closed stores made once per module: one at head, one at 0002 as an older version left it."""
    folder = tmp_path_factory.mktemp("templates")
    made = {}
    for revision in ("head", "0002"):
        path = folder / f"{revision}.sqlite"
        store = init_store(path, "1021", "شعبه قدیمی", admin_password="admin1234")
        if revision != "head":
            command.downgrade(alembic_config(store.engine), revision)
        store.close()
        made[revision] = path
    return made


def _copy_of(template: Path, path: Path) -> Path:
    shutil.copyfile(template, path)
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _install_failing_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str = FAILING_REVISION) -> None:
    """The real migrations plus a revision 0004 (by default one that writes, spills to the WAL, then fails)."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    # The extra revision goes on top of whatever the real head is (0004 and later are real ones).
    on_head = source.replace('revision = "0004"\ndown_revision = "0003"',
                             f'revision = "9004"\ndown_revision = "{head_revision()}"')
    (scripts / "versions" / "9004_extra.py").write_text(on_head, encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS", scripts)


def test_a_revision_that_fails_leaves_the_store_byte_for_byte_as_it_was(tmp_path, monkeypatch, templates):
    folder = tmp_path / "branch"
    folder.mkdir()
    path = folder / "s.sqlite"
    _copy_of(templates["0002"], path)
    _install_failing_head(tmp_path, monkeypatch)
    before, dump = _files(folder), _dump(path)
    assert "s.sqlite-wal" not in before
    copies: list[Path] = []
    real_copy = migrate._copy_database
    monkeypatch.setattr(migrate, "_copy_database", lambda src, dst: (copies.append(dst), real_copy(src, dst)))
    with pytest.raises(UpgradeFailed) as err:
        open_store(path)  # 0003 and 0004 in one transaction: 0003's refold must not stay either
    assert copies == [backup_path_for(path)]  # the rollback alone sufficed: no restore was needed
    assert err.value.exit_code == 7
    assert "دست‌نخورده" in err.value.fa and "0002" in err.value.fa
    assert "unchanged" in err.value.en and "revision 0004 made to fail" in err.value.en
    assert _files(folder) == before  # the store, its registry; no -wal, -shm or backup copy left
    assert _dump(path) == dump


def test_a_store_changed_despite_the_rollback_is_restored_from_the_copy(tmp_path, monkeypatch, templates):
    path = _copy_of(templates["0002"], tmp_path / "s.sqlite")
    dump = _dump(path)

    def commits_then_fails(engine):  # noqa: ANN001 - what a broken rollback would leave
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0003'")
            conn.exec_driver_sql("DELETE FROM app_user")
        raise OSError("disk I/O error")

    monkeypatch.setattr(migrate, "upgrade_to_head", commits_then_fails)
    with pytest.raises(UpgradeFailed) as err:
        open_store(path)
    assert "unchanged" in err.value.en
    assert _dump(path) == dump
    assert not backup_path_for(path).exists()


def test_a_successful_upgrade_makes_a_copy_first_and_removes_it_after(tmp_path, monkeypatch, templates):
    path = _copy_of(templates["0002"], tmp_path / "s.sqlite")
    copies: list[tuple[Path, bool]] = []
    real_copy = migrate._copy_database

    def spy(source: Path, target: Path) -> None:
        real_copy(source, target)
        copies.append((target, target.exists()))

    monkeypatch.setattr(migrate, "_copy_database", spy)
    store = open_store(path)
    try:
        assert migrate.current_revision(store.engine) == head_revision()
    finally:
        store.close()
    assert copies == [(backup_path_for(path), True)]
    assert not backup_path_for(path).exists()
    copies.clear()
    open_store(path).close()  # already at head: no copy
    assert copies == []


def test_a_new_store_is_built_in_one_transaction_without_a_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(migrate, "_copy_database", lambda *_: pytest.fail("a new store needs no copy"))
    init_store(tmp_path / "s.sqlite", "1021", admin_password="admin1234").close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.registry.sqlite", "s.sqlite"]


@pytest.mark.parametrize("versions", [("0003", "0002"), ("9999_future",), ("head",), ()])
def test_an_unclear_schema_version_is_refused_with_exit_5(tmp_path, versions, templates):
    path = _copy_of(templates["head"], tmp_path / "s.sqlite")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM alembic_version")
        conn.executemany("INSERT INTO alembic_version VALUES (?)", [(v,) for v in versions])
    conn.close()
    before = _files(tmp_path)
    with pytest.raises(StoreTooNew) as err:
        open_store(path)
    assert err.value.exit_code == 5 and err.value.fa and err.value.en
    assert _files(tmp_path) == before


def test_downgrade_and_upgrade_again_each_run_in_one_transaction(tmp_path):
    engine = make_engine(tmp_path / "s.sqlite")
    migrate.upgrade_to_head(engine)
    command.downgrade(alembic_config(engine), "base")
    assert migrate.current_revision(engine) is None
    migrate.upgrade_to_head(engine)
    assert migrate.current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1  # switched back on
    engine.dispose()


def test_no_room_for_the_copy_means_no_upgrade(tmp_path, monkeypatch, templates):
    path = _copy_of(templates["0002"], tmp_path / "s.sqlite")
    before = _files(tmp_path)

    def disk_full(source: Path, target: Path) -> None:
        target.write_bytes(b"partial")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(migrate, "_copy_database", disk_full)
    with pytest.raises(UpgradeFailed) as err:
        open_store(path)
    assert "disk" in err.value.en and "unchanged" in err.value.en
    assert _files(tmp_path) == before


REBUILD_REVISION = """
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A batch-mode rebuild of a table other tables point at: copy, DROP the old one, rename.
    with op.batch_alter_table("app_user", recreate="always") as batch:
        batch.add_column(sa.Column("{column}", sa.Integer(), nullable=True))
    {extra}


def downgrade() -> None:
    pass
"""


def test_a_table_rebuild_runs_with_foreign_keys_off_and_checked_before_commit(tmp_path, monkeypatch, templates):
    """With foreign keys on, dropping app_user (which audit_log points at) would fail mid-upgrade."""
    path = _copy_of(templates["0002"], tmp_path / "s.sqlite")
    _install_failing_head(tmp_path, monkeypatch, REBUILD_REVISION.format(column="theme", extra="pass"))
    store = open_store(path)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT COUNT(theme) FROM app_user").scalar_one() == 0
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            joined = conn.exec_driver_sql(
                "SELECT COUNT(*) FROM audit_log a JOIN app_user u ON u.id = a.user_id").scalar_one()
            assert joined >= 1  # store.init's audit row still names the administrator
    finally:
        store.close()


def test_an_upgrade_that_would_break_a_foreign_key_is_rolled_back(tmp_path, monkeypatch, templates):
    folder = tmp_path / "branch"
    folder.mkdir()
    path = _copy_of(templates["0002"], folder / "s.sqlite")
    before, dump = _files(folder), _dump(path)
    _install_failing_head(tmp_path, monkeypatch,
                          REBUILD_REVISION.format(column="theme", extra='op.execute("DELETE FROM app_user")'))
    with pytest.raises(UpgradeFailed) as err:
        open_store(path)
    assert "foreign keys" in err.value.en
    assert _files(folder) == before
    assert _dump(path) == dump


def test_a_copy_left_by_a_crash_is_replaced_and_removed(tmp_path, templates):
    path = _copy_of(templates["0002"], tmp_path / "s.sqlite")
    shutil.copyfile(templates["head"], backup_path_for(path))  # some earlier copy, killed mid-upgrade
    open_store(path).close()
    assert not backup_path_for(path).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.registry.sqlite", "s.sqlite"]
