"""Migrations: empty → head, models match head, a store from the future is refused."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from desktop.db.engine import make_engine
from desktop.db.migrate import StoreTooNew, current_revision, head_revision, upgrade_to_head
from desktop.db.migrations.env_support import include_object
from desktop.models import Base
from desktop.services.admin import init_store
from desktop.services.store import open_store

PW = "admin1234"


def test_empty_to_head_and_models_match(tmp_path):
    engine = make_engine(tmp_path / "s.sqlite")
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
        types = conn.exec_driver_sql("SELECT COUNT(*) FROM relationship_type").scalar_one()
        assert types >= 21  # main kinds, relations and employer kinds seeded as data
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    engine.dispose()


def test_every_revision_downgrades_and_upgrades_again(tmp_path):
    from alembic import command

    from desktop.db.migrate import alembic_config

    engine = make_engine(tmp_path / "s.sqlite")
    upgrade_to_head(engine)
    command.downgrade(alembic_config(engine), "base")
    assert current_revision(engine) is None
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_a_store_from_the_future_is_refused(tmp_path):
    store = init_store(tmp_path / "s.sqlite", "1021", admin_password=PW)
    store.close()
    engine = make_engine(tmp_path / "s.sqlite")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    engine.dispose()
    with pytest.raises(StoreTooNew) as err:
        open_store(tmp_path / "s.sqlite")
    assert "نسخه جدیدتری" in err.value.fa


def test_init_is_idempotent_and_keeps_the_branch(tmp_path):
    init_store(tmp_path / "s.sqlite", "1021", "شعبه", admin_password=PW).close()
    again = init_store(tmp_path / "s.sqlite", "1021", admin_password=PW)
    assert again.branch_code == "1021"
    again.close()
    from desktop.domain.errors import InvalidValue

    with pytest.raises(InvalidValue):
        init_store(tmp_path / "s.sqlite", "2000", admin_password=PW)


def _store_at(path, revision: str, first_name: str, last_name: str, *, old_key: str | None = None) -> str:
    """A store holding one enrolled person, taken down to `revision`; returns the person's SSN."""
    from alembic import command

    from desktop.db.migrate import alembic_config
    from desktop.services.enrolment import enrol
    from desktop.services.reference import add_registry_identities
    from desktop.services.users import find_actor

    from ..factories import identity, questionnaire

    store = init_store(path, "1021", admin_password=PW)
    try:
        admin = find_actor(store, "admin")
        person = identity(first_name=first_name, last_name=last_name)
        add_registry_identities(store, admin, person)
        ssn = enrol(store, admin, questionnaire(person["national_code"])).ssn
        command.downgrade(alembic_config(store.engine), revision)
        if old_key is not None:  # the key as that revision's code wrote it
            with store.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE person SET name_key = ?", (old_key,))
    finally:
        store.close()
    return ssn


def _search_after_reopening(path, text: str) -> tuple[str | None, list[str]]:
    """Open the store (which migrates it to head) and search; returns (revision, SSNs found)."""
    from desktop.services.search import search_people
    from desktop.services.users import find_actor

    reopened = open_store(path)
    try:
        hits = search_people(reopened, find_actor(reopened, "admin"), text).hits
        return current_revision(reopened.engine), [h.ssn for h in hits]
    finally:
        reopened.close()


def test_a_store_made_by_the_previous_head_upgrades_with_its_people(tmp_path):
    """A 0001 store that already holds people opens at head, and revision 0002 indexes them."""
    ssn = _store_at(tmp_path / "s.sqlite", "0001", "کاوه", "آهنگران")
    assert current_revision(make_engine(tmp_path / "s.sqlite")) == "0001"
    revision, found = _search_after_reopening(tmp_path / "s.sqlite", "آهنگ")
    assert revision == head_revision()
    assert found == [ssn]


def test_revision_0003_folds_the_keys_of_people_already_stored(tmp_path):
    ssn = _store_at(tmp_path / "s.sqlite", "0002", "آزاده", "رئیسی", old_key="رئیسی آزاده")
    assert _search_after_reopening(tmp_path / "s.sqlite", "ازاده رییسی")[1] == [ssn]
