"""Designer forms (forms/*.ui, compiled by pyside6-uic at build time) whose rows join a form a
screen keeps in code — a guided step's page, an action dialog with error lines — rather than
being shown as they were laid out: the .ui names each field (its object name is the key), its
label, order, class (promoted widgets: ValidatedField, JalaliDateEdit) and look."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def take_rows(form: QFormLayout) -> list[tuple[str, QWidget]]:
    """(label text, field) of every row, in order, detached from the designed layout so another
    layout can take the fields; the designed labels are dropped (the taker makes its own)."""
    pairs: list[tuple[QWidget, QWidget]] = []
    for row in range(form.rowCount()):
        label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        label = label_item.widget() if label_item is not None else None
        field = field_item.widget() if field_item is not None else None
        assert isinstance(label, QLabel) and field is not None, f"row {row} needs a label and a field"
        pairs.append((label, field))
    rows = []
    for label, field in pairs:
        assert isinstance(label, QLabel)
        rows.append((label.text(), field))
        form.removeWidget(label)
        form.removeWidget(field)
        label.deleteLater()
    return rows
