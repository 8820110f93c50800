"""The correction ledger's outbox rows reach headquarters like every other change: accepted
(recorded, nothing quarantined), and HQ keeps the ledger's head, which `ledger verify` then
compares with its own (a deleted last entry after the sync is named from HQ's copy too)."""

from __future__ import annotations

from pathlib import Path

from desktop.services.corrections import approve_correction, request_correction
from desktop.services.enrolment import enrol
from desktop.services.ledger import verify_ledger
from desktop.services.reference import add_registry_identities, add_workshops
from desktop.services.sync import sync_now
from desktop.services.users import create_user

from ..factories import identity, questionnaire
from ..services.correction_kit import add_monthly_lines
from ..support.hq_server import HqServer
from .kit import acked_ids, all_outbox_ids, hq_received, hq_rows, join


def test_ledger_changes_are_accepted_and_its_head_is_kept_at_hq(tmp_path: Path, hq_server: HqServer):
    branch = join(tmp_path, hq_server, "1091")
    try:
        store, admin = branch.store, branch.admin
        clerk = create_user(store, admin, "clerk1", "کارمند", "clerk", "password123")
        boss = create_user(store, admin, "boss1", "سرپرست", "supervisor", "password123")
        add_workshops(store, admin, {"code": "1091000001", "name": "کارگاه", "address": "تهران"})
        person = identity()
        add_registry_identities(store, admin, person)
        pid = enrol(store, clerk, questionnaire(person["national_code"], relationship={
            "kind": "mandatory", "start": "1400/01/01", "workshop_code": "1091000001"})).person_id
        (line,) = add_monthly_lines(store, pid, "1091000001", [(1403, 1, 31, 100_000_000)])
        filed = request_correction(store, clerk, line, {"days": 20}, "لیست اشتباه")
        approve_correction(store, boss, filed.id, "درست است")
        report = sync_now(store, None)
        assert report.quarantined == 0
        assert acked_ids(store) == all_outbox_ids(store)
        ops = [r[0] for r in hq_rows(hq_server.dsn, "SELECT op FROM received_change WHERE branch = %s"
                                                     " AND entity = 'correction_request' ORDER BY seq", "1091")]
        assert ops == ["correction.request", "correction.check", "correction.approve", "correction.apply"]
        assert set(hq_received(hq_server.dsn, "1091")) == all_outbox_ids(store)
        (head,) = hq_rows(hq_server.dsn, "SELECT seq FROM chain_head WHERE branch = %s AND chain = %s",
                          "1091", "correction_ledger")
        assert head[0] == 4
        assert verify_ledger(store, boss).ok and verify_ledger(store, boss).hq == "compared"
        with store.engine.begin() as conn:  # the last entry and its anchors rewritten away
            conn.exec_driver_sql("DELETE FROM ledger_entry WHERE seq = 4")
            conn.exec_driver_sql("UPDATE ledger_head SET seq = 3, entries = 3,"
                                 " hash = (SELECT hash FROM ledger_entry WHERE seq = 3)")
            conn.exec_driver_sql("DELETE FROM audit_log WHERE action = 'correction.apply'")
        report2 = verify_ledger(store, boss)
        assert not report2.ok and report2.first_bad is not None and report2.first_bad.seq == 4
    finally:
        branch.close()
