"""The registration slip: a real PDF, rasterised with pdftoppm, its text read back with pdftotext."""

from __future__ import annotations

import subprocess

from desktop.domain.text import persian_digits
from desktop.services.enrolment import enrol
from desktop.services.enrolment_lookup import write_registration_slip

from ..factories import questionnaire


def test_slip_of_an_enrolled_person_renders_and_holds_the_ssn(store, clerk, registered, tmp_path):
    person = registered(first_name="مریم", last_name="احمدی", gender="female")
    result = enrol(store, clerk, questionnaire(person["national_code"]))
    pdf = write_registration_slip(store, clerk, result.ssn, tmp_path / "slip.pdf")
    assert pdf.stat().st_size > 1000

    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(tmp_path / "slip")], check=True)
    pngs = list(tmp_path.glob("slip*.png"))
    assert len(pngs) == 1 and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert persian_digits(result.ssn) in text
    assert persian_digits(person["national_code"]) in text
    assert persian_digits(result.numbers["permanent"]) in text
    assert "۱۴۰۴/۰۶/۱۵" in text  # the store's day, Jalali, Persian digits
