"""Run `branch-desk` commands in-process (`desktop.cli.main.run`) on a real store; the few
subprocess smoke tests (test_smoke.py) show the installed entry points behave the same."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.cli.main import run

from ..conftest import STORE_FILES

ADMIN_PASSWORD = "admin-pass-1021"


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_cli(argv: list[str], stdin: str | None = None) -> Result:
    """`branch-desk ARGV` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(argv)
    finally:
        sys.stdin = old_stdin
    return Result(code, out.getvalue(), err.getvalue())


class Cli:
    def __init__(self, db: Path) -> None:
        self.db = db

    def __call__(self, *args: str, stdin: str | None = None, check: bool = True, db: bool = True) -> Result:
        result = run_cli([*args] + (["--db", str(self.db)] if db else []), stdin)
        if check and result.returncode != 0:
            raise AssertionError(f"exit {result.returncode}: {result.stderr}")
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def json(self, *args: str):
        return json.loads(self(*args).stdout)


@pytest.fixture
def admin_password_file(tmp_path: Path) -> Path:
    path = tmp_path / "admin.pw"
    path.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def cli_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store made by `branch-desk init` per test process; each test gets a byte copy of the
    closed files, not an init (Alembic's migrations take ~0.1 s per store)."""
    folder = tmp_path_factory.mktemp("cli-template")
    password = folder / "admin.pw"
    password.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    Cli(folder / "branch.sqlite")("init", "--branch", "1021", "--name", "شعبه ۲۱",
                                  "--admin-password-file", str(password))
    password.unlink()
    assert sorted(p.name for p in folder.iterdir()) == sorted(STORE_FILES)  # closed: no -wal/-shm
    return folder


@pytest.fixture
def cli(tmp_path: Path, cli_template: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A fresh store whose admin password the commands get from $BRANCH_DESK_PASSWORD."""
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("BRANCH_DESK_LOG_DIR", str(tmp_path / "logs"))
    for name in STORE_FILES:
        shutil.copyfile(cli_template / name, tmp_path / name)
    return Cli(tmp_path / STORE_FILES[0])


def write_json(path: Path, data) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)
