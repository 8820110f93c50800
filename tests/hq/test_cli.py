"""The `hq` command line against a real PostgreSQL: init, branch add, person, conflicts, refusals."""

from __future__ import annotations

import json

import psycopg
import pytest

from hq.cli import run
from hq.db import head_revision
from tests.support.hq_server import hq
from tests.support.postgres import PostgresCluster


def test_init_creates_then_finds_nothing_to_do(pg_dsn: str) -> None:
    first = json.loads(hq("init", "--pg", pg_dsn).stdout)
    again = json.loads(hq("init", "--pg", pg_dsn).stdout)
    head = head_revision()
    assert (first["from"], first["to"]) == (None, head)
    assert (again["from"], again["to"]) == (head, head)


def test_branch_add_shows_the_token_once_and_stores_its_hash(hq_dsn: str) -> None:
    out = json.loads(hq("branch", "add", "--pg", hq_dsn, "--branch", "1021", "--name", "شعبه ۲۱",
                        "--json").stdout)
    assert out["branch"] == "1021" and len(out["token"]) >= 43
    with psycopg.connect(hq_dsn) as conn:
        stored = conn.execute("SELECT name, token_hash FROM branch").fetchall()
    assert stored[0][0] == "شعبه ۲۱"
    assert len(stored[0][1]) == 64 and out["token"] not in stored[0][1]


def test_a_refusal_from_the_console_script_has_no_traceback(pg_dsn: str) -> None:
    done = hq("conflicts", "--pg", pg_dsn, "--json", check=False)
    assert done.returncode == 5 and "Traceback" not in done.stderr
    assert done.stderr.startswith("خطا: ") and json.loads(done.stdout)["ok"] is False


def test_refusals_are_bilingual_with_their_exit_codes(hq_dsn: str, pg_dsn: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """In this process (`run` is what the console script calls) to keep the test quick."""
    assert run(["branch", "add", "--pg", hq_dsn, "--branch", "1021", "--json"]) == 0
    cases = [
        (["branch", "add", "--pg", hq_dsn, "--branch", "1021", "--json"], 3, "already registered"),
        (["branch", "add", "--pg", hq_dsn, "--branch", "9950", "--json"], 3, "overflow"),
        (["branch", "add", "--pg", hq_dsn, "--branch", "12x", "--json"], 2, "4 digits"),
        (["person", "--pg", hq_dsn, "--ssn", "1234567890", "--json"], 2, "no person"),
        (["person", "--pg", hq_dsn, "--json"], 2, "one of the arguments"),
        (["conflicts", "--pg", pg_dsn, "--json"], 5, "hq init"),  # not migrated
        (["conflicts", "--pg", "host=/nonexistent dbname=hq", "--json"], 5, "cannot reach"),
        (["conflicts", "--pg", "no such = thing", "--json"], 5, "connection string"),
        (["serve", "--pg", hq_dsn, "--port", "0"], 2, "--port"),
        (["serve", "--pg", "host=/nonexistent dbname=hq"], 5, "cannot reach"),
        (["frobnicate"], 2, "invalid choice"),
    ]
    capsys.readouterr()
    for argv, code, english in cases:
        assert run(argv) == code, argv
        err = capsys.readouterr().err
        lines = err.splitlines()
        assert lines[0].startswith("خطا: ") and any(english in line for line in lines[1:]), err
    with psycopg.connect(hq_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM branch").fetchone() == (1,)


def test_conflicts_lists_nothing_on_a_new_database(hq_dsn: str, pg_cluster: PostgresCluster) -> None:
    assert json.loads(hq("conflicts", "--pg", hq_dsn, "--json").stdout) == []


def test_tokens_never_start_with_a_dash() -> None:
    """A branch token is passed as `--token T` (init --hq, sync --hq); argparse would take one
    beginning with "-" for an option (found when a demo join failed with exit 2)."""
    from hq.auth import new_token

    tokens = [new_token() for _ in range(2000)]  # ~31 of 2000 would start with "-" by chance
    assert not [t for t in tokens if t.startswith("-")]
    assert len(set(tokens)) == len(tokens) and min(map(len, tokens)) >= 43
