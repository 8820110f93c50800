"""Revision 0004: an old store with data upgrades, its audit rows become a valid hash chain, and
every later audit row (several in one transaction too) extends the chain."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text

from desktop.db.engine import make_engine
from desktop.db.migrate import alembic_config, current_revision, head_revision
from desktop.models import AuditEntry, NumberBlock, SyncState
from desktop.services.admin import init_store
from desktop.services.audit_chain import GENESIS, walk_audit_chain
from desktop.services.enrolment import enrol
from desktop.services.reference import add_registry_identities
from desktop.services.store import open_store
from desktop.services.unit import mutation
from desktop.services.users import create_user, find_actor

from ..factories import identity, questionnaire

PW = "admin1234"


def _old_store_with_data(path) -> tuple[str, int]:
    store = init_store(path, "1021", admin_password=PW)
    try:
        admin = find_actor(store, "admin")
        person = identity()
        add_registry_identities(store, admin, person)
        ssn = enrol(store, admin, questionnaire(person["national_code"])).ssn
        create_user(store, admin, "clerk1", "کارمند", "clerk", "password123")
        command.downgrade(alembic_config(store.engine), "0003")
        with store.engine.connect() as conn:
            audited = conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    finally:
        store.close()
    return ssn, audited


def test_a_0003_store_with_data_upgrades_and_its_audit_log_is_chained(tmp_path):
    path = tmp_path / "s.sqlite"
    ssn, audited = _old_store_with_data(path)
    assert current_revision(make_engine(path)) == "0003"
    store = open_store(path)
    try:
        assert current_revision(store.engine) == head_revision()
        with store.sessions() as s:
            walk = walk_audit_chain(s)
            assert walk.entries == audited >= 3
            assert walk.problems == ()
            first = s.scalar(select(AuditEntry).order_by(AuditEntry.seq).limit(1))
            assert first is not None and first.prev_hash == GENESIS
            state = s.get(SyncState, 1)
            assert state is not None and state.next_batch_seq == 1 and state.pull_cursor == ""
            blocks = s.scalars(select(NumberBlock)).all()
            assert {b.kind for b in blocks} == {"ssn", "central_temporary"}
            assert all(b.lease_id is None for b in blocks)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT ssn FROM person")).scalar_one() == ssn
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    finally:
        store.close()


def test_new_audit_rows_extend_the_chain_and_an_edit_is_named(tmp_path):
    store = init_store(tmp_path / "s.sqlite", "1021", admin_password=PW)
    try:
        admin = find_actor(store, "admin")
        person = identity()
        add_registry_identities(store, admin, person)
        enrol(store, admin, questionnaire(person["national_code"]))
        with mutation(store, admin, "person.read") as unit:  # several rows in one transaction
            unit.audit("test.one", "store", "1021")
            unit.audit("test.two", "store", "1021")
        with store.sessions() as s:
            walk = walk_audit_chain(s)
        assert walk.problems == () and walk.entries >= 3
        victim = sorted(walk.links)[1]
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET detail = '{}' WHERE seq = :s"), {"s": victim})
        with store.sessions() as s:
            problems = walk_audit_chain(s).problems
        assert [(p.seq, p.problem) for p in problems] == [(victim, "altered")]
    finally:
        store.close()
