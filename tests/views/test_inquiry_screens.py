"""The inquiry, certificate and verification screens on a real store, driven like a clerk would."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtPrintSupport import QPrinter

from desktop.views.certificate_screen import Screen as CertificateScreen
from desktop.views.context import ViewContext
from desktop.views.inquiry_parts import select_authority
from desktop.views.inquiry_screen import Screen as InquiryScreen
from desktop.views.verification_screen import Screen as VerificationScreen

from ..cli.conftest import run_cli
from ..conftest import ADMIN_PASSWORD, count_rows
from ..services.inquiry_helpers import MAIN_ADDRESS, setup_cast
from .helpers import type_text, wait_for_operations

VOLATILE = ("tracking_code", "digest", "record_hash")


@pytest.fixture
def cast(store, admin, registered):
    return setup_cast(store, admin, registered)


def make(qtbot, cls, ctx):
    screen = cls(ctx)
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    wait_for_operations(qtbot)  # the authorities' list loads in the background
    return screen


def ask(qtbot, screen, authority, national_code, start="", end=""):
    select_authority(screen.authority, authority)
    type_text(screen.national_code, national_code)
    if start:
        type_text(screen.from_date.edit, start)
    if end:
        type_text(screen.to_date.edit, end)
    screen.ask_button.click()
    wait_for_operations(qtbot)


def test_inquiry_screen_answers_like_the_cli(qtbot, store, admin, cast, monkeypatch):
    store.clock = dt.date.today  # the CLI, opening the store itself, answers for the real today
    screen = make(qtbot, InquiryScreen, ViewContext(store, admin))
    ask(qtbot, screen, "J1", cast.main)
    assert screen.answer.state == "active" and screen.answer.judicial.address == MAIN_ADDRESS
    assert "ارتباط بیمه‌ای فعال" in screen.result.text() and MAIN_ADDRESS in screen.result.text()
    assert screen.preview.pages and screen.preview.print_button.isEnabled()
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", ADMIN_PASSWORD)
    proc = run_cli(["inquiry", "--db", str(store.path), "--authority", "J1", "--national-code", cast.main,
                    "--json"])  # in this process, as the CLI tests run it (test_smoke.py: as a subprocess)
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    strip = lambda d: {k: v for k, v in d.items() if k not in VOLATILE}  # noqa: E731
    assert strip(cli) == strip(screen.answer.as_json())


def test_inquiry_screen_period_and_persian_digits(qtbot, store, admin, cast):
    screen = make(qtbot, InquiryScreen, ViewContext(store, admin))
    ask(qtbot, screen, "F1", cast.ended, "۱۴۰۱/۰۶/۳۱", "۱۴۰۲/۰۱/۰۱")
    assert screen.answer.state == "in_period"
    assert screen.answer.as_json()["period"]["from"] == "1401/06/31"
    assert "۱۳۹۸/۰۱/۰۱" in screen.result.text()  # the table row, Persian digits


def test_half_period_is_refused_on_screen_and_records_nothing(qtbot, store, admin, cast):
    screen = make(qtbot, InquiryScreen, ViewContext(store, admin))
    ask(qtbot, screen, "F1", cast.main, "1401/01/01")
    assert screen.answer is None and "هر دو تاریخ" in screen.message.text()
    screen.authority.setCurrentIndex(-1)
    screen.ask_button.click()
    wait_for_operations(qtbot)
    assert "مرجع" in screen.message.text()
    assert count_rows(store, "inquiry_record") == 0


def test_save_and_print(qtbot, store, admin, cast, tmp_path):
    screen = make(qtbot, InquiryScreen, ViewContext(store, admin))
    ask(qtbot, screen, "F1", cast.main)
    screen.preview.save_to(tmp_path / "letter.pdf")
    wait_for_operations(qtbot)
    assert (tmp_path / "letter.pdf").read_bytes().startswith(b"%PDF")
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    screen.preview.print_to(printer)
    wait_for_operations(qtbot)
    assert (tmp_path / "printed.pdf").stat().st_size > 10_000


def test_letter_print_without_a_printer_says_so_and_offers_the_pdf(qtbot, store, admin, cast, tmp_path):
    screen = make(qtbot, InquiryScreen, ViewContext(store, admin))
    ask(qtbot, screen, "F1", cast.main)
    flow = screen.preview.printing
    flow.printer_names = lambda: []
    flow.offer_save = lambda: True
    flow.choose_save_path = lambda name: str(tmp_path / name)
    screen.preview.print_button.click()
    wait_for_operations(qtbot)
    saved = tmp_path / screen.preview.suggested_name
    assert saved.read_bytes().startswith(b"%PDF")
    assert screen.preview.message.text() == f"ذخیره شد: \u2066{saved}\u2069"


def test_certificate_then_verification_then_lockout(qtbot, store, users, cast):
    issuer = make(qtbot, CertificateScreen, ViewContext(store, users["clerk"]))
    type_text(issuer.national_code, cast.main)
    select_authority(issuer.authority, "F1")
    issuer.issue_button.click()
    wait_for_operations(qtbot)
    issued = issuer.issued
    passcode = issued.passcode
    assert "کد رمز" in issuer.codes.text() and issuer.preview.pages
    assert count_rows(store, "personal_box_item") == 1
    checker = make(qtbot, VerificationScreen, ViewContext(store, users["letter_staff"]))
    type_text(checker.tracking, issued.tracking_code)
    type_text(checker.passcode, passcode)
    checker.show_button.click()
    wait_for_operations(qtbot)
    assert checker.shown.answer.state == "active" and "حسن کریمی" in checker.result.text()
    assert checker.passcode.text() == ""
    wrong = "0000000000" if passcode != "00000-00000" else "1111111111"
    for _ in range(5):
        type_text(checker.passcode, wrong)
        checker.show_button.click()
        wait_for_operations(qtbot)
    type_text(checker.passcode, passcode)
    checker.show_button.click()
    wait_for_operations(qtbot)
    assert checker.shown is None and "قفل" in checker.message.text()


def test_an_error_clears_the_previous_answer(qtbot, store, admin, cast):
    screen = make(qtbot, InquiryScreen, ViewContext(store, admin))
    ask(qtbot, screen, "F1", cast.main)
    assert screen.answer is not None and screen.preview.print_button.isEnabled()
    screen.national_code.clear()
    ask(qtbot, screen, "F1", "123")
    assert screen.answer is None and screen.result.text() == ""
    assert not screen.preview.print_button.isEnabled() and not screen.preview.pages


def test_a_new_authority_appears_in_the_open_screen(qtbot, store, admin, cast):
    from desktop.services.authorities import add_authority

    screen = make(qtbot, InquiryScreen, ViewContext(store, admin))
    assert screen.authority.findData("J9") == -1
    add_authority(store, admin, "J9", "دادگستری یزد", "judicial")
    qtbot.waitUntil(lambda: screen.authority.findData("J9") >= 0, timeout=5000)
