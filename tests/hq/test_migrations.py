"""HQ's schema upgrades in place: a database `hq init` made at 0001, holding pushed persons,
reaches the head revision with every row kept."""

from __future__ import annotations

import psycopg
from alembic import command

from hq.db import _config, head_revision, make_engine, migrate
from hq.push import push
from tests.support.hq_server import add_branch
from tests.support.hq_wire import batch, enrol, snapshot

PERSON_KEYS = ("relationship_person_id_fkey", "insurance_number_person_id_fkey")


def _constraints(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute("SELECT conname FROM pg_constraint")}


def test_a_0001_database_with_pushed_persons_upgrades_to_head(pg_dsn: str) -> None:
    engine = make_engine(pg_dsn, pool_size=1)
    try:
        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        assert set(PERSON_KEYS) <= _constraints(pg_dsn)
        add_branch(pg_dsn, "1021")
        snaps = [snapshot("1021", n) for n in range(1, 4)]
        assert push(engine, "1021", batch("1021", 1, [enrol(s) for s in snaps])).applied == 3

        assert migrate(engine) == ("0001", head_revision())
        assert not set(PERSON_KEYS) & _constraints(pg_dsn)
        # What was pushed before the upgrade is all there, and pushing goes on.
        more = [snapshot("1021", n) for n in range(4, 6)]
        assert push(engine, "1021", batch("1021", 2, [enrol(s) for s in more])).applied == 2
        with psycopg.connect(pg_dsn) as conn:
            assert conn.execute("SELECT count(*) FROM person").fetchone() == (5,)
            assert conn.execute("SELECT count(*) FROM insurance_number").fetchone() == (5,)
            assert conn.execute("SELECT count(*) FROM received_change").fetchone() == (5,)
    finally:
        engine.dispose()
