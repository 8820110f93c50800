"""A demo store's people reach headquarters when it joins (issue 10): `demo` bulk-loads people
without outbox rows, and joining HQ (as scripts/run-demo.sh does: `sync --hq URL --token-file`)
gives each demo person and workshop the outbox row a counter would have written, so the first
round pushes them — every person, relationship and SSN at HQ exactly once, nothing refused —
and a second join or round announces nothing again. Real `hq serve`, real PostgreSQL."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from sqlalchemy import func, select

from desktop.cli.main import run
from desktop.models import OutboxEntry, Person, Relationship, Workshop
from desktop.services.demo import fill_demo, new_demo_store
from desktop.services.demo_outbox import announce_demo_people
from desktop.services.store import open_store
from desktop.services.sync import sync_now
from desktop.services.users import find_actor

from ..support.hq_server import HqServer, add_branch
from .kit import duplicated_ssns, hq_rows

PERSONS = 300


def _count(store, model, *where) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_joining_pushes_every_demo_person_once(tmp_path: Path, hq_server: HqServer):
    path = tmp_path / "demo.sqlite"
    store = new_demo_store(path, "1041", persons=PERSONS, seed=4)
    try:
        fill_demo(store, find_actor(store, "admin"), persons=PERSONS, seed=4)
        people = _count(store, Person, Person.enrolled_branch == "1041")
        relationships = _count(store, Relationship)
        workshops = _count(store, Workshop)
        assert _count(store, OutboxEntry) == 0  # the bulk load wrote none
    finally:
        store.close()
    token = tmp_path / "token"
    token.write_text(add_branch(hq_server.dsn, "1041"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = run(["sync", "--db", str(path), "--hq", hq_server.url, "--token-file", str(token),
                    "--json"])
    assert code == 0
    report = json.loads(out.getvalue())
    assert report["pushed"] == people + workshops and report["quarantined"] == 0
    assert report["pending"] == 0
    dsn = hq_server.dsn
    assert hq_rows(dsn, "SELECT count(*) FROM person WHERE enrolled_branch = '1041'") == [(people,)]
    assert hq_rows(dsn, "SELECT count(*) FROM relationship") == [(relationships,)]
    assert hq_rows(dsn, "SELECT count(*) FROM workshop") == [(workshops,)]
    assert duplicated_ssns(dsn) == []

    store = open_store(path)
    try:
        assert announce_demo_people(store) is None  # once per store
        again = sync_now(store, None)
        assert again.pushed == 0 and again.quarantined == 0
    finally:
        store.close()


def test_a_store_without_demo_data_announces_nothing(store):
    before = _count(store, OutboxEntry)
    assert announce_demo_people(store) is None
    assert _count(store, OutboxEntry) == before
