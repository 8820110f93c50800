"""Builds the QApplication and wires services into windows (replaced by the desktop shell work)."""

from __future__ import annotations


def run_gui(argv: list[str]) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(argv)
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    label = QLabel("میز شعبه")
    label.resize(480, 240)
    label.show()
    return app.exec()
