"""Offline is normal: with headquarters unreachable `sync` exits 6 and keeps every change, the
round is recorded as offline, and `init --hq` creates nothing. A closed localhost port is a real
unreachable HQ (connection refused), not a mock."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from sqlalchemy import text

from desktop.services.store import open_store

from ..cli.conftest import Cli, run_cli


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_sync_with_hq_down_exits_6_and_loses_nothing(cli: Cli, tmp_path: Path):
    cli("authority", "add", "--code", "J1", "--name", "دادگستری", "--group", "judicial")
    before = cli.json("sync", "status", "--json")
    assert before["pending"] >= 1 and before["last_success"] is None
    result = cli("sync", "--hq", closed_port_url(), "--token", "t0ken", "--json", check=False)
    assert result.returncode == 6
    assert "ستاد در دسترس نیست" in result.stderr and "could not be reached" in result.stderr
    assert json.loads(result.stdout)["ok"] is False
    after = cli.json("sync", "status", "--json")
    assert after["pending"] == before["pending"]
    assert after["rounds"][0]["outcome"] == "offline" and after["last_success"] is None
    assert after["joined"] is False  # an address that never answered is not remembered


def test_sync_without_any_hq_is_a_clear_refusal(cli: Cli):
    result = cli("sync", "--json", check=False)
    assert result.returncode == 2
    assert "--hq" in result.stderr and "به ستاد وصل نشده" in result.stderr


def test_init_joining_an_unreachable_hq_creates_nothing(tmp_path: Path, admin_password_file: Path):
    db = tmp_path / "new" / "branch.sqlite"
    result = run_cli(["init", "--db", str(db), "--branch", "1022", "--admin-password-file",
                      str(admin_password_file), "--hq", closed_port_url(), "--token", "t0ken"])
    assert result.returncode == 6, result.stderr
    assert "ستاد در دسترس نیست" in result.stderr
    assert not db.exists() and not (tmp_path / "new").exists()


def test_init_with_hq_but_no_token_is_refused(tmp_path: Path, admin_password_file: Path):
    db = tmp_path / "branch.sqlite"
    result = run_cli(["init", "--db", str(db), "--branch", "1022", "--admin-password-file",
                      str(admin_password_file), "--hq", "http://127.0.0.1:9"])
    assert result.returncode == 2 and "--token" in result.stderr
    assert not db.exists()


def test_a_bad_hq_url_is_invalid_input(cli: Cli):
    result = cli("sync", "--hq", "ftp://x", "--token", "abc", check=False)
    assert result.returncode == 2 and "http://" in result.stderr


def test_status_counts_without_a_password(cli: Cli, monkeypatch):
    monkeypatch.delenv("BRANCH_DESK_PASSWORD")
    status = cli.json("sync", "status", "--json")
    assert set(status) >= {"last_success", "pending", "quarantined", "lease"}
    assert status["lease"]["ssn_left"] == 99_999  # the starter block of init
    store = open_store(cli.db)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    finally:
        store.close()


def test_the_quarantine_list_is_for_supervisors(cli: Cli, tmp_path: Path):
    from desktop.services.users import create_user, find_actor

    assert cli.json("sync", "quarantine", "--json") == []  # the administrator
    store = open_store(cli.db)
    try:
        create_user(store, find_actor(store, "admin"), "clerk1", "کارمند", "clerk", "password123")
    finally:
        store.close()
    pw = tmp_path / "clerk.pw"
    pw.write_text("password123\n", encoding="utf-8")
    refused = cli("sync", "quarantine", "--json", "--user", "clerk1", "--password-file", str(pw),
                  check=False)
    assert refused.returncode == 4 and "sync.quarantine" in refused.stderr
