"""Revision 0006 on a store that already holds people: the daily counts start from its rows."""

from __future__ import annotations

from desktop.db.engine import make_engine
from desktop.db.migrate import current_revision, head_revision
from desktop.db.statistics_index import recount_differences
from desktop.services.statistics import branch_statistics
from desktop.services.store import open_store
from desktop.services.users import find_actor

from .test_migrations import _store_at


def test_a_0004_store_with_people_upgrades_and_counts_them(tmp_path):
    _store_at(tmp_path / "s.sqlite", "0004", "کاوه", "آهنگران")
    assert current_revision(make_engine(tmp_path / "s.sqlite")) == "0004"
    store = open_store(tmp_path / "s.sqlite")
    try:
        assert current_revision(store.engine) == head_revision()
        assert branch_statistics(store, find_actor(store, "admin")).enrolments == 1
        with store.engine.connect() as conn:
            assert recount_differences(conn) == []
    finally:
        store.close()
