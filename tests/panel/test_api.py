"""The authorities' JSON API against a real `hq serve` and real PostgreSQL, over a central record
two real branches pushed: every answer state × fund/judicial in the JSON and the PDF letter,
certificates from both branches, the lock after five wrong passcodes, and each authority seeing
only its own history and letters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from desktop.domain import tracking
from desktop.domain.text import ascii_digits

from ..hq.hostile_kit import table_counts
from ..services.inquiry_helpers import pdf_text
from ..support.hq_server import hq
from ..support.postgres import PostgresCluster
from .kit import (
    CONTACTS,
    FUND,
    JUDICIAL,
    MAIN_ADDRESS,
    MAIN_PHONE,
    WORKSHOP_ADDRESS,
    Country,
    build_country,
    served,
)

PERIOD_WITH = ("1399/01/01", "1401/01/01")  # overlaps the main insured's relationship and the ended one
PERIOD_WITHOUT = ("1402/01/01", "1403/01/01")  # after the ended relationship's end


@pytest.fixture(scope="module")
def country(pg_cluster: PostgresCluster, hq_template: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Country]:
    # A generous per-key budget: this module sends ~100 requests per key (the limit has its own test).
    with served(pg_cluster, hq_template, "--key-rate", "100000", "--key-burst", "10000") as server:
        yield build_country(server, tmp_path_factory.mktemp("panel"))


CASES = {  # name → (person attribute, period, expected state, coverage)
    "active_main": ("main", None, "active", "main"),
    "active_dependant": ("dependant", None, "active", "dependant"),
    "not_active": ("ended", None, "not_active", None),
    "in_period": ("main", PERIOD_WITH, "in_period", None),
    "in_period_ended": ("ended", PERIOD_WITH, "in_period", None),
    "not_found": ("stranger", None, "not_found", None),
    "not_found_in_period": ("ended", PERIOD_WITHOUT, "not_found", None),
}


def _ask(country: Country, authority: str, case: str) -> dict:
    who, period, _, _ = CASES[case]
    body = {"national_code": getattr(country, who)}
    if period:
        body |= {"from": period[0], "to": period[1]}
    response = country.post(authority, "/api/v1/inquiries", body)
    assert response.status_code == 200, response.text
    return response.json()


def _letter(country: Country, authority: str, code: str, tmp_path: Path) -> str:
    response = country.get(authority, f"/api/v1/inquiries/{code}/letter.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf" and response.content[:5] == b"%PDF-"
    return pdf_text(response.content, tmp_path)


@pytest.mark.parametrize("case", list(CASES))
def test_a_fund_never_sees_an_address_or_phone(country: Country, case: str, tmp_path: Path) -> None:
    out = _ask(country, FUND, case)
    _, _, state, coverage = CASES[case]
    assert (out["state"], out["coverage"], out["judicial"]) == (state, coverage, None)
    assert out["authority"] == {"code": FUND, "name": "صندوق بازنشستگی کشوری", "group": "fund"}
    text = json.dumps(out, ensure_ascii=False)
    assert not [c for c in CONTACTS if c in text]
    letter = _letter(country, FUND, out["tracking_code"], tmp_path)
    assert out["national_code"] in letter and out["tracking_code"] in letter  # the letter was read
    assert not [c for c in CONTACTS if c in letter] and "نشانی" not in letter and "تماس" not in letter


@pytest.mark.parametrize("case", list(CASES))
def test_a_judicial_authority_sees_contacts_only_for_active_persons(country: Country, case: str,
                                                                     tmp_path: Path) -> None:
    out = _ask(country, JUDICIAL, case)
    _, _, state, coverage = CASES[case]
    assert (out["state"], out["coverage"]) == (state, coverage)
    assert out["authority"]["group"] == "judicial"
    letter = _letter(country, JUDICIAL, out["tracking_code"], tmp_path)
    if case == "active_main":
        # The workshop's address from HQ's workshop table; the person's latest residential
        # address and phone from the snapshot the enrolling branch pushed.
        assert out["judicial"] == {"workshop_name": "کارخانه نمونه", "workshop_address": WORKSHOP_ADDRESS,
                                   "address": MAIN_ADDRESS, "phone": MAIN_PHONE}
        assert "جاده مخصوص" in letter and "نشانی" in letter
        assert "خیابان انقلاب" in letter and ascii_digits(MAIN_PHONE) in ascii_digits(letter), letter
    elif case == "active_dependant":
        # A dependant's answer gives the main insured's address and phone (SPEC §4.4).
        assert out["judicial"] == {"main_insured_name": country.main_name, "relation": "son",
                                   "relation_fa": out["judicial"]["relation_fa"],
                                   "address": MAIN_ADDRESS, "phone": MAIN_PHONE}
        assert country.main_name.split()[1] in letter and "بیمهشده اصلی" in letter, letter
        assert "خیابان انقلاب" in letter and ascii_digits(MAIN_PHONE) in ascii_digits(letter), letter
    else:
        assert out["judicial"] is None
        text = json.dumps(out, ensure_ascii=False)
        assert not [c for c in CONTACTS if c in text]
        assert not [c for c in CONTACTS if c in letter] and "نشانی" not in letter


def test_answers_are_recorded_with_country_wide_tracking_codes(country: Country) -> None:
    first, second = _ask(country, FUND, "active_main"), _ask(country, FUND, "not_found")
    for out in (first, second):
        assert tracking.tracking_code(out["tracking_code"]) == out["tracking_code"]  # check digit
        assert out["tracking_code"].startswith("9999")
    assert first["tracking_code"] != second["tracking_code"]
    assert first["relationships"] == [] and first["person"]["name"] == country.main_name
    with psycopg.connect(country.server.dsn) as conn:
        row = conn.execute("SELECT authority, channel, actor, national_code, state FROM panel_answer"
                           " WHERE tracking_code = %s", (first["tracking_code"],)).fetchone()
        branch_codes = {r[0] for r in conn.execute("SELECT tracking_code FROM inquiry_record")}
    assert row[:2] == (FUND, "api") and row[2].startswith("api:bak_") and row[3:] == (country.main, "active")
    assert branch_codes and not [c for c in branch_codes if c.startswith("9999")]


def test_in_period_lists_the_overlapping_relationships(country: Country) -> None:
    out = _ask(country, FUND, "in_period")
    assert out["period"] == {"from": PERIOD_WITH[0], "to": PERIOD_WITH[1]}
    assert [(r["type"], r["start"], r["branch"]) for r in out["relationships"]] == [("mandatory", "1400/01/01", "1021")]
    ended = _ask(country, FUND, "not_active")
    assert [(r["type"], r["end"]) for r in ended["relationships"]] == [("voluntary", "1400/12/29")]


@pytest.mark.parametrize(("body", "field"), [
    ({"national_code": "0012345678"}, "national_code"),  # check digit
    ({"national_code": "0012345679", "from": "1400/01/01"}, "to_date"),  # both dates or neither
    ({"national_code": "0012345679", "from": "1401/01/01", "to": "1400/01/01"}, "to_date"),
    ({"national_code": "0012345679", "from": "1400/13/01", "to": "1401/01/01"}, "from_date"),
])
def test_a_bad_request_is_refused_in_both_languages_and_writes_nothing(country: Country, body: dict,
                                                                        field: str) -> None:
    before = table_counts(country.server.dsn)
    response = country.post(FUND, "/api/v1/inquiries", body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["fa"].strip() and error["en"].strip() and error["code"] == "invalid_value"
    assert table_counts(country.server.dsn) == before


@pytest.mark.parametrize("header", [None, "Bearer bak_wrong", "Basic abc", "Bearer"])
def test_without_a_known_key_nothing_is_answered(country: Country, header: str | None) -> None:
    before = table_counts(country.server.dsn)
    response = httpx.post(f"{country.server.url}/api/v1/inquiries", json={"national_code": country.main},
                          headers={"Authorization": header} if header else {}, timeout=30)
    assert response.status_code == 401 and response.json()["fa"].strip()
    assert table_counts(country.server.dsn) == before


def test_an_authority_sees_only_its_own_history_and_letters(country: Country) -> None:
    mine = _ask(country, JUDICIAL, "active_main")["tracking_code"]
    history = country.get(JUDICIAL, "/api/v1/inquiries?limit=500").json()
    assert mine in [h["tracking_code"] for h in history]
    fund_history = country.get(FUND, "/api/v1/inquiries?limit=500").json()
    assert mine not in [h["tracking_code"] for h in fund_history]
    with psycopg.connect(country.server.dsn) as conn:
        fund_codes = {r[0] for r in conn.execute("SELECT tracking_code FROM panel_answer WHERE authority = %s",
                                                 (FUND,))}
    assert {h["tracking_code"] for h in fund_history} == fund_codes
    refused = country.get(FUND, f"/api/v1/inquiries/{mine}/letter.pdf")
    assert refused.status_code == 404 and refused.json()["fa"].strip()
    # A branch's tracking code is not a panel answer of anyone's.
    branch_code = country.certificate_a[0]
    assert country.get(JUDICIAL, f"/api/v1/inquiries/{branch_code}/letter.pdf").status_code == 404


# --- certificates -------------------------------------------------------------------------------

def _attempts(country: Country, code: str) -> list[tuple[str, str | None]]:
    with psycopg.connect(country.server.dsn) as conn:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT outcome, authority FROM certificate_attempt WHERE tracking_code = %s ORDER BY id", (code,))]


def test_a_certificate_from_either_branch_opens_with_its_passcode(country: Country) -> None:
    code, passcode = country.certificate_a
    shown = country.post(JUDICIAL, "/api/v1/certificates/verify", {"tracking_code": code, "passcode": passcode})
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["verified"] is True and body["tracking_code"] == code and body["state"] == "active"
    assert body["certificate"]["requester_name"] == country.main_name
    assert body["authority"]["code"] == JUDICIAL and body["branch"]["code"] == "1021"
    assert _attempts(country, code)[-1] == ("shown", JUDICIAL)
    code_b, passcode_b = country.certificate_b
    shown_b = country.post(FUND, "/api/v1/certificates/verify", {"tracking_code": code_b, "passcode": passcode_b})
    assert shown_b.status_code == 200 and shown_b.json()["branch"]["code"] == "1022"
    assert shown_b.json()["judicial"] is None
    assert not [c for c in CONTACTS if c in shown_b.text]


def test_five_wrong_passcodes_lock_even_the_right_one_and_every_try_is_recorded(
        country: Country, pg_cluster: PostgresCluster, hq_template: str, tmp_path: Path) -> None:
    code, passcode = country.certificate_b
    right = passcode.replace("-", "")
    wrong = f"{(int(right) + 1) % 10**10:010d}"
    before = len(_attempts(country, code))
    statuses = []
    for _ in range(5):
        response = country.post(FUND, "/api/v1/certificates/verify", {"tracking_code": code, "passcode": wrong})
        statuses.append(response.status_code)
        assert response.json()["fa"].strip() and response.json()["en"].strip()
    assert statuses == [403, 403, 403, 403, 423]
    locked = country.post(FUND, "/api/v1/certificates/verify", {"tracking_code": code, "passcode": passcode})
    assert locked.status_code == 423 and locked.json()["code"] == "locked"
    assert "قفل" in locked.json()["fa"]
    outcomes = [o for o, _ in _attempts(country, code)[before:]]
    assert outcomes == ["wrong_passcode"] * 5 + ["locked"]


def test_another_authoritys_certificate_counts_as_a_wrong_passcode(country: Country) -> None:
    code, passcode = country.certificate_a  # issued for the judicial authority
    refused = country.post(FUND, "/api/v1/certificates/verify", {"tracking_code": code, "passcode": passcode})
    assert refused.status_code == 403 and WORKSHOP_ADDRESS not in refused.text
    assert _attempts(country, code)[-1] == ("other_authority", FUND)


def test_an_unknown_certificate_is_recorded_and_a_malformed_one_writes_nothing(country: Country) -> None:
    unknown = tracking.make_tracking_code("1099", 424242)
    response = country.post(FUND, "/api/v1/certificates/verify", {"tracking_code": unknown,
                                                                   "passcode": "1234567890"})
    assert response.status_code == 404 and _attempts(country, unknown) == [("unknown", FUND)]
    before = table_counts(country.server.dsn)
    for body in ({"tracking_code": "123", "passcode": "1234567890"},
                 {"tracking_code": unknown, "passcode": "12ab"},
                 {"tracking_code": unknown}):
        refused = country.post(FUND, "/api/v1/certificates/verify", body)
        assert refused.status_code == 422 and refused.json()["fa"].strip()
    assert table_counts(country.server.dsn) == before


def test_the_personal_box_lists_certificates_from_the_persons_branch(country: Country) -> None:
    box_a = json.loads(hq("person-box", "--pg", country.server.dsn, "--national-code", country.main,
                          "--json").stdout)
    assert [(c["tracking_code"], c["branch"], c["authority"]["code"]) for c in box_a] == [
        (country.certificate_a[0], "1021", JUDICIAL)]
    box_b = json.loads(hq("person-box", "--pg", country.server.dsn, "--national-code", country.person_b,
                          "--json").stdout)
    assert [(c["branch"], c["state"]) for c in box_b] == [("1022", "active")]
    assert "passcode" not in json.dumps(box_a + box_b)


def test_the_openapi_documents_the_authorities_api(country: Country) -> None:
    doc = httpx.get(f"{country.server.url}/openapi.json").json()
    for path in ("/api/v1/inquiries", "/api/v1/certificates/verify",
                 "/api/v1/inquiries/{tracking_code}/letter.pdf"):
        assert path in doc["paths"]
    post = doc["paths"]["/api/v1/inquiries"]["post"]
    assert post["tags"] == ["authorities: inquiries"] and "429" in post["responses"]
    assert doc["components"]["schemas"]["InquiryRequest"]["examples"]


def test_a_key_over_its_rate_gets_429_with_retry_after(pg_cluster: PostgresCluster, hq_template: str) -> None:
    with served(pg_cluster, hq_template, "--key-rate", "1", "--key-burst", "3") as server:
        from .kit import add_authority

        key = add_authority(server.dsn, "F9", "صندوق نمونه", "fund")
        statuses = []
        for _ in range(5):
            response = httpx.post(f"{server.url}/api/v1/inquiries", json={"national_code": "0012345679"},
                                  headers={"Authorization": f"Bearer {key}"}, timeout=30)
            statuses.append(response.status_code)
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["code"] == "rate_limited" and response.json()["fa"].strip()
        with psycopg.connect(server.dsn) as conn:
            assert conn.execute("SELECT count(*) FROM panel_answer").fetchone() == (3,)


def test_the_panel_letter_renders_as_a_page(country: Country, tmp_path: Path) -> None:
    """The judicial letter for an active main insured, rasterised with pdftoppm (the PNG in
    docs/screenshots/panel_letter_judicial.png was made this way and looked at)."""
    import os
    import shutil
    import subprocess

    out = _ask(country, JUDICIAL, "active_main")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(country.get(JUDICIAL, f"/api/v1/inquiries/{out['tracking_code']}/letter.pdf").content)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(tmp_path / "letter")],
                   check=True)
    png = tmp_path / "letter.png"
    assert png.stat().st_size > 20_000  # a page with text, not a blank one
    keep = os.environ.get("BRANCH_DESK_SCREENSHOTS")
    if keep:
        shutil.copy(png, Path(keep) / "panel_letter_judicial.png")
