"""Restore from yesterday's backup, against a real PostgreSQL and `hq serve` (issue 14 item 3).

The backup is made by `branch-desk backup` while the branch's store is open and in use; after it
the branch enrols more people, adds a workshop and syncs; then the old backup is restored and the
store syncs again. HQ must hold each change exactly once (nothing re-pushed: no batch of the new
install epoch carries a duplicate), the branch must hold again every record HQ acknowledged, and
the SSNs it hands out afterwards must collide with none issued before or after the backup.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models import InsuranceNumber, OutboxEntry, Person, Relationship, Workshop
from desktop.services.hashchain import verify_chain
from desktop.services.inquiry import answer_inquiry
from desktop.services.reference import add_workshops
from desktop.services.store import open_store
from desktop.services.sync import sync_now
from desktop.services.users import find_actor
from desktop.sync.local import setting

from ..cli.conftest import run_cli
from ..conftest import TODAY
from ..support.hq_server import HqServer
from .kit import PW, Branch, duplicated_ssns, enrol_new, fill, hq_received, hq_rows, join


def _ssns(dsn: str, branch: str) -> set[str]:
    return {str(r[0]) for r in hq_rows(dsn, "SELECT ssn FROM person WHERE enrolled_branch = %s"
                                            " AND ssn IS NOT NULL", branch)}


def _reopen(db: Path, code: str, token: str) -> Branch:
    store = open_store(db)
    store.clock = lambda: TODAY
    return Branch(code, store, find_actor(store, "admin"), token)


def test_restoring_yesterdays_backup_loses_nothing_and_repeats_nothing(
        tmp_path: Path, hq_server: HqServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", PW)
    branch = join(tmp_path, hq_server, "1061")
    db = branch.store.path
    fill(branch)
    sync_now(branch.store, None)
    waiting = enrol_new(branch)  # in the outbox, not yet pushed, when the backup is made
    backup = tmp_path / "yesterday.tar"
    made = run_cli(["backup", "--db", str(db), "--out", str(backup), "--json"])  # store open
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout) == {"out": str(backup), "bytes": backup.stat().st_size,
                                       "branch": "1061"}
    with tarfile.open(backup) as tar:
        assert tar.getnames()[:2] == ["manifest.json", "store.sqlite"]

    # After the backup: the waiting change is pushed, more people, a new workshop, synced.
    later = [enrol_new(branch) for _ in range(3)]
    answer_inquiry(branch.store, branch.admin, f"A{branch.code}", later[0])
    add_workshops(branch.store, branch.admin, {"code": "1061999999", "name": "کارگاه پس از پشتیبان",
                                               "address": "قم"})
    assert sync_now(branch.store, None).pending == 0
    received_before = sorted(hq_received(hq_server.dsn, "1061"))
    ssns_before = _ssns(hq_server.dsn, "1061")
    assert len(ssns_before) == 7  # father, wife, son, the waiting one, three later
    with branch.store.sessions() as s:
        old_epoch = setting(s, "install_epoch")
    branch.close()

    restored = run_cli(["restore", "--db", str(db), "--from", str(backup), "--json"])
    assert restored.returncode == 0, restored.stderr
    answer = json.loads(restored.stdout)
    assert answer["install_epoch"] != old_epoch and Path(answer["previous"]).is_dir()

    branch = _reopen(db, "1061", branch.token)
    try:
        with branch.store.sessions() as s:  # yesterday's copy: the later people are not there
            assert s.scalar(select(Person.id).where(Person.national_code == later[0])) is None
            unacked = s.scalars(select(OutboxEntry.id).where(OutboxEntry.acked_at.is_(None))).all()
        assert unacked  # the waiting enrolment, as the backup had it
        report = sync_now(branch.store, None)
        assert report.outcome == "ok" and report.pushed == 0 and report.pending == 0
        # Each change once at HQ; and nothing was pushed again under the new epoch.
        assert sorted(hq_received(hq_server.dsn, "1061")) == received_before
        assert hq_rows(hq_server.dsn, "SELECT count(*) FROM applied_batch WHERE branch = '1061'"
                                      " AND install_epoch = %s", answer["install_epoch"]) == [(0,)]
        with branch.store.sessions() as s:  # everything HQ acknowledged is back
            for code in [waiting, *later]:
                person = s.scalar(select(Person).where(Person.national_code == code))
                assert person is not None and person.ssn in ssns_before
                numbers = s.scalars(select(InsuranceNumber.value)
                                    .where(InsuranceNumber.person_id == person.id)).all()
                assert numbers  # its insurance number(s), as HQ holds them
                assert s.scalar(select(Relationship.id).where(Relationship.person_id == person.id))
            assert s.scalar(select(Workshop.name).where(Workshop.code == "1061999999")) == \
                "کارگاه پس از پشتیبان"
            assert setting(s, "recovery_pending") == ""
        chain = verify_chain(branch.store, branch.admin)  # the answer given after the backup is
        assert chain.ok and chain.records == 2, chain.problems  # back, link for link, as HQ has it

        # New enrolments after the restore: fresh SSNs, none issued before or after the backup.
        fresh = [enrol_new(branch) for _ in range(3)]
        answer_inquiry(branch.store, branch.admin, f"A{branch.code}", fresh[0])
        after_restore = sync_now(branch.store, None)
        assert after_restore.pending == 0 and after_restore.quarantined == 0
        ssns_after = _ssns(hq_server.dsn, "1061")
        assert len(ssns_after) == 10 and ssns_before < ssns_after
        assert duplicated_ssns(hq_server.dsn) == []
        with branch.store.sessions() as s:
            new_ssns = {s.scalar(select(Person.ssn).where(Person.national_code == c)) for c in fresh}
        assert len(new_ssns) == 3 and not new_ssns & ssns_before
        assert hq_rows(hq_server.dsn, "SELECT count(*) FROM received_change WHERE branch = '1061'"
                                      " GROUP BY id HAVING count(*) > 1") == []
    finally:
        branch.close()
