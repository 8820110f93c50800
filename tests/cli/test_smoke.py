"""Two real subprocesses: the installed `branch-desk` script and `python -m desktop` behave as the
in-process tests say (argv bytes from the OS, exit status, stdout/stderr encoding)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from .conftest import run_cli


def _run(argv: list, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, env=env, timeout=120)


def test_branch_desk_script_init_sign_in_and_bad_input(tmp_path):
    script = shutil.which("branch-desk", path=str(Path(sys.executable).parent))
    assert script, "the branch-desk entry point is installed with the project"
    pw = tmp_path / "admin.pw"
    pw.write_text("a-strong-password\n", encoding="utf-8")
    db = tmp_path / "b.sqlite"
    env = {**os.environ, "BRANCH_DESK_LOG_DIR": str(tmp_path / "logs")}
    env.pop("BRANCH_DESK_PASSWORD", None)
    done = _run([script, "init", "--db", str(db), "--branch", "1021", "--admin-password-file", str(pw), "--json"],
                env)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["branch"] == "1021"
    with sqlite3.connect(db) as conn:  # the shipped cost (in-process tests hash cheaply)
        (admin_hash,) = conn.execute("SELECT password_hash FROM app_user WHERE username = 'admin'").fetchone()
    conn.close()
    assert admin_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), admin_hash
    env["BRANCH_DESK_PASSWORD"] = "a-strong-password"
    missing = _run([script, "person", "--db", str(db), "--national-code", "0012345679", "--json"], env)
    assert missing.returncode == 2 and json.loads(missing.stdout)["ok"] is False
    env["BRANCH_DESK_PASSWORD"] = "wrong"
    assert _run([script, "person", "--db", str(db), "--ssn", "1021000014"], env).returncode == 4


def test_python_m_desktop_with_an_undecodable_argument(tmp_path):
    env = {**os.environ, "BRANCH_DESK_LOG_DIR": str(tmp_path / "logs"), "BRANCH_DESK_PASSWORD": "x"}
    proc = _run([sys.executable, "-m", "desktop", "person", "--db", os.fsencode(tmp_path) + b"/\xff.sqlite",
                 "--ssn", "1021000014"], env)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and "Traceback" not in err
    assert err.index("خطا") < err.index("error:")
    assert not (tmp_path / "logs").exists() and list(tmp_path.iterdir()) == []


def test_on_a_terminal_the_password_is_asked_for(tmp_path):
    """A person at a terminal is prompted (getpass, no echo) instead of exiting 4."""
    import pty
    import select

    pw = tmp_path / "admin.pw"
    pw.write_text("a-strong-password\n", encoding="utf-8")
    db = tmp_path / "b.sqlite"
    env = {k: v for k, v in os.environ.items() if k != "BRANCH_DESK_PASSWORD"}
    # The store is made in this process (the first test runs `init` as a subprocess); the
    # prompt is what runs on a terminal here.
    assert run_cli(["init", "--db", str(db), "--branch", "1021", "--admin-password-file", str(pw)]).returncode == 0
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdin, stdout and stderr are the terminal
        os.execve(sys.executable, [sys.executable, "-m", "desktop", "dependant", "due", "--db", str(db),
                                   "--within", "3", "--json"], env)
    seen = b""
    try:
        while b"password" not in seen:
            ready, _, _ = select.select([fd], [], [], 60)
            assert ready, seen
            seen += os.read(fd, 1024)
        os.write(fd, b"a-strong-password\n")
        while True:
            ready, _, _ = select.select([fd], [], [], 60)
            try:
                chunk = os.read(fd, 4096) if ready else b""
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode("utf-8", "replace")
    assert b'"due": []' in seen and b"a-strong-password" not in seen  # not echoed
