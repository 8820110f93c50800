"""Only a branch store is opened; anything else is refused with nothing written anywhere.

Only `init` creates a store — at a new path (nothing there, or an empty file) — after it has
validated everything, so a refused `init` or `demo` leaves no file behind either.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.db.store_file import NotABranchStore, inspect_store_file
from desktop.domain.errors import DomainError, InvalidValue, NotFound
from desktop.services import admin
from desktop.services.admin import init_store
from desktop.services.demo import DEMO_ADMIN_PASSWORD, new_demo_store
from desktop.services.store import open_store

PW = "admin1234"


def _snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every file and folder under `folder`, with its bytes (a regular file) or its kind."""
    def content(p: Path) -> bytes | str:
        if p.is_dir():
            return "folder"
        return p.read_bytes() if p.is_file() else "special"  # reading a pipe would block

    return {str(p.relative_to(folder)): content(p) for p in sorted(folder.rglob("*"))}


def _foreign_sqlite(path: Path, *, wal: bool) -> Path:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    with conn:
        conn.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoice (total) VALUES (12.5)")
    conn.close()
    return path


def _half_made_store(path: Path) -> Path:
    """Looks like a store's schema, but no branch was ever recorded in it."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('0003')")
        conn.execute("CREATE TABLE store_setting (key VARCHAR(64) PRIMARY KEY, value VARCHAR(400))")
    conn.close()
    return path


def _text(path: Path) -> Path:
    path.write_text("not a database at all\n", encoding="utf-8")
    return path


def _directory(path: Path) -> Path:
    path.mkdir()
    (path / "inside.txt").write_text("x", encoding="utf-8")
    return path


def _empty(path: Path) -> Path:
    path.touch()
    return path


def _truncated_sqlite(path: Path) -> Path:
    path.write_bytes(b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + b"\x00" * 20)
    return path


NOT_STORES: dict[str, Callable[[Path], Path]] = {
    "directory": _directory,
    "text file": _text,
    "foreign sqlite": lambda p: _foreign_sqlite(p, wal=False),
    "foreign sqlite in WAL mode": lambda p: _foreign_sqlite(p, wal=True),
    "empty file": _empty,
    "truncated sqlite": _truncated_sqlite,
    "schema without a branch": _half_made_store,
    "name over 255 bytes": lambda p: p.with_name("ش" * 130 + ".sqlite"),
    "missing": lambda p: p,
    "NUL in the name": lambda p: p.with_name("bad\x00name.sqlite"),
    "a named pipe": lambda p: (os.mkfifo(p), p)[1],
    "below a plain file": lambda p: _text(p) / "branch.sqlite",
    "missing folder": lambda p: p.parent / "no" / "such" / "branch.sqlite",
}


@pytest.mark.parametrize("kind", list(NOT_STORES))
def test_open_store_refuses_what_is_not_a_branch_store_and_writes_nothing(tmp_path, kind):
    path = NOT_STORES[kind](tmp_path / "other.sqlite")
    before = _snapshot(tmp_path)
    with pytest.raises(DomainError) as err:
        open_store(path)
    assert err.value.exit_code == 2
    assert err.value.fa and err.value.en and err.value.fa != err.value.en
    assert _snapshot(tmp_path) == before  # no migration, no -wal/-shm, no *.registry.sqlite


@pytest.mark.parametrize("kind", ["directory", "text file", "foreign sqlite", "foreign sqlite in WAL mode",
                                  "truncated sqlite", "schema without a branch", "name over 255 bytes"])
def test_init_refuses_a_path_holding_something_else_and_writes_nothing(tmp_path, kind):
    path = NOT_STORES[kind](tmp_path / "other.sqlite")
    before = _snapshot(tmp_path)
    with pytest.raises(NotABranchStore) as err:
        init_store(path, "1021", admin_password=PW)
    assert "branch store" in err.value.en
    assert _snapshot(tmp_path) == before


def test_a_foreign_database_keeps_its_journal_mode_and_rows(tmp_path):
    path = _foreign_sqlite(tmp_path / "other.sqlite", wal=False)
    with pytest.raises(NotABranchStore):
        open_store(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["invoice"]
    finally:
        conn.close()


@pytest.mark.parametrize("branch, name, password, field", [
    ("21", "شعبه", PW, "branch_code"),
    ("۱۰۲۱x", "شعبه", PW, "branch_code"),
    ("1021", "شعبه \u202eمعکوس", PW, "branch_name"),
    ("1021", "ش" * 201, PW, "branch_name"),
    ("1021", "شعبه", "short", "admin_password"),
    ("1021", "شعبه", "", "admin_password"),
    ("1021", "شعبه", "pass\x00word123", "admin_password"),
])
def test_init_validates_everything_before_making_a_file(tmp_path, branch, name, password, field):
    with pytest.raises(InvalidValue) as err:
        init_store(tmp_path / "new" / "branch.sqlite", branch, name, admin_password=password)
    assert err.value.field == field
    assert list(tmp_path.iterdir()) == []  # not even the folder


def test_admin_password_is_required():
    with pytest.raises(TypeError):
        init_store("x.sqlite", "1021")  # type: ignore[call-arg]


def test_a_crash_while_building_leaves_no_file(tmp_path, monkeypatch):
    def crash(*_):  # noqa: ANN002
        raise OSError("disk full")

    monkeypatch.setattr(admin, "_seed_branch", crash)
    with pytest.raises(OSError):
        init_store(tmp_path / "branch.sqlite", "1021", admin_password=PW)
    assert list(tmp_path.iterdir()) == []


def test_init_makes_exactly_the_store_and_its_registry(tmp_path):
    store = init_store(tmp_path / "branch.sqlite", "1021", "شعبه ۲۱", admin_password=PW)
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["branch.registry.sqlite", "branch.sqlite"]
    assert inspect_store_file(tmp_path / "branch.sqlite").branch_code == "1021"


def test_init_fills_an_empty_file(tmp_path):
    path = _empty(tmp_path / "branch.sqlite")
    init_store(path, "0021", admin_password=PW).close()
    assert inspect_store_file(path).state == "branch_store"


def test_init_refuses_a_journal_left_without_its_store(tmp_path):
    (tmp_path / "branch.sqlite-wal").write_bytes(b"stale")
    before = _snapshot(tmp_path)
    with pytest.raises(NotABranchStore):
        init_store(tmp_path / "branch.sqlite", "1021", admin_password=PW)
    assert _snapshot(tmp_path) == before


def test_init_on_a_store_of_another_branch_changes_nothing(tmp_path):
    init_store(tmp_path / "branch.sqlite", "1021", admin_password=PW).close()
    before = _snapshot(tmp_path)
    with pytest.raises(InvalidValue) as err:
        init_store(tmp_path / "branch.sqlite", "0021", admin_password=PW)
    assert err.value.field == "branch_code"
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("persons, seed", [(-5, 1), (0, 1), (10**9, 1), (10, -1), (10, 2**64)])
def test_demo_with_bad_arguments_leaves_no_store(tmp_path, persons, seed):
    with pytest.raises(InvalidValue):
        new_demo_store(tmp_path / "demo.sqlite", "1021", persons=persons, seed=seed)
    assert list(tmp_path.iterdir()) == []


def test_a_new_demo_store_has_the_documented_administrator(tmp_path):
    from desktop.services.users import sign_in

    store = new_demo_store(tmp_path / "demo.sqlite", "1021", persons=10)
    try:
        assert sign_in(store, "admin", DEMO_ADMIN_PASSWORD).role == "admin"
    finally:
        store.close()


def test_the_missing_store_is_not_found(tmp_path):
    with pytest.raises(NotFound):
        open_store(tmp_path / "branch.sqlite")


@pytest.mark.parametrize("kind", list(NOT_STORES))
def test_the_sign_in_glance_sees_no_store_and_writes_nothing(tmp_path, kind):
    from desktop.services.store_peek import peek_store

    path = NOT_STORES[kind](tmp_path / "other.sqlite")
    before = _snapshot(tmp_path)
    assert peek_store(path) is None
    assert _snapshot(tmp_path) == before


def test_first_run_set_up_makes_the_named_administrator_in_one_build(tmp_path):
    from desktop.services.setup import set_up_branch
    from desktop.services.users import sign_in

    store = set_up_branch(tmp_path / "branch.sqlite", "0021", "شعبه ۲۱", "Manager.One", "مدیر", "long-password")
    try:
        assert sign_in(store, "manager.one", "long-password").role == "admin"
        assert q_users(store) == ["manager.one"]
    finally:
        store.close()


@pytest.mark.parametrize("username, password", [("مدیر", "long-password"), ("a" * 41, "long-password"),
                                                ("boss", "short")])
def test_first_run_set_up_refusals_leave_no_file(tmp_path, username, password):
    from desktop.services.setup import set_up_branch

    with pytest.raises(InvalidValue):
        set_up_branch(tmp_path / "branch.sqlite", "0021", "شعبه", username, "مدیر", password)
    assert list(tmp_path.iterdir()) == []


def q_users(store) -> list[str]:  # noqa: ANN001
    with store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT username FROM app_user")]


def test_a_registry_file_from_before_the_annulment_flag_gains_its_column(tmp_path):
    from desktop.db.registry_local import LocalRegistry

    path = tmp_path / "old.registry.sqlite"
    with sqlite3.connect(path) as conn:  # the identity table as it was before the flag
        conn.execute("CREATE TABLE identity (key TEXT PRIMARY KEY, national_code TEXT UNIQUE, foreign_id TEXT UNIQUE,"
                     " first_name TEXT NOT NULL, last_name TEXT NOT NULL, father_name TEXT NOT NULL,"
                     " birth_date TEXT NOT NULL, gender TEXT NOT NULL, birth_certificate_number TEXT,"
                     " place_of_issue TEXT, death_date TEXT, father_national_code TEXT, mother_national_code TEXT,"
                     " birth_date_changed_on TEXT)")
        conn.execute("INSERT INTO identity (key, national_code, first_name, last_name, father_name, birth_date, gender)"
                     " VALUES ('0012345679', '0012345679', 'علی', 'رضایی', 'حسن', '1980-01-01', 'male')")
    registry = LocalRegistry(path)
    try:
        ident = registry.lookup(national_code="0012345679")
        assert ident is not None and ident.earlier_certificate_annulled is False
    finally:
        registry.close()
