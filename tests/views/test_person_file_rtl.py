"""Issue 9 items 2 and 7 in the person file: number-only values sit beside their labels, the
blood group reads «O+», identifiers are one LTR run, the tracking column is «کد پیگیری»."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget

from desktop.domain.text import persian_digits
from desktop.views.person_file_parts import shown
from desktop.views.rtl import LRI, PDI

from .test_person_file import open_file, person  # noqa: F401 - the fixture


def _headers(table: QTableWidget) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def test_person_file_values_sit_by_their_labels_and_read_in_order(qtbot, store, clerk, person):  # noqa: F811
    dialog = open_file(qtbot, store, clerk, person)
    code = next(label for label in dialog.findChildren(QLabel) if label.text().startswith(LRI)
                and label.text().endswith(PDI))
    assert code.alignment() & Qt.AlignmentFlag.AlignAbsolute and code.alignment() & Qt.AlignmentFlag.AlignRight
    tables = dialog.findChildren(QTableWidget)
    assert any(_headers(t)[0] == "کد پیگیری" for t in tables)
    assert not any("کد رهگیری" in _headers(t) for t in tables)
    personal = dialog.personal_table
    row = dialog.personal_keys.index("blood_group")
    item = personal.item(row, 1)
    assert item.text() == f"{LRI}O+{PDI}"
    assert item.textAlignment() & Qt.AlignmentFlag.AlignAbsolute


def test_identifiers_are_one_ltr_run():
    assert shown("national_code", "0012345678") == f"{LRI}{persian_digits('0012345678')}{PDI}"
    assert shown("blood_group", "O+") == f"{LRI}O+{PDI}"
