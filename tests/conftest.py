"""Shared fixtures: a real SQLite branch store with its local registry, on a fixed day."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.domain.jalali import from_jalali  # noqa: E402
from desktop.services.actor import Actor  # noqa: E402
from desktop.services.admin import init_store  # noqa: E402
from desktop.services.reference import add_registry_identities, add_workshops  # noqa: E402
from desktop.services.store import Store  # noqa: E402
from desktop.services.users import create_user, find_actor  # noqa: E402

from .factories import identity  # noqa: E402
from .support.hq_server import hq_served, hq_server  # noqa: E402,F401 - fixtures for every test package
from .support.postgres import hq_dsn, hq_template, pg_cluster, pg_dsn  # noqa: E402,F401

TODAY = from_jalali(1404, 6, 15)
ADMIN_PASSWORD = "admin-pass-1021"  # the test store's administrator (CLI subprocesses sign in with it)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = init_store(tmp_path / "branch.sqlite", "1021", "شعبه ۲۱ تهران", admin_password=ADMIN_PASSWORD)
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
