"""The person file's monthly account table: every document line, a corrected one marked as such
with a link to its request in the correction ledger (the corrections screen)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget

from desktop.domain.jalali import MONTHS_FA
from desktop.domain.text import persian_digits
from desktop.services.account import AccountLine

from .person_file_parts import money, table

HEADERS = ("سال", "ماه", "روز", "دستمزد", "نرخ", "شغل", "کارگاه", "شعبه", "وضعیت")


def line_state(line: AccountLine, lines: tuple[AccountLine, ...]) -> tuple[str, uuid.UUID | None]:
    """Its state in words, and the correction request to link to (None: nothing to link)."""
    if not line.in_effect:
        successor = next((x for x in lines if x.line_id == line.corrected_by), None)
        return "اصلاح‌شده — دیدن در دفتر اصلاح", successor.correction_id if successor else None
    if line.supersedes is not None:
        return "اصلاحیه — دیدن در دفتر اصلاح", line.correction_id
    return "جاری", None


def account_lines_table(lines: tuple[AccountLine, ...], open_ledger: Callable[[uuid.UUID], None]) -> QTableWidget:
    rows = [(persian_digits(x.year), MONTHS_FA[x.month - 1], x.days, money(x.wage), persian_digits(x.rate),
             x.job or "", persian_digits(x.workshop_code or "—"), persian_digits(x.branch), "")
            for x in lines]
    t = table(HEADERS, rows)
    for row, line in enumerate(lines):
        text, request = line_state(line, lines)
        cell = t.item(row, len(HEADERS) - 1)
        if request is None:
            if cell is not None:
                cell.setText(text)
            continue
        link = QLabel(f"<a href='{request.hex}'>{text}</a>")
        link.setTextFormat(Qt.TextFormat.RichText)
        link.setObjectName(f"ledger_link_{row}")
        link.linkActivated.connect(lambda href: open_ledger(uuid.UUID(hex=href)))
        t.setCellWidget(row, len(HEADERS) - 1, link)
        if not line.in_effect:  # the replaced line, greyed: it no longer counts
            for column in range(len(HEADERS) - 1):
                item = t.item(row, column)
                if item is not None:
                    item.setForeground(Qt.GlobalColor.gray)
    return t
