"""Certificates (SPEC §4.5): issued as if the authority asked, filed in the personal box,
read back with tracking code + passcode; five wrong passcodes lock it for an hour."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain.errors import InvalidValue, NotFound
from desktop.models import utcnow
from desktop.services.certificates import VerificationRefused, issue_certificate, verify_certificate
from desktop.services.hashchain import verify_chain

from ..conftest import count_rows
from .inquiry_helpers import MAIN_ADDRESS, pdf_text, setup_cast


@pytest.fixture
def cast(store, admin, registered):
    return setup_cast(store, admin, registered)


def attempts(store, code: str) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql(
            "SELECT outcome FROM certificate_attempt WHERE tracking_code = ? ORDER BY at", (code,))]


def test_issue_files_the_certificate_in_the_personal_box(store, clerk, users, cast, tmp_path):
    issued = issue_certificate(store, clerk, cast.main, "F1")
    assert issued.passcode == issued.requester.passcode and issued.answer.state == "active"
    cert = issued.as_json()  # CLI.md `certificate --json`
    assert cert["passcode"] == cert["certificate"]["passcode"] == issued.passcode
    assert cert["state"] == "active" and cert["authority"]["code"] == "F1" and cert["judicial"] is None
    assert cert["certificate"]["requester_name"] == "حسن کریمی"
    assert cert["certificate"]["requested_on"] == "1404/06/15"
    passcode = cert["certificate"]["passcode"]
    assert len(passcode.replace("-", "")) == 10
    with store.engine.connect() as conn:
        stored_hash, = conn.exec_driver_sql("SELECT passcode_hash FROM certificate").one()
        title, pdf = conn.exec_driver_sql("SELECT title, pdf FROM personal_box_item").one()
    assert passcode.replace("-", "") not in stored_hash and stored_hash.startswith("$argon2")
    assert "صندوق بازنشستگی کشوری" in title
    text = pdf_text(pdf, tmp_path)
    assert "درخواست" in text and "حسن کریمی" in text and passcode.replace("-", "") not in text
    assert verify_chain(store, users["supervisor"]).ok


def test_a_judicial_certificate_answers_as_the_court_would(store, clerk, cast):
    cert = issue_certificate(store, clerk, cast.main, "J1")
    assert cert.answer.judicial is not None and cert.answer.judicial.address == MAIN_ADDRESS


def test_the_authority_reads_it_with_the_passcode(store, clerk, users, cast):
    cert = issue_certificate(store, clerk, cast.main, "F1").as_json()
    shown = verify_certificate(store, users["letter_staff"], cert["tracking_code"],
                               cert["certificate"]["passcode"], source="صندوق بازنشستگی").as_json()
    assert shown["verified"] and shown["state"] == "active" and shown["tracking_code"] == cert["tracking_code"]
    assert shown["certificate"] == {k: cert["certificate"][k] for k in ("requester_name", "requester_gender",
                                                                       "requested_on")}
    assert "passcode" not in shown["certificate"] and attempts(store, cert["tracking_code"]) == ["shown"]


def test_five_wrong_passcodes_lock_for_an_hour(store, clerk, cast):
    cert = issue_certificate(store, clerk, cast.main, "F1")
    code, right = cert.tracking_code, cert.passcode
    wrong = "0000000000" if right.replace("-", "") != "0000000000" else "1111111111"
    now = utcnow()
    for i in range(5):
        with pytest.raises(VerificationRefused) as err:
            verify_certificate(store, clerk, code, wrong, now=now + dt.timedelta(minutes=i))
    assert err.value.locked_until is not None and "قفل" in err.value.fa
    # Locked: even the right passcode is refused, and that try is recorded too.
    with pytest.raises(VerificationRefused) as err:
        verify_certificate(store, clerk, code, right, now=now + dt.timedelta(minutes=30))
    assert err.value.outcome == "locked" and "دقیقه" in err.value.fa
    assert attempts(store, code) == ["wrong_passcode"] * 5 + ["locked"]
    # After the hour the right passcode works.
    shown = verify_certificate(store, clerk, code, right, now=now + dt.timedelta(minutes=65))
    assert shown.answer.state == "active" and shown.requester.passcode is None
    assert attempts(store, code)[-1] == "shown"


def test_a_wrong_passcode_says_how_many_tries_are_left(store, clerk, cast):
    cert = issue_certificate(store, clerk, cast.main, "F1")
    wrong = "1234567890" if cert.passcode != "12345-67890" else "1234567891"
    with pytest.raises(VerificationRefused) as err:
        verify_certificate(store, clerk, cert.tracking_code, wrong)
    assert "۴ بار" in err.value.fa and err.value.outcome == "wrong_passcode"


def test_unknown_code_is_recorded_and_malformed_input_writes_nothing(store, clerk, cast):
    cert = issue_certificate(store, clerk, cast.main, "F1")
    unknown = cert.tracking_code[:4] + "99999999"
    from desktop.domain.checkdigits import damm_digit
    unknown += str(damm_digit(unknown))
    with pytest.raises(NotFound):
        verify_certificate(store, clerk, unknown, "1234567890")
    assert attempts(store, unknown) == ["unknown"]
    before = count_rows(store, "certificate_attempt")
    with pytest.raises(InvalidValue):
        verify_certificate(store, clerk, cert.tracking_code[:-1] + "x", "1234567890")
    with pytest.raises(InvalidValue):
        verify_certificate(store, clerk, cert.tracking_code, "12")
    assert count_rows(store, "certificate_attempt") == before


def test_a_certificate_needs_an_enrolled_person_and_writes_nothing_otherwise(store, clerk, cast):
    before = count_rows(store, "inquiry_record"), count_rows(store, "certificate")
    with pytest.raises(NotFound):
        issue_certificate(store, clerk, cast.stranger, "F1")
    with pytest.raises(NotFound):
        issue_certificate(store, clerk, cast.main, "NOPE")
    assert (count_rows(store, "inquiry_record"), count_rows(store, "certificate")) == before


def test_a_missing_printing_module_fails_loudly_instead_of_giving_no_pdf(monkeypatch):
    """A broken installation must not quietly file a certificate without its letter."""
    import sys

    from desktop.services.certificates import render_pdf
    from tests.support.samples import sample_letters

    answer, requester = sample_letters()["certificate"]
    assert render_pdf(answer, requester).startswith(b"%PDF")
    monkeypatch.setitem(sys.modules, "desktop.printing.letters", None)  # import now fails
    with pytest.raises(ImportError):
        render_pdf(answer, requester)
