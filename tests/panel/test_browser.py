"""The authorities' web panel in a real headless Chromium, against a real `hq serve` on real
PostgreSQL whose central record two real branch stores pushed (tests/panel/kit.py).

One browser and one server for the module. A fund user and a judicial user sign in, ask about
an active main insured, a dependant, a person whose relationship ended, a period, and a stranger;
print the letter (the PDF the branches print, downloaded by the browser); verify a certificate a
branch issued; get a certificate locked after five wrong passcodes and an account locked after
five wrong passwords; and a form without its CSRF token is refused. Privacy: for every answer
state, a fund's page never holds an address or a phone, a judicial one only for active persons.

BRANCH_DESK_UPDATE_SCREENSHOTS=1 writes the README's pictures to docs/screenshots/panel-*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from desktop.domain.text import ascii_digits

from ..services.inquiry_helpers import pdf_text
from ..support.browser import Browser, chromium
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

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "panel-pass-2026"
USERS = {"fund.clerk": FUND, "court.clerk": JUDICIAL, "fund.locker": FUND}
PERIOD_WITH = ("1399/01/01", "1401/01/01")
PERIOD_WITHOUT = ("1402/01/01", "1403/01/01")
CASES = {  # name → (person attribute, period, expected state)
    "active_main": ("main", None, "active"),
    "active_dependant": ("dependant", None, "active"),
    "not_active": ("ended", None, "not_active"),
    "in_period": ("main", PERIOD_WITH, "in_period"),
    "not_found": ("stranger", None, "not_found"),
    "not_found_in_period": ("ended", PERIOD_WITHOUT, "not_found"),
}


@pytest.fixture(scope="module")
def country(pg_cluster: PostgresCluster, hq_template: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Country]:
    with served(pg_cluster, hq_template) as server:
        built = build_country(server, tmp_path_factory.mktemp("panel-web"))
        secret = tmp_path_factory.mktemp("secrets") / "password"
        secret.write_text(PASSWORD + "\n")
        for username, authority in USERS.items():  # the operator's command
            hq("authority", "user", "add", "--pg", server.dsn, "--code", authority,
               "--username", username, "--password-file", str(secret))
        yield built


@pytest.fixture(scope="module")
def browser(country: Country, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(country.server.url, tmp_path_factory.mktemp("chromium") / "downloads") as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("BRANCH_DESK_UPDATE_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return tmp_path_factory.mktemp("panel-shots")


def _sign_in(b: Browser, username: str, password: str = PASSWORD) -> None:
    b.d.delete_all_cookies()
    b.open("/panel/sign-in")
    b.fill(username=username, password=password)
    b.submit("sign-in")


def _as(b: Browser, username: str) -> None:
    """Signed in as `username` (signs in only when another user, or nobody, is)."""
    b.open("/panel/inquiry")
    if f"کاربر: {username}" not in b.text():
        _sign_in(b, username)
        assert b.d.current_url.endswith("/panel/inquiry"), b.text()


def _ask(b: Browser, country: Country, case: str) -> str:
    who, period, state = CASES[case]
    b.open("/panel/inquiry")
    b.fill(national_code=getattr(country, who), from_date=period[0] if period else "",
           to_date=period[1] if period else "")
    b.submit("ask")
    assert b.d.find_element("id", "answer-state").get_attribute("data-state") == state, b.text()
    return b.by_id("tracking-code")


def _contacts(text: str) -> list[str]:
    """The contact details found in a page (digits compared in ASCII: the page shows Persian)."""
    plain = ascii_digits(text)
    return [c for c in CONTACTS if ascii_digits(c) in plain]


def _answers(dsn: str, authority: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute(
            "SELECT tracking_code FROM panel_answer WHERE authority = %s ORDER BY tracking_code",
            (authority,))]


def test_sign_in_sets_strict_http_only_cookies_and_names_the_authority(
        browser: Browser, shots: Path) -> None:
    browser.d.delete_all_cookies()
    browser.open("/panel/inquiry")
    assert browser.d.current_url.endswith("/panel/sign-in")  # nobody signed in
    assert browser.d.find_element("tag name", "html").get_attribute("dir") == "rtl"
    browser.screenshot(shots / "panel-sign-in.png")
    _sign_in(browser, "court.clerk")
    assert browser.d.current_url.endswith("/panel/inquiry")
    header = browser.text()
    assert "دادگستری تهران" in header and "مراجع قضایی" in header
    cookie = browser.d.get_cookie("bd_panel")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain http on 127.0.0.1 only; any other --host: Secure
    assert len(cookie["value"]) >= 40


def test_judicial_pages_show_contacts_only_for_active_persons(
        browser: Browser, country: Country, shots: Path, tmp_path: Path) -> None:
    _as(browser, "court.clerk")
    for case, (_, _, state) in CASES.items():
        code = _ask(browser, country, case)
        text = browser.text()
        assert ascii_digits(code).isdigit() and len(code) >= 13, code
        found = _contacts(browser.source())
        if case == "active_main":
            # The workshop and its address from HQ's workshop table; the person's latest
            # residential address and phone from the snapshot the enrolling branch pushed.
            assert WORKSHOP_ADDRESS in text and "کارخانه نمونه" in text and "حسن کریمی" in text
            assert "نشانی" in text and MAIN_ADDRESS in text
            assert ascii_digits(MAIN_PHONE) in ascii_digits(text), text
            assert set(found) == {WORKSHOP_ADDRESS, MAIN_ADDRESS, MAIN_PHONE, "جاده مخصوص",
                                  "خیابان انقلاب"}, found
            browser.screenshot(shots / "panel-answer-judicial.png")
            letter = pdf_text(browser.download("print").read_bytes(), tmp_path)
            assert ascii_digits(code) in ascii_digits(letter) and country.main in letter
            assert "دادگستری تهران" in letter or "تهران" in letter
            assert "خیابان انقلاب" in letter and ascii_digits(MAIN_PHONE) in ascii_digits(letter)
        elif case == "active_dependant":
            assert "حسن کریمی" in text and "بیمه‌شده اصلی" in text, text  # the main insured's
            assert MAIN_ADDRESS in text and ascii_digits(MAIN_PHONE) in ascii_digits(text), text
        else:
            assert found == [], (case, found)
        if state == "not_found" and case == "not_found":
            assert "یافت نگردید" in text
            browser.screenshot(shots / "panel-not-found.png")


def test_a_fund_never_sees_an_address_or_phone(
        browser: Browser, country: Country, shots: Path, tmp_path: Path) -> None:
    _as(browser, "fund.clerk")
    for case in CASES:
        code = _ask(browser, country, case)
        assert _contacts(browser.source()) == [], case
        assert "نشانی" not in browser.text() and "شماره تماس" not in browser.text(), case
        if case == "active_main":
            assert "در ردیف بیمه‌شدگان" in browser.text()
            browser.screenshot(shots / "panel-answer-fund.png")
            letter = pdf_text(browser.download("print").read_bytes(), tmp_path)
            assert ascii_digits(code) in ascii_digits(letter)
            assert _contacts(letter) == [] and "نشانی" not in letter


def test_history_lists_only_the_authority_s_own_answers(browser: Browser, country: Country) -> None:
    # Each authority asks here, so the test stands alone (xdist may run it before the others).
    _as(browser, "court.clerk")
    _ask(browser, country, "active_main")
    _as(browser, "fund.clerk")
    _ask(browser, country, "active_main")
    browser.open("/panel/history")
    shown = {ascii_digits(cell.text) for cell in
             browser.d.find_elements("css selector", "#history td:nth-child(6)")}
    assert shown == set(_answers(country.server.dsn, FUND)) and shown
    assert not shown & set(_answers(country.server.dsn, JUDICIAL))
    # Another authority's letter is refused like an unknown one.
    other = _answers(country.server.dsn, JUDICIAL)[0]
    browser.open(f"/panel/letters/{other}.pdf")
    assert browser.has("refused") and "برای این مرجع نیست" in browser.text()


def test_bad_input_gets_persian_errors_and_records_nothing(browser: Browser, country: Country,
                                                           shots: Path) -> None:
    _as(browser, "fund.clerk")
    before = len(_answers(country.server.dsn, FUND))
    for fields, where in [({"national_code": "1234567890"}, "error-national_code"),
                          ({"national_code": country.main, "from_date": "1400/01/01"}, "error-to_date"),
                          ({"national_code": country.main, "from_date": "1401/01/01",
                            "to_date": "1400/01/01"}, "error-to_date")]:
        browser.open("/panel/inquiry")
        browser.fill(**{"national_code": "", "from_date": "", "to_date": "", **fields})
        browser.submit("ask")
        assert browser.has(where), browser.text()
        assert any("\u0600" <= ch <= "\u06ff" for ch in browser.by_id(where))
        if where == "error-to_date" and "to_date" not in fields:
            browser.screenshot(shots / "panel-inquiry-errors.png")
    assert len(_answers(country.server.dsn, FUND)) == before


def test_a_certificate_issued_at_a_branch_is_shown(browser: Browser, country: Country,
                                                   shots: Path) -> None:
    _as(browser, "court.clerk")
    code, passcode = country.certificate_a
    browser.open("/panel/certificate")
    browser.fill(tracking_code=code, passcode=passcode)
    browser.submit("verify")
    assert browser.has("certificate-state"), browser.text()
    text = browser.text()
    assert "گواهی وضعیت ارتباط بیمه‌ای" in text and "این گواهی بنابه درخواست" in text
    assert ascii_digits(code) in ascii_digits(browser.by_id("tracking-code"))
    browser.screenshot(shots / "panel-certificate.png")


def test_five_wrong_passcodes_lock_the_certificate(browser: Browser, country: Country,
                                                   shots: Path) -> None:
    _as(browser, "fund.clerk")
    code, passcode = country.certificate_b
    # The fund's own certificate opens — and, issued for a fund, holds no address or phone.
    browser.open("/panel/certificate")
    browser.fill(tracking_code=code, passcode=passcode)
    browser.submit("verify")
    assert browser.has("certificate-state") and "این گواهی بنابه درخواست" in browser.text()
    assert _contacts(browser.source()) == [] and "نشانی" not in browser.text()
    wrong = f"{(int(passcode.replace('-', '')) + 1) % 10**10:010d}"
    refusals = []
    for _ in range(5):
        browser.open("/panel/certificate")
        browser.fill(tracking_code=code, passcode=wrong)
        browser.submit("verify")
        refusals.append(browser.by_id("certificate-refusal"))
    assert all("نادرست" in r for r in refusals[:4]) and "قفل" in refusals[4], refusals
    browser.open("/panel/certificate")
    browser.fill(tracking_code=code, passcode=passcode)  # the right one, too late
    browser.submit("verify")
    assert "قفل" in browser.by_id("certificate-refusal") and not browser.has("certificate-state")
    assert ascii_digits(passcode.replace("-", "")) not in ascii_digits(browser.source().replace("-", ""))
    browser.screenshot(shots / "panel-locked.png")
    with psycopg.connect(country.server.dsn) as conn:
        (attempts,) = conn.execute("SELECT count(*) FROM certificate_attempt"  # type: ignore[misc]
                                   " WHERE tracking_code = %s", (code,)).fetchone()
    assert attempts == 7  # shown, 5 wrong, 1 while locked: every attempt recorded


def test_five_wrong_passwords_lock_the_account(browser: Browser, country: Country,
                                               shots: Path) -> None:
    for _ in range(5):
        _sign_in(browser, "fund.locker", "not-the-password")
    assert "قفل" in browser.by_id("sign-in-error")
    _sign_in(browser, "fund.locker")  # the right password, while locked
    assert browser.d.current_url.endswith("/panel/sign-in") and "قفل" in browser.by_id("sign-in-error")
    browser.screenshot(shots / "panel-account-locked.png")
    with psycopg.connect(country.server.dsn) as conn:
        outcomes = [r[0] for r in conn.execute(
            "SELECT outcome FROM panel_sign_in WHERE username = 'fund.locker' ORDER BY id")]
    assert outcomes == ["wrong_password"] * 4 + ["locked_now", "locked"]


def test_a_form_without_its_csrf_token_is_refused(browser: Browser, country: Country) -> None:
    _as(browser, "fund.clerk")
    before = len(_answers(country.server.dsn, FUND))
    browser.open("/panel/inquiry")
    browser.fill(national_code=country.main)
    browser.d.execute_script(
        "document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())")
    browser.submit("ask")
    assert browser.has("refused") and "نشانه امنیتی" in browser.text()
    # The same from outside the browser: the session cookie alone is not enough.
    cookie = browser.d.get_cookie("bd_panel")["value"]
    for body in ({"national_code": country.main}, {"national_code": country.main, "csrf": "forged"}):
        refused = httpx.post(f"{country.server.url}/panel/inquiry", data=body,
                             cookies={"bd_panel": cookie}, timeout=30)
        assert refused.status_code == 403 and "نشانه امنیتی" in refused.text
    assert len(_answers(country.server.dsn, FUND)) == before
    # Sign-in without the double-submit cookie's match is refused too.
    assert httpx.post(f"{country.server.url}/panel/sign-in", timeout=30, data={
        "username": "fund.clerk", "password": PASSWORD, "csrf": "x"}).status_code == 403


def test_sign_out_ends_the_session(browser: Browser, country: Country) -> None:
    _as(browser, "fund.clerk")
    cookie = browser.d.get_cookie("bd_panel")["value"]
    browser.submit("sign-out")
    assert browser.d.current_url.endswith("/panel/sign-in")
    # The old cookie no longer opens anything.
    gone = httpx.get(f"{country.server.url}/panel/inquiry", cookies={"bd_panel": cookie},
                     timeout=30, follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].endswith("/panel/sign-in")
