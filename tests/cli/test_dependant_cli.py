"""`branch-desk dependant …` as operators run it: refusal exits 3 with reasons, success prints numbers."""

from __future__ import annotations

import json
from pathlib import Path

from ..factories import identity, questionnaire
from .conftest import write_json

DATE = "1403/01/01"  # a fixed request date in the past, so the real clock does not matter


def setup_family(cli, tmp_path: Path) -> dict[str, str]:
    father = identity()
    grown = identity(gender="female", first_name="سارا", birth_date="1370/02/02",
                     father_national_code=father["national_code"])
    son = identity(gender="male", first_name="رضا", birth_date="1390/03/03",
                   father_national_code=father["national_code"])
    cli("registry", "add", "--json", write_json(tmp_path / "ids.json", [father, grown, son]))
    cli("enrol", "--json", write_json(tmp_path / "q.json", questionnaire(father["national_code"])))
    return {"father": father["national_code"], "daughter": grown["national_code"], "son": son["national_code"]}


def test_refused_dependant_exits_3_with_persian_and_english_reasons(cli, tmp_path):
    fam = setup_family(cli, tmp_path)
    proc = cli("dependant", "add", "--main", fam["father"], "--national-code", fam["daughter"],
               "--relation", "daughter", "--date", DATE, "--json", check=False)
    assert proc.returncode == 3
    assert "commitment_form" in proc.stderr and "تعهدنامه" in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False and doc["reasons"][0]["papers"] == ["commitment_form"]
    assert cli.json("person", "--national-code", fam["father"], "--json")["dependants"] == []


def test_dependant_with_paper_gets_ssn_and_central_number(cli, tmp_path):
    fam = setup_family(cli, tmp_path)
    form = tmp_path / "form.pdf"
    form.write_bytes(b"%PDF-1.4 commitment form")
    out = cli.json("dependant", "add", "--main", fam["father"], "--national-code", fam["daughter"],
                   "--relation", "daughter", "--paper", f"commitment_form={form}", "--date", DATE, "--json")
    assert len(out["ssn"]) == 10 and out["central_temporary"].startswith("OO") and len(out["papers"]) == 1
    assert out["start"] == "1370/02/02"
    deps = cli.json("person", "--national-code", fam["father"], "--json")["dependants"]
    assert [(d["relation"], d["ssn"]) for d in deps] == [("daughter", out["ssn"])]


def test_seminary_paper_attribute_and_check_write_nothing(cli, tmp_path):
    fam = setup_family(cli, tmp_path)
    cert = tmp_path / "cert.pdf"
    cert.write_bytes(b"%PDF-1.4 seminary")
    out = cli.json("dependant", "check", "--main", fam["father"], "--national-code", fam["son"], "--relation",
                   "son", "--paper", f"university_enrolment={cert}@seminary", "--date", "1403/01/01", "--json")
    assert out["eligible"] is True and out["end"] == "1410/03/02" and out["end_reason"] == "age_20"
    due = cli.json("dependant", "due", "--within", "30", "--json")
    assert due == {"due": []}


def test_bad_paper_spec_exits_2(cli, tmp_path):
    fam = setup_family(cli, tmp_path)
    proc = cli("dependant", "add", "--main", fam["father"], "--national-code", fam["son"], "--relation", "son",
               "--paper", "court_order_trial=/nonexistent.pdf@1403/01/10", check=False)
    assert proc.returncode == 2 and "cannot read" in proc.stderr
