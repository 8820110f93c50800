"""The progress dialog of a long operation: a label, a bar and «انصراف».

Not QProgressDialog: its `setValue` spins a nested event loop when the dialog is modal, so a
progress report could deliver the operation's end — and the dialog's own deletion — in the
middle of its own update (seen as segmentation faults under load). This one only paints.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SHOW_AFTER_MS = 300  # quick work finishes before any dialog flashes


class ProgressDialog(QDialog):
    canceled = Signal()

    def __init__(self, title: str, *, cancellable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title or "میز شعبه")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self.label = QLabel(title or "در حال انجام…")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first report with a total
        self.cancel_button = QPushButton("انصراف")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(self._cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        box = QVBoxLayout(self)
        box.addWidget(self.label)
        box.addWidget(self.bar)
        box.addLayout(buttons)
        self._cancellable = cancellable
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.timeout.connect(self.show)
        self._show_timer.start(SHOW_AFTER_MS)

    def report(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 0))
        if total > 0:
            self.bar.setValue(min(done, total))
        self.label.setText(text)

    def finish(self) -> None:
        self._show_timer.stop()
        self.hide()
        self.deleteLater()

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("در حال توقف…")
        self.canceled.emit()

    def reject(self) -> None:  # Escape or the window's close button
        if self._cancellable:
            self._cancel()
