"""Run `branch-desk` as operators do: a real subprocess on a real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


class Cli:
    def __init__(self, db: Path) -> None:
        self.db = db

    def __call__(self, *args: str, stdin: str | None = None, check: bool = True, db: bool = True):
        argv = [sys.executable, "-m", "desktop", *args] + (["--db", str(self.db)] if db else [])
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        proc = subprocess.run(argv, capture_output=True, text=True, input=stdin, env=env, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
        return proc

    def json(self, *args: str):
        return json.loads(self(*args).stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path / "branch.sqlite")
    c("init", "--branch", "1021", "--name", "شعبه ۲۱")
    return c


def write_json(path: Path, data) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)
