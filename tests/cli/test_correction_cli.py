"""`branch-desk account`, `correction …` and `ledger verify` as operators run them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.services.records import enrolled_person
from desktop.services.store import open_store
from desktop.services.users import create_user, find_actor

from ..factories import identity, questionnaire
from ..services.correction_kit import add_monthly_lines
from .conftest import write_json

PASSWORDS = {"clerk": "clerk-pass-1", "boss": "boss-pass-1", "boss2": "boss2-pass-1"}


@pytest.fixture
def office(cli, tmp_path: Path):
    """An enrolled person with four monthly lines, a clerk and two supervisors (password files)."""
    person = identity()
    cli("registry", "add", "--json", write_json(tmp_path / "ids.json", [person]))
    cli("workshop", "add", "--json", write_json(tmp_path / "w.json", [
        {"code": "1234567890", "name": "کارگاه یک", "address": "تهران"},
        {"code": "2222222222", "name": "کارگاه دو", "address": "قم"}]))
    cli("enrol", "--json", write_json(tmp_path / "q.json", questionnaire(person["national_code"], relationship={
        "kind": "mandatory", "start": "1400/01/01", "workshop_code": "1234567890"})))
    store = open_store(cli.db)
    try:
        admin = find_actor(store, "admin")
        for name, role in (("clerk", "clerk"), ("boss", "supervisor"), ("boss2", "supervisor")):
            create_user(store, admin, name, f"کاربر {name}", role, PASSWORDS[name])
            (tmp_path / f"{name}.pw").write_text(PASSWORDS[name], encoding="utf-8")
        with store.sessions() as session:
            pid = enrolled_person(session, national_code=person["national_code"]).id
        add_monthly_lines(store, pid, "1234567890",
                          [(1403, 1, 31, 100_000_000), (1403, 2, 31, 100_000_000), (1403, 12, 30, 90_000_000)])
    finally:
        store.close()
    return person["national_code"], tmp_path


def as_user(cli, tmp_path: Path, user: str, *args: str, check: bool = True):
    return cli(*args, "--user", user, "--password-file", str(tmp_path / f"{user}.pw"), check=check)


def test_request_approve_and_the_account_changes(cli, office):
    code, tmp = office
    account = cli.json("account", "--national-code", code, "--json")
    assert account["lifetime"] == {"days": 92, "average_wage": 96_666_666, "wage_total": 290_000_000,
                                   "months": 3}
    line = next(m for m in account["monthly"] if m["month"] == 2)
    form = tmp / "form.pdf"
    form.write_bytes(b"%PDF-1.4 correction form")
    filed = json.loads(as_user(cli, tmp, "clerk", "correction", "request", "--line", line["line_id"],
                               "--set", "days=۲۰", "--set", "wage=80000000", "--reason", "لیست اشتباه",
                               "--unit", "واحد درآمد", "--paper", f"correction_form={form}", "--json").stdout)
    assert filed["status"] == "open" and filed["changes"] == {"days": [31, 20], "wage": [100_000_000, 80_000_000]}
    (listed,) = json.loads(as_user(cli, tmp, "boss", "correction", "list", "--json").stdout)
    assert listed["id"] == filed["id"] and listed["requested_by"] == "clerk" and listed["line_id"] == line["line_id"]
    assert listed["national_code"] == code and listed["reasons"] == "لیست اشتباه" and listed["form_identifier"]
    decided = json.loads(as_user(cli, tmp, "boss", "correction", "approve", filed["id"], "--reason", "درست است",
                                 "--json").stdout)
    assert decided["status"] == "applied"
    after = cli.json("account", "--ssn", account["ssn"], "--json")
    assert after["lifetime"]["days"] == 81 and after["lifetime"]["wage_total"] == 270_000_000
    assert [s["line_id"] for s in after["superseded"]] == [line["line_id"]]
    assert after["superseded"][0]["corrected_by"] == decided["correction_line_id"]
    new = next(m for m in after["monthly"] if m["month"] == 2)
    assert new["line_id"] == decided["correction_line_id"] and new["corrects"] == line["line_id"]
    assert (new["days"], new["wage"]) == (20, 80_000_000)
    (applied,) = json.loads(as_user(cli, tmp, "clerk", "correction", "list", "--status", "applied",
                                    "--json").stdout)
    assert applied["decided_by"] == "boss" and applied["decision_reason"] == "درست است"
    assert cli.json("correction", "list", "--status", "open", "--user", "boss", "--password-file",
                    str(tmp / "boss.pw"), "--json") == []
    verified = json.loads(as_user(cli, tmp, "boss", "ledger", "verify", "--json").stdout)
    assert verified["ok"] is True and verified["entries"] == 4 and verified["first_bad"] is None


def test_reject_keeps_the_account(cli, office):
    code, tmp = office
    before = cli.json("account", "--national-code", code, "--json")
    line = before["monthly"][0]["line_id"]
    filed = json.loads(as_user(cli, tmp, "clerk", "correction", "request", "--line", line, "--set", "rate=270",
                               "--reason", "نرخ", "--json").stdout)
    out = json.loads(as_user(cli, tmp, "boss", "correction", "reject", filed["id"], "--reason", "نرخ درست است",
                             "--json").stdout)
    assert out["status"] == "rejected"
    assert cli.json("account", "--national-code", code, "--json") == before


def tables(db: Path) -> dict[str, list]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}
    finally:
        conn.close()


def test_maker_checker_role_and_stale_refusals(cli, office):
    code, tmp = office
    line = cli.json("account", "--national-code", code, "--json")["monthly"][0]["line_id"]
    mine = json.loads(as_user(cli, tmp, "boss", "correction", "request", "--line", line, "--set", "job=تکنسین",
                              "--reason", "شغل", "--json").stdout)
    before = tables(cli.db)
    own = as_user(cli, tmp, "boss", "correction", "approve", mine["id"], "--reason", "خودم", "--json", check=False)
    assert own.returncode == 4 and "درخواست‌کننده" in own.stderr and "maker" in own.stderr
    clerk = as_user(cli, tmp, "clerk", "correction", "reject", mine["id"], "--reason", "رد", "--json", check=False)
    assert clerk.returncode == 4 and json.loads(clerk.stdout)["ok"] is False
    no_reason = as_user(cli, tmp, "boss2", "correction", "approve", mine["id"], "--reason", " ", check=False)
    assert no_reason.returncode == 2
    assert tables(cli.db) == before
    with sqlite3.connect(cli.db) as conn:  # the line changes behind the ledger's back
        conn.execute("UPDATE document_line SET wage = wage + 1 WHERE id = ?", (line,))
    conn.close()
    changed = tables(cli.db)
    stale = as_user(cli, tmp, "boss2", "correction", "approve", mine["id"], "--reason", "تایید", "--json",
                    check=False)
    assert stale.returncode == 3 and "stale" in stale.stderr and "کهنه" in stale.stderr
    assert tables(cli.db) == changed
    assert as_user(cli, tmp, "boss2", "correction", "reject", mine["id"], "--reason", "کهنه").returncode == 0


@pytest.mark.parametrize("sets", [["days=32"], ["days=31"], ["wage=-1"], ["rate=0"], ["rate=abc"], ["ssn=1"],
                                  ["days"], ["workshop_code=12345"], ["days=1", "days=2"]])
def test_bad_values_exit_2_with_nothing_written(cli, office, sets):
    code, tmp = office
    line = next(m for m in cli.json("account", "--national-code", code, "--json")["monthly"] if m["month"] == 12)
    before = tables(cli.db)
    args = [a for s in sets for a in ("--set", s)]
    result = as_user(cli, tmp, "clerk", "correction", "request", "--line", line["line_id"], *args, "--reason",
                     "دلیل", "--json", check=False)
    # Esfand 1403 has 30 days: 31 is beyond the month.
    assert result.returncode == 2, result.stderr
    assert "error:" in result.stderr and json.loads(result.stdout)["ok"] is False
    assert tables(cli.db) == before


def test_rule_refusals_exit_3(cli, office):
    code, tmp = office
    line = cli.json("account", "--national-code", code, "--json")["monthly"][0]
    same = as_user(cli, tmp, "clerk", "correction", "request", "--line", line["line_id"], "--set",
                   f"days={line['days']}", "--reason", "هیچ", "--json", check=False)
    assert same.returncode == 3 and json.loads(same.stdout)["reasons"][0]["rule"] == "nothing_changes"
    unknown = as_user(cli, tmp, "clerk", "correction", "request", "--line", line["line_id"], "--set",
                      "workshop_code=9999999999", "--reason", "کارگاه", check=False)
    assert unknown.returncode == 3 and "unknown_workshop" in unknown.stderr
    as_user(cli, tmp, "clerk", "correction", "request", "--line", line["line_id"], "--set", "days=1",
            "--reason", "یک")
    again = as_user(cli, tmp, "clerk", "correction", "request", "--line", line["line_id"], "--set", "days=2",
                    "--reason", "دو", check=False)
    assert again.returncode == 3 and "open_request" in again.stderr


def test_ledger_verify_exits_3_and_names_the_first_bad_entry(cli, office):
    code, tmp = office
    line = cli.json("account", "--national-code", code, "--json")["monthly"][0]["line_id"]
    as_user(cli, tmp, "clerk", "correction", "request", "--line", line, "--set", "days=1", "--reason", "یک")
    with sqlite3.connect(cli.db) as conn:
        conn.execute("UPDATE ledger_entry SET payload = replace(payload, 'یک', 'دو') WHERE seq = 1")
    conn.close()
    out = as_user(cli, tmp, "boss", "ledger", "verify", "--json", check=False)
    assert out.returncode == 3
    report = json.loads(out.stdout)
    assert report["ok"] is False and report["first_bad"]["seq"] == 1 and report["first_bad"]["problem"] == "altered"
    assert as_user(cli, tmp, "clerk", "ledger", "verify", check=False).returncode == 4
