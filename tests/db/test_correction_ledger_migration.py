"""Revision 0005: a 0004 store holding a correction request written before the ledger existed
opens at head with the request open, its person filled in, and the ledger's head anchored."""

from __future__ import annotations

import uuid

from alembic import command

from desktop.db.engine import make_engine
from desktop.db.migrate import alembic_config, current_revision, head_revision
from desktop.services.admin import init_store
from desktop.services.corrections import list_corrections
from desktop.services.enrolment import enrol
from desktop.services.ledger import verify_ledger
from desktop.services.reference import add_registry_identities
from desktop.services.store import open_store
from desktop.services.users import create_user, find_actor

from ..factories import identity, questionnaire

PW = "admin1234"


def test_a_0004_store_with_an_old_request_upgrades(tmp_path):
    path = tmp_path / "s.sqlite"
    store = init_store(path, "1021", admin_password=PW)
    try:
        admin = find_actor(store, "admin")
        person = identity()
        add_registry_identities(store, admin, person)
        pid = enrol(store, admin, questionnaire(person["national_code"])).person_id
        command.downgrade(alembic_config(store.engine), "0004")
        doc, line = uuid.uuid4().hex, uuid.uuid4().hex
        with store.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO insurance_document (id, kind, year, month, branch_code, created_at)"
                                 " VALUES (?, 'voluntary', 1403, 2, '1021', '2024-05-01 00:00:00')", (doc,))
            conn.exec_driver_sql("INSERT INTO document_line (id, document_id, person_id, insurance_number, days,"
                                 " wage, rate, job) VALUES (?, ?, ?, '0010210001', 31, 100, 270, 'کارمند')",
                                 (line, doc, pid.hex))
            conn.exec_driver_sql("INSERT INTO correction_request (id, document_line_id, requesting_unit, components,"
                                 " reasons, status, created_at) VALUES (?, ?, 'اداره درآمد', '{\"days\": 30}',"
                                 " 'اشتباه', 'requested', '2024-06-01 10:00:00')", ("0" * 31 + "1", line))
    finally:
        store.close()
    assert current_revision(make_engine(path)) == "0004"
    reopened = open_store(path)
    try:
        assert current_revision(reopened.engine) == head_revision()
        boss = create_user(reopened, find_actor(reopened, "admin"), "boss", "سرپرست", "supervisor", "password123")
        (old,) = list_corrections(reopened, boss, "open")
        assert old.person_id == pid and old.line_id.hex == line and old.changes == (("days", None, 30),)
        report = verify_ledger(reopened, boss)
        assert report.ok and report.entries == 0
    finally:
        reopened.close()
