"""`branch-desk inquiry | certificate | verify | inquiry-chain verify` through a real subprocess."""

from __future__ import annotations

import sqlite3

import pytest

from ..factories import identity, questionnaire
from .conftest import write_json

ADDRESS = "تهران، خیابان انقلاب، کوچه یاس"
PHONE = "02166554433"


@pytest.fixture
def people(cli, tmp_path):
    main, old = identity(first_name="حسن", last_name="کریمی"), identity(first_name="زهرا", gender="female")
    cli("registry", "add", "--json", write_json(tmp_path / "ids.json", [main, old]))
    cli("workshop", "add", "--json", write_json(tmp_path / "w.json", {
        "code": "1234567890", "name": "کارخانه نمونه", "address": "تهران، جاده مخصوص"}))
    cli("authority", "add", "--code", "F1", "--name", "صندوق بازنشستگی", "--group", "fund")
    cli("authority", "add", "--code", "J1", "--name", "دادگستری تهران", "--group", "judicial")
    cli("enrol", "--json", write_json(tmp_path / "q1.json", questionnaire(
        main["national_code"], relationship={"kind": "mandatory", "start": "1400/01/01", "workshop_code": "1234567890"},
        personal={"address": ADDRESS, "phone": PHONE})))
    cli("enrol", "--json", write_json(tmp_path / "q2.json", questionnaire(
        old["national_code"], relationship={"kind": "voluntary", "start": "1398/01/01", "end": "1399/12/30"})))
    return main["national_code"], old["national_code"]


def test_inquiry_json_shape_and_privacy(cli, people, tmp_path):
    main, old = people
    fund = cli.json("inquiry", "--authority", "F1", "--national-code", main, "--json")
    assert {"state", "tracking_code", "date", "authority", "national_code", "person", "coverage",
            "relationships", "judicial"} <= set(fund)
    assert fund["state"] == "active" and fund["judicial"] is None and ADDRESS not in str(fund) and PHONE not in str(fund)
    court = cli.json("inquiry", "--authority", "J1", "--national-code", main, "--json")
    assert court["judicial"]["address"] == ADDRESS and court["judicial"]["phone"] == PHONE
    period = cli.json("inquiry", "--authority", "F1", "--national-code", old, "--from", "۱۳۹۹/۱۲/۳۰",
                      "--to", "1400/06/01", "--json")
    assert period["state"] == "in_period" and period["relationships"][0]["end"] == "1399/12/30"
    assert cli.json("inquiry", "--authority", "F1", "--national-code", old, "--json")["state"] == "not_active"
    assert cli.json("inquiry", "--authority", "F1", "--national-code", identity()["national_code"],
                    "--json")["state"] == "not_found"


def test_inquiry_writes_a_pdf(cli, people, tmp_path):
    pdf = tmp_path / "letter.pdf"
    cli("inquiry", "--authority", "F1", "--national-code", people[0], "--pdf", str(pdf), "--json")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_half_or_reversed_period_exits_2_and_records_nothing(cli, people):
    for extra in (["--from", "1400/01/01"], ["--from", "1400/02/01", "--to", "1400/01/01"]):
        proc = cli("inquiry", "--authority", "F1", "--national-code", people[0], *extra, "--json", check=False)
        assert proc.returncode == 2 and "خطا" in proc.stderr and "error" in proc.stderr
    assert sqlite3.connect(cli.db).execute("SELECT COUNT(*) FROM inquiry_record").fetchone() == (0,)


def test_certificate_then_verify_then_lock(cli, people, tmp_path):
    pdf = tmp_path / "cert.pdf"
    cert = cli.json("certificate", "--national-code", people[0], "--authority", "J1", "--pdf", str(pdf), "--json")
    assert cert["passcode"] == cert["certificate"]["passcode"] and pdf.read_bytes().startswith(b"%PDF")
    shown = cli.json("verify", "--tracking", cert["tracking_code"], "--passcode", cert["passcode"], "--json")
    assert shown["verified"] and shown["certificate"]["requester_name"] == "حسن کریمی"
    wrong = "0000000000" if cert["passcode"] != "00000-00000" else "1111111111"
    codes = [cli("verify", "--tracking", cert["tracking_code"], "--passcode", wrong, "--json", check=False).returncode
             for _ in range(5)]
    assert codes == [3] * 5
    locked = cli("verify", "--tracking", cert["tracking_code"], "--passcode", cert["passcode"], "--json", check=False)
    assert locked.returncode == 3 and "قفل" in locked.stderr


def test_chain_verify_passes_then_catches_tampering(cli, people):
    for _ in range(3):
        cli("inquiry", "--authority", "F1", "--national-code", people[1], "--json")
    report = cli.json("inquiry-chain", "verify", "--json")
    assert report["ok"] and report["records"] == 3
    with sqlite3.connect(cli.db) as conn:
        conn.execute("UPDATE inquiry_record SET national_code = '0000000000' WHERE seq = 2")
    proc = cli("verify-chain", "--json", check=False)
    assert proc.returncode == 3 and "altered" in proc.stderr


# CLI.md "Inquiry (inquiry --json)" — the keys are a contract with other programs. The answer
# also carries `period`, `branch`, `digest` and `record_hash`, and each relationship its Persian
# titles; the exact sets below are what the command printed before answers were typed.
CONTRACT = {"state", "tracking_code", "date", "authority", "national_code", "person", "coverage",
            "relationships", "judicial"}
ANSWER_KEYS = CONTRACT | {"period", "branch", "digest", "record_hash"}
NESTED = {
    "authority": {"code", "name", "group"},
    "person": {"name", "gender"},
    "period": {"from", "to"},
    "branch": {"code", "name"},
}
ROW_CONTRACT = {"start", "end", "type", "insured_type", "relation", "insurance_number", "branch"}
ROW_KEYS = ROW_CONTRACT | {"type_fa", "insured_type_fa", "relation_fa"}
JUDICIAL_MAIN = {"workshop_name", "workshop_address", "address", "phone"}
REQUESTER = {"requester_name", "requester_gender", "requested_on"}


def assert_answer_keys(out: dict, state: str) -> None:
    assert out["state"] == state
    assert CONTRACT <= ANSWER_KEYS == set(out) - {"certificate", "passcode", "verified"}
    for key, keys in NESTED.items():
        assert out[key] is None or set(out[key]) == keys, key
    for row in out["relationships"]:
        assert ROW_CONTRACT <= ROW_KEYS == set(row)
    assert out["judicial"] is None or set(out["judicial"]) == JUDICIAL_MAIN


def test_inquiry_json_keys_match_the_contract_in_every_state(cli, people):
    main, old = people
    ask = lambda *args: cli.json("inquiry", *args, "--json")  # noqa: E731
    stranger = identity()["national_code"]
    cases = {
        "not_found": [ask("--authority", "F1", "--national-code", stranger),
                      ask("--authority", "J1", "--national-code", main, "--from", "1390/01/01",
                          "--to", "1390/02/01")],
        "not_active": [ask("--authority", "J1", "--national-code", old)],
        "in_period": [ask("--authority", "F1", "--national-code", old, "--from", "1398/01/01",
                          "--to", "1400/06/01")],
        "active": [ask("--authority", "F1", "--national-code", main),
                   ask("--authority", "J1", "--national-code", main)],
    }
    for state, answers in cases.items():
        for out in answers:
            assert_answer_keys(out, state)
    assert cases["not_active"][0]["relationships"] and cases["in_period"][0]["relationships"]
    assert cases["active"][1]["judicial"] is not None and cases["not_found"][1]["period"]
    cert = cli.json("certificate", "--national-code", main, "--authority", "F1", "--json")
    assert_answer_keys(cert, "active")
    assert set(cert["certificate"]) == REQUESTER | {"passcode"} and cert["passcode"]
    shown = cli.json("verify", "--tracking", cert["tracking_code"], "--passcode", cert["passcode"],
                     "--json")
    assert_answer_keys(shown, "active")
    assert set(shown["certificate"]) == REQUESTER and shown["verified"] is True
    assert set(cert) - ANSWER_KEYS == {"certificate", "passcode"}
    assert set(shown) - ANSWER_KEYS == {"certificate", "verified"}
