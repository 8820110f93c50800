"""`hq authority add` and `hq person-box` at the command line: the key shown once and stored
hashed, the authority announced to branches, refusals bilingual with their exit codes."""

from __future__ import annotations

import hashlib
import json

import psycopg

from tests.support.hq_server import hq


def test_authority_add_prints_the_key_once_and_keeps_only_its_hash(hq_dsn: str) -> None:
    out = json.loads(hq("authority", "add", "--pg", hq_dsn, "--code", "J7", "--name", "دادگاه خانواده",
                        "--group", "judicial", "--json").stdout)
    assert out["code"] == "J7" and out["group"] == "judicial" and out["new"] is True
    with psycopg.connect(hq_dsn) as conn:
        stored = conn.execute("SELECT key_hash FROM authority_key WHERE authority = 'J7'").fetchall()
        announced = conn.execute("SELECT kind, key, data FROM change_log").fetchall()
    assert stored == [(hashlib.sha256(out["api_key"].encode()).hexdigest(),)]
    assert announced == [("authority", "J7", {"code": "J7", "name": "دادگاه خانواده", "group": "judicial"})]
    # A second key for the same authority; the other group is refused.
    again = json.loads(hq("authority", "add", "--pg", hq_dsn, "--code", "J7", "--name", "x",
                          "--group", "judicial", "--json").stdout)
    assert again["new"] is False and again["name"] == "دادگاه خانواده" and again["api_key"] != out["api_key"]
    refused = hq("authority", "add", "--pg", hq_dsn, "--code", "J7", "--name", "x", "--group", "fund",
                 "--json", check=False)
    assert refused.returncode == 3 and "خطا:" in refused.stderr and "error:" in refused.stderr
    with psycopg.connect(hq_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM authority_key").fetchone() == (2,)


def test_refusals_exit_with_a_reason_and_no_traceback(hq_dsn: str) -> None:
    bad_group = hq("authority", "add", "--pg", hq_dsn, "--code", "X", "--name", "x", "--group", "court",
                   check=False)
    empty_name = hq("authority", "add", "--pg", hq_dsn, "--code", "X", "--name", " ", "--group", "fund",
                    check=False)
    bad_code = hq("person-box", "--pg", hq_dsn, "--national-code", "123", "--json", check=False)
    for done in (bad_group, empty_name, bad_code):
        assert done.returncode == 2 and "Traceback" not in done.stderr and "خطا:" in done.stderr
    with psycopg.connect(hq_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM authority").fetchone() == (0,)
