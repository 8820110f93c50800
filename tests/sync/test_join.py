"""`init --hq` against a real headquarters: the first blocks are HQ's leases and later rounds
need no --hq/--token; a wrong token is refused with HQ's reason and creates nothing; a restored
store (new install epoch) abandons its blocks and leases fresh ones."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from desktop.models import NumberBlock
from desktop.services.store import open_store
from desktop.services.sync import sync_now
from desktop.sync.leases import start_new_epoch
from desktop.sync.local import setting

from ..cli.conftest import run_cli
from ..support.hq_server import HqServer, add_branch
from .kit import enrol_new, hq_rows, join


def test_init_with_hq_leases_the_first_blocks_and_remembers_hq(tmp_path: Path, hq_server: HqServer,
                                                               admin_password_file: Path):
    token = add_branch(hq_server.dsn, "1051")
    db = tmp_path / "branch.sqlite"
    made = run_cli(["init", "--db", str(db), "--branch", "1051", "--admin-password-file",
                    str(admin_password_file), "--hq", hq_server.url, "--token", token, "--json"])
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["hq"] == hq_server.url
    store = open_store(db)
    try:
        with store.sessions() as s:
            blocks = s.scalars(select(NumberBlock).order_by(NumberBlock.kind)).all()
        assert [(b.kind, b.source, b.last - b.first + 1) for b in blocks] == [
            ("central_temporary", "hq", 1000), ("ssn", "hq", 1000)]
        leased = {str(r[0]) for r in hq_rows(hq_server.dsn, "SELECT id FROM number_lease WHERE branch = '1051'")}
        assert {str(b.lease_id) for b in blocks} == leased
    finally:
        store.close()
    synced = run_cli(["sync", "--db", str(db), "--json"])  # URL and token from the store
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["lease"] == {"ssn_left": 1000, "central_left": 1000}


def test_a_wrong_token_is_refused_and_creates_nothing(tmp_path: Path, hq_server: HqServer,
                                                      admin_password_file: Path):
    db = tmp_path / "branch.sqlite"
    made = run_cli(["init", "--db", str(db), "--branch", "1052", "--admin-password-file",
                    str(admin_password_file), "--hq", hq_server.url, "--token", "not-a-token"])
    assert made.returncode == 4, made.stderr
    assert "error:" in made.stderr and "Traceback" not in made.stderr
    assert not db.exists() and list(tmp_path.iterdir()) == [admin_password_file]


def test_a_restored_store_abandons_its_blocks_and_never_reuses_a_number(tmp_path: Path,
                                                                        hq_server: HqServer):
    branch = join(tmp_path, hq_server, "1053")
    try:
        enrol_new(branch)
        sync_now(branch.store, None)
        with branch.store.sessions() as s, s.begin():
            old_epoch = setting(s, "install_epoch")
            start_new_epoch(s)
        report = sync_now(branch.store, None)
        assert report.leases_received == 2 and report.lease.ssn_left == 1000
        with branch.store.sessions() as s:
            assert setting(s, "install_epoch") != old_epoch
            held = s.scalars(select(NumberBlock).where(NumberBlock.next <= NumberBlock.last)).all()
            abandoned = s.scalars(select(NumberBlock).where(NumberBlock.source == "abandoned")).all()
        assert len(abandoned) == 2 and all(b.source == "hq" for b in held)
        assert all(h.first > a.last or h.last < a.first for h in held for a in abandoned)
        enrol_new(branch)
        assert sync_now(branch.store, None).pending == 0
        assert hq_rows(hq_server.dsn, "SELECT ssn, count(*) FROM person GROUP BY ssn HAVING count(*) > 1") == []
    finally:
        branch.close()


def test_another_branchs_token_is_refused_before_anything_is_made(tmp_path: Path, hq_server: HqServer,
                                                                 admin_password_file: Path):
    token = add_branch(hq_server.dsn, "1054")
    db = tmp_path / "branch.sqlite"
    made = run_cli(["init", "--db", str(db), "--branch", "1055", "--admin-password-file",
                    str(admin_password_file), "--hq", hq_server.url, "--token", token])
    assert made.returncode == 4, made.stderr
    assert "1055" in made.stderr and "token" in made.stderr
    assert not db.exists()
