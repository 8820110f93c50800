"""Shared fixtures: a real SQLite branch store with its local registry, on a fixed day."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _temp_in_memory() -> None:
    """Stores, registries and case folders go to a RAM disk when there is one: every SQLite commit
    fsyncs, and on this machine's shared disk those waits were a sixth of the suite's wall time.
    The files are as real as on disk (same SQLite, same WAL); a TMPDIR set by the caller wins.
    Subprocesses inherit it through TMPDIR."""
    shm = Path("/dev/shm")
    if "TMPDIR" not in os.environ and shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        os.environ["TMPDIR"] = str(shm)
        tempfile.tempdir = None  # recomputed from TMPDIR on next use


_temp_in_memory()

from desktop.domain.jalali import from_jalali  # noqa: E402
from desktop.services import certificates as _certificates  # noqa: E402
from desktop.services import users as _users  # noqa: E402
from desktop.services.actor import Actor  # noqa: E402
from desktop.services.admin import init_store  # noqa: E402
from desktop.services.reference import add_registry_identities, add_workshops  # noqa: E402
from desktop.services.store import Store, open_store  # noqa: E402
from desktop.services.users import create_user, find_actor  # noqa: E402

from .factories import identity  # noqa: E402
from .support.hashing import SHIPPED_HASHERS, cheap_hasher  # noqa: E402
from .support.hq_server import hq_served, hq_server  # noqa: E402,F401 - fixtures for every test package
from .support.postgres import hq_dsn, hq_template, pg_cluster, pg_dsn  # noqa: E402,F401

TODAY = from_jalali(1404, 6, 15)
ADMIN_PASSWORD = "admin-pass-1021"  # the test store's administrator (CLI subprocesses sign in with it)

# In this process passwords and passcodes are hashed with argon2id at minimal cost: at the shipped
# cost every hash and every sign-in takes ~0.1-0.3 s of CPU, which was a third of the suite.
# Verification reads the parameters from the stored hash, so the code path is the shipped one;
# tests/services/test_users.py checks the shipped parameters, and the subprocess smoke tests
# (tests/cli/test_smoke.py) run with them.
assert SHIPPED_HASHERS["users"] is _users._hasher and SHIPPED_HASHERS["certificates"] is _certificates._hasher
_users._hasher = _certificates._hasher = cheap_hasher()

STORE_FILES = ("branch.sqlite", "branch.registry.sqlite")


@pytest.fixture(scope="session")
def store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One freshly initialised store (and its registry) per test process: creating and migrating a
    store per test costs ~0.1 s, a byte copy of the closed files ~1 ms."""
    folder = tmp_path_factory.mktemp("store-template")
    init_store(folder / STORE_FILES[0], "1021", "شعبه ۲۱ تهران", admin_password=ADMIN_PASSWORD).close()
    assert sorted(p.name for p in folder.iterdir()) == sorted(STORE_FILES)  # closed: no -wal/-shm left
    return folder


@pytest.fixture
def store(tmp_path: Path, store_template: Path) -> Iterator[Store]:
    """A new branch store as `init` makes it (a copy of the template) with its local registry."""
    for name in STORE_FILES:
        shutil.copyfile(store_template / name, tmp_path / name)
    s = open_store(tmp_path / STORE_FILES[0])
    s.clock = lambda: TODAY
    yield s
    s.close()


@pytest.fixture
def admin(store: Store) -> Actor:
    return find_actor(store, "admin")


@pytest.fixture
def users(store: Store, admin: Actor) -> dict[str, Actor]:
    """One user of every role, password `password123`."""
    return {role: create_user(store, admin, f"{role}1", f"کاربر {role}", role, "password123")
            for role in ("clerk", "supervisor", "letter_staff")} | {"admin": admin}


@pytest.fixture
def clerk(users: dict[str, Actor]) -> Actor:
    return users["clerk"]


@pytest.fixture
def registered(store: Store, admin: Actor):
    """Add an identity to the registry and return its dict."""

    def add(**over: Any) -> dict[str, Any]:
        data = identity(**over)
        add_registry_identities(store, admin, data)
        return data

    return add


@pytest.fixture
def workshop(store: Store, admin: Actor) -> str:
    add_workshops(store, admin, {"code": "1234567890", "name": "کارخانه نمونه", "address": "تهران، جاده مخصوص"})
    return "1234567890"


def count_rows(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one()


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
