"""Issue 9 items 2 and 5: Persian rich text reads right to left — a table's first column on the
right, labels on the right of their values — and every code, passcode, national code and SSN is
one left-to-right run, the same in every place. Checked on the laid-out document Qt shows."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument, QTextTable

from desktop.domain.dependants import Verdict
from desktop.domain.letters import TABLE_HEADERS
from desktop.domain.text import persian_digits
from desktop.views.certificate_screen import Screen as CertificateScreen
from desktop.views.context import ViewContext
from desktop.views.enrolment.dependant_form import verdict_html
from desktop.views.enrolment.outcome import DonePage, summary_html
from desktop.views.inquiry_parts import select_authority
from desktop.views.inquiry_screen import Screen as InquiryScreen
from desktop.views.rtl import LRI, PDI, code_run

from ..services.inquiry_helpers import setup_cast
from .helpers import type_text, wait_for_operations


@pytest.fixture
def cast(store, admin, registered):
    return setup_cast(store, admin, registered)


def tables(rich: str) -> tuple[QTextDocument, list[QTextTable]]:
    doc = QTextDocument()
    doc.setHtml(rich)
    found: list[QTextTable] = []
    for frame in doc.rootFrame().childFrames():
        if isinstance(frame, QTextTable):
            found.append(frame)
    return doc, found


def cell_text(table: QTextTable, row: int, column: int) -> str:
    cell = table.cellAt(row, column)
    cursor = cell.firstCursorPosition()
    cursor.setPosition(cell.lastCursorPosition().position(), cursor.MoveMode.KeepAnchor)
    return cursor.selectedText()


def screen(qtbot, cls, ctx):
    shown = cls(ctx)
    qtbot.addWidget(shown)
    shown.resize(1200, 800)
    shown.show()
    wait_for_operations(qtbot)
    return shown


def test_the_inquiry_answer_table_starts_on_the_right_like_the_letter(qtbot, store, admin, cast):
    inquiry = screen(qtbot, InquiryScreen, ViewContext(store, admin))
    select_authority(inquiry.authority, "F1")
    type_text(inquiry.national_code, cast.ended)
    type_text(inquiry.from_date.edit, "۱۴۰۱/۰۶/۳۱")
    type_text(inquiry.to_date.edit, "۱۴۰۲/۰۱/۰۱")
    inquiry.ask_button.click()
    wait_for_operations(qtbot)
    doc, found = tables(inquiry.result.text())
    assert len(found) == 1
    table = found[0]
    last = table.columns() - 1
    # Qt lays table columns left to right: the last column is the rightmost one.
    assert cell_text(table, 0, last) == TABLE_HEADERS[0]
    assert cell_text(table, 0, 0) == TABLE_HEADERS[-1]
    assert doc.begin().blockFormat().layoutDirection() == Qt.LayoutDirection.RightToLeft


def test_the_passcode_reads_in_one_order_everywhere_on_the_certificate_screen(qtbot, store, admin,
                                                                             cast):
    issuer = screen(qtbot, CertificateScreen, ViewContext(store, admin))
    type_text(issuer.national_code, cast.main)
    select_authority(issuer.authority, "F1")
    issuer.issue_button.click()
    wait_for_operations(qtbot)
    issued = issuer.issued
    assert issued is not None
    for code in (issued.passcode, issued.tracking_code):
        digits = persian_digits(code)
        for text in (issuer.codes.text(), issuer.result.text()):
            where = [m.start() for m in re.finditer(re.escape(digits), text)]
            assert where, (code, text)
            for at in where:  # each time as one LTR isolate, nothing else around it
                assert text[at - 1] == LRI and text[at + len(digits)] == PDI


def test_enrolment_confirm_and_done_pages_put_labels_on_the_right():
    _doc, found = tables(summary_html([("شماره:", code_run("0012345678")), ("نام:", "علی رضایی")]))
    table = found[0]
    assert cell_text(table, 0, 1) == "شماره:" and cell_text(table, 1, 1) == "نام:"
    assert cell_text(table, 0, 0) == code_run("0012345678")

    page = DonePage()
    page.show_numbers([("شماره تامین اجتماعی", "800000021")])
    _doc, found = tables(page.numbers.text())
    assert cell_text(found[0], 0, 1) == "شماره تامین اجتماعی"
    assert cell_text(found[0], 0, 0) == f"{LRI}{persian_digits('800000021')}{PDI}"
    page.deleteLater()


def test_the_dependant_verdict_block_reads_right_to_left():
    doc = QTextDocument()
    doc.setHtml(verdict_html(Verdict(relation="child", eligible=False)))
    assert doc.begin().blockFormat().layoutDirection() == Qt.LayoutDirection.RightToLeft


def test_a_code_is_one_run_whatever_marks_it_came_with():
    assert code_run("\u202a42866-66465\u202c") == f"{LRI}۴۲۸۶۶-۶۶۴۶۵{PDI}"
    assert code_run("۴۲۸۶۶-۶۶۴۶۵") == code_run("42866-66465")
