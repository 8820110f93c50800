"""The CLI.md contract for the foundation commands, through a real subprocess."""

from __future__ import annotations

from ..factories import identity, questionnaire
from .conftest import write_json


def table_counts(db) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("person", "relationship", "workshop", "authority", "audit_log", "outbox")}
    finally:
        conn.close()


def test_the_foundation_commands_work_end_to_end(cli, tmp_path):
    main, wife = identity(), identity(first_name="زهرا", gender="female")
    main["marriages"] = [{"spouse_national_code": wife["national_code"], "date": "1390/05/01"}]
    assert cli.json("registry", "add", "--json", write_json(tmp_path / "r.json", [main, wife]))["added"] == 2
    cli("workshop", "add", "--json", write_json(tmp_path / "w.json", {"code": "۱۲۳۴۵۶۷۸۹۰", "name": "کارگاه", "address": "تهران"}))
    out = cli.json("authority", "add", "--code", "J1", "--name", "دادگستری تهران", "--group", "judicial", "--json")
    assert out == {"code": "J1", "name": "دادگستری تهران", "group": "judicial"}
    q = questionnaire(main["national_code"], relationship={"kind": "mandatory", "start": "۱۴۰۲/۰۱/۰۱", "workshop_code": "1234567890"})
    ssn = cli.json("enrol", "--json", write_json(tmp_path / "e.json", q))["ssn"]
    rel = {"kind": "voluntary", "start": "1390/01/01", "end": "1395/12/29"}
    cli("relationship", "add", "--national-code", main["national_code"], "--json", write_json(tmp_path / "rel.json", rel))
    person = cli.json("person", "--national-code", main["national_code"], "--json")
    assert person["ssn"] == ssn and person["national_code"] == main["national_code"]
    assert {"ssn", "first_name", "last_name", "father_name", "birth_date", "gender", "numbers",
            "relationships", "dependants"} <= person.keys()
    assert [r["kind"] for r in person["relationships"]] == ["voluntary", "mandatory"]
    assert person["relationships"][1]["workshop_code"] == "1234567890"
    assert cli.json("person", "--ssn", ssn, "--json")["national_code"] == main["national_code"]


def test_bad_input_exits_non_zero_in_persian_and_english_and_writes_nothing(cli, tmp_path):
    before = table_counts(cli.db)
    cases = [
        ("workshop", "add", "--json", write_json(tmp_path / "w.json", {"code": "12", "name": "x"})),
        ("authority", "add", "--code", "F1", "--name", "صندوق", "--group", "bank", "--json"),
        ("enrol", "--json", write_json(tmp_path / "e.json", questionnaire("0012345670"))),
        ("enrol", "--json", write_json(tmp_path / "e2.json", questionnaire("0012345679"))),
        ("enrol", "--json", str(tmp_path / "missing.json")),
        ("registry", "add", "--json", write_json(tmp_path / "r.json", [{"national_code": "0012345679"}])),
        ("person", "--national-code", "0012345679", "--json"),
    ]
    for args in cases:
        proc = cli(*args, check=False)
        assert proc.returncode != 0, args
        lines = [ln for ln in proc.stderr.strip().splitlines() if not ln.lstrip().startswith(("usage:", "["))]
        persian = next(i for i, ln in enumerate(lines) if any("\u0600" <= ch <= "\u06ff" for ch in ln))
        english = next(i for i, ln in enumerate(lines) if ln.startswith("error:"))
        assert persian < english, proc.stderr
    assert table_counts(cli.db) == before


def test_second_enrolment_reports_the_existing_ssn(cli, tmp_path):
    person = identity()
    cli("registry", "add", "--json", write_json(tmp_path / "r.json", person))
    path = write_json(tmp_path / "e.json", questionnaire(person["national_code"]))
    ssn = cli.json("enrol", "--json", path)["ssn"]
    proc = cli("enrol", "--json", path, check=False)
    assert proc.returncode == 2
    assert ssn in proc.stderr.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))


def test_acting_as_a_user_applies_role_rules(cli, tmp_path):
    from desktop.services.store import open_store
    from desktop.services.users import create_user, sign_in

    from .conftest import ADMIN_PASSWORD

    store = open_store(cli.db)
    try:
        create_user(store, sign_in(store, "admin", ADMIN_PASSWORD), "clerk1", "کارمند", "clerk", "clerk-pass-1")
    finally:
        store.close()
    pw = tmp_path / "clerk.pw"
    pw.write_text("clerk-pass-1\n", encoding="utf-8")
    proc = cli("authority", "add", "--code", "F1", "--name", "صندوق", "--group", "fund", "--user", "clerk1",
               "--password-file", str(pw), check=False)
    assert proc.returncode == 4, proc.stderr
    proc = cli("init", "--branch", "1021")
    assert "1021" in proc.stdout and "admin_password" not in proc.stdout


def test_store_from_nowhere_is_a_clear_error(tmp_path):
    from .conftest import Cli

    proc = Cli(tmp_path / "none.sqlite")("person", "--ssn", "1021000014", check=False)
    assert proc.returncode == 2 and "init" in proc.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_enrol_json_takes_acquaintances_and_health_by_role_and_person_shows_them(cli, tmp_path, monkeypatch):
    """CLI.md `enrol`: personal information with dependants_count, acquaintances and (for roles
    with person.health) special disease, blood group, medical history; `person --json` shows
    health only to such roles."""
    from desktop.services.store import open_store
    from desktop.services.users import create_user, sign_in

    from .conftest import ADMIN_PASSWORD

    store = open_store(cli.db)
    try:
        create_user(store, sign_in(store, "admin", ADMIN_PASSWORD), "clerk1", "کاربر باجه", "clerk", "password123")
    finally:
        store.close()
    (tmp_path / "clerk.pw").write_text("password123\n", encoding="utf-8")
    as_clerk = ("--user", "clerk1", "--password-file", str(tmp_path / "clerk.pw"))
    person = identity()
    cli("registry", "add", "--json", write_json(tmp_path / "r.json", person))
    personal = {"address": "تهران", "dependants_count": 2, "special_disease": "دیابت", "blood_group": "O+",
                "medical_history": "جراحی ۱۳۹۸",
                "acquaintances": [{"first_name": "رضا", "last_name": "احمدی", "mobile": "۰۹۳۵۱۲۳۴۵۶۷"}]}
    path = write_json(tmp_path / "e.json", questionnaire(person["national_code"], personal=personal))
    before = table_counts(cli.db)
    refused = cli("enrol", "--json", path, check=False)  # as admin: no person.health
    assert refused.returncode == 4 and table_counts(cli.db) == before
    ssn = cli.json("enrol", "--json", path, *as_clerk)["ssn"]
    shown = cli.json("person", "--ssn", ssn, "--json", *as_clerk)["personal"]
    assert shown["special_disease"] == "دیابت" and shown["medical_history"] == "جراحی ۱۳۹۸"
    assert shown["dependants_count"] == 2
    assert shown["acquaintances"] == [{"first_name": "رضا", "last_name": "احمدی", "national_code": None,
                                       "address": None, "mobile": "09351234567"}]
    hidden = cli.json("person", "--ssn", ssn, "--json")["personal"]  # admin
    assert {"special_disease", "blood_group", "medical_history"}.isdisjoint(hidden)
    assert hidden["acquaintances"] == shown["acquaintances"]


def test_a_dependant_starting_as_main_insured_hands_in_the_questionnaire_at_the_cli(cli, tmp_path):
    """SPEC §2 through `enrol --paper questionnaire=FILE` (and `relationship add --paper …`)."""
    wife = identity(gender="female", first_name="مریم")
    husband = identity(marriages=[{"spouse_national_code": wife["national_code"], "date": "1388/05/05"}])
    cli("registry", "add", "--json", write_json(tmp_path / "r.json", [wife, husband]))
    cli("enrol", "--json", write_json(tmp_path / "h.json", questionnaire(husband["national_code"])))
    ssn = cli.json("dependant", "add", "--main", husband["national_code"], "--national-code",
                   wife["national_code"], "--relation", "wife", "--json")["ssn"]
    path = write_json(tmp_path / "w.json", {"national_code": wife["national_code"],
                                            "relationship": {"kind": "voluntary", "start": "1403/01/01"}})
    before = table_counts(cli.db)
    refused = cli("enrol", "--json", path, check=False)
    assert refused.returncode == 2 and "پرسشنامه" in refused.stderr and "questionnaire" in refused.stderr
    assert table_counts(cli.db) == before
    scan = tmp_path / "questionnaire.pdf"
    scan.write_bytes(b"%PDF-1.4\n%scan\n")
    out = cli.json("enrol", "--json", path, "--paper", f"questionnaire={scan}")
    assert out["ssn"] == ssn and out["known_before"] is True
    kinds = [r.get("kind") or r.get("relation") for r in cli.json("person", "--ssn", ssn, "--json")["relationships"]]
    assert sorted(kinds) == ["voluntary", "wife"]
