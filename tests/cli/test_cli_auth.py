"""The CLI authenticates (issue 8, deliverable 5): a password from --password-file, the
environment or a terminal prompt; never from argv; wrong, locked, deactivated and unknown → exit 4,
and wrong passwords count toward the sign-in window's lock-out."""

from __future__ import annotations

import json
import sqlite3

import pytest

from desktop.services.store import open_store
from desktop.services.users import (
    MAX_FAILED_LOGINS,
    LoginFailed,
    create_user,
    deactivate_user,
    sign_in,
)

from .conftest import ADMIN_PASSWORD, Cli, run_cli


def _users(cli: Cli) -> None:
    store = open_store(cli.db)
    try:
        admin = sign_in(store, "admin", ADMIN_PASSWORD)
        create_user(store, admin, "clerk1", "کارمند", "clerk", "clerk-pass-1")
        create_user(store, admin, "old", "بازنشسته", "clerk", "old-pass-12")
        deactivate_user(store, admin, "old")
    finally:
        store.close()


def _counts(db) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM authority").fetchone()[0], \
            conn.execute("SELECT failed_logins FROM app_user WHERE username='clerk1'").fetchone()[0]


def test_a_password_file_or_the_environment_signs_in(cli, tmp_path, monkeypatch):
    _users(cli)
    pw = tmp_path / "clerk.pw"
    pw.write_text("clerk-pass-1\r\n", encoding="utf-8")
    assert cli("person", "--national-code", "0012345679", "--user", "clerk1", "--password-file", str(pw),
               check=False).returncode == 2  # signed in; the person is simply not enrolled
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", "clerk-pass-1")
    assert cli("dependant", "due", "--within", "5", "--user", "clerk1", "--json").returncode == 0


@pytest.mark.parametrize("user, password", [("clerk1", "wrong-password"), ("old", "old-pass-12"),
                                            ("nobody", "whatever-1"), ("admin", "")])
def test_wrong_deactivated_and_unknown_exit_4(cli, monkeypatch, user, password):
    _users(cli)
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", password)
    proc = cli("authority", "add", "--code", "F1", "--name", "صندوق", "--group", "fund", "--user", user, check=False)
    assert proc.returncode == 4 and "گذرواژه" in proc.stderr and "password" in proc.stderr
    assert _counts(cli.db)[0] == 0


def test_no_password_at_all_exits_4_without_prompting(cli, monkeypatch):
    monkeypatch.delenv("BRANCH_DESK_PASSWORD")
    proc = cli("person", "--national-code", "0012345679", "--json", check=False)
    assert proc.returncode == 4 and "BRANCH_DESK_PASSWORD" in proc.stderr
    assert json.loads(proc.stdout)["ok"] is False


def test_wrong_passwords_lock_the_user_for_the_cli_and_the_sign_in_window(cli, monkeypatch):
    _users(cli)
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", "wrong-password")
    for _ in range(MAX_FAILED_LOGINS):
        assert cli("dependant", "due", "--within", "5", "--user", "clerk1", check=False).returncode == 4
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", "clerk-pass-1")  # the right one no longer helps
    proc = cli("dependant", "due", "--within", "5", "--user", "clerk1", check=False)
    assert proc.returncode == 4 and "قفل" in proc.stderr
    store = open_store(cli.db)
    try:
        with pytest.raises(LoginFailed, match="locked"):
            sign_in(store, "clerk1", "clerk-pass-1")
    finally:
        store.close()


def test_a_password_is_never_an_argument(cli, tmp_path):
    proc = cli("init", "--branch", "1021", "--admin-password", "secret-1234", check=False)
    assert proc.returncode == 2 and "unrecognized arguments" in proc.stderr
    proc = cli("person", "--ssn", "1021000014", "--password", "secret-1234", check=False)
    assert proc.returncode == 2


def test_init_without_a_password_file_generates_one_and_shows_it_once(tmp_path, monkeypatch):
    monkeypatch.delenv("BRANCH_DESK_PASSWORD", raising=False)
    db = tmp_path / "b.sqlite"
    result = run_cli(["init", "--db", str(db), "--branch", "1021", "--json"])
    assert result.returncode == 0, result.stderr
    password = json.loads(result.stdout)["admin_password"]
    assert len(password) >= 12
    again = run_cli(["init", "--db", str(db), "--branch", "1021", "--json"])
    assert "admin_password" not in json.loads(again.stdout)  # shown once
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", password)
    assert run_cli(["dependant", "due", "--db", str(db), "--within", "1"]).returncode == 0
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", "admin1234")  # no default password any more
    assert run_cli(["dependant", "due", "--db", str(db), "--within", "1"]).returncode == 4


def test_init_with_a_short_or_unreadable_password_file_creates_nothing(tmp_path):
    short = tmp_path / "short.pw"
    short.write_text("abc\n", encoding="utf-8")
    for pw in (short, tmp_path / "missing.pw", tmp_path):
        result = run_cli(["init", "--db", str(tmp_path / "new" / "b.sqlite"), "--branch", "1021",
                          "--admin-password-file", str(pw)])
        assert result.returncode == 2 and "خطا" in result.stderr, result.stderr
        assert not (tmp_path / "new").exists()


def test_a_new_demo_store_needs_no_password_but_only_as_admin(tmp_path, monkeypatch):
    monkeypatch.delenv("BRANCH_DESK_PASSWORD", raising=False)
    db = tmp_path / "demo.sqlite"
    for argv in (["--persons", "-5"], ["--persons", "3", "--user", "letters"], ["--persons", "3", "--seed", "-1"]):
        result = run_cli(["demo", "--db", str(db), *argv])
        assert result.returncode in (2, 4) and "Traceback" not in result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == []
