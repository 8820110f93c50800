"""A guided flow: the list of steps beside a stack of step pages, moved through by keyboard
(Enter in a step's last field or Ctrl+Enter: next; Ctrl+Backspace: back)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .fields import show_message
from .pages import StepPage

WAITING = "در حال بررسی… (پس از رسیدن پاسخ به مرحله بعد می‌رود)"


class GuidedFlow(QWidget):
    entered = Signal(int)  # index of the page just shown

    def __init__(self, pages: list[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages = pages
        self.route: Callable[[], list[int]] = lambda: list(range(len(pages)))
        self.steps = QListWidget()
        self.steps.setObjectName("navigation")
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setFixedWidth(220)
        self.stack = QStackedWidget()
        for page in pages:
            self.steps.addItem(getattr(page, "title", ""))
            self.stack.addWidget(page)
            if isinstance(page, StepPage):
                page.advance.connect(self.go_next)
        self.status = QLabel()
        self.status.setObjectName("formError")
        self.status.setWordWrap(True)
        self.back = QPushButton("مرحله قبل (Ctrl+Backspace)")
        self.next = QPushButton("مرحله بعد (Ctrl+Enter)")
        self.next.setObjectName("primary")
        for button in (self.back, self.next):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab stays among the fields
        self.header = QLabel()  # who this flow is about, once known
        self.header.setObjectName("subtitle")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        body = QVBoxLayout()
        body.addWidget(self.header)
        body.addWidget(self.stack, 1)
        body.addLayout(buttons)
        row = QHBoxLayout(self)
        row.addWidget(self.steps)
        row.addLayout(body, 1)
        self.back.clicked.connect(self.go_back)
        self.next.clicked.connect(self.go_next)
        for keys, slot in (("Ctrl+Return", self.go_next), ("Ctrl+Enter", self.go_next),
                           ("Ctrl+Backspace", self.go_back)):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.show_page(0)

    def index(self) -> int:
        return self.stack.currentIndex()

    def current(self) -> QWidget | None:  # None only while the stack is empty
        return self.stack.currentWidget()

    def show_page(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        route = self.route()
        for i in range(self.steps.count()):
            item = self.steps.item(i)
            item.setHidden(i not in route)
        self.steps.setCurrentRow(index)
        show_message(self.status, "")
        last = route[-1] if route else index
        self.next.setEnabled(index != last)
        self.back.setEnabled(index != route[0] if route else False)
        page = self.current()
        self.entered.emit(index)
        if isinstance(page, StepPage):
            page.focus_first()

    def go_next(self) -> None:
        page = self.current()
        if isinstance(page, StepPage) and page.waiting():
            page.advance_when_answered()  # moves on by itself when the store has answered
            show_message(self.status, WAITING)
            return
        problem = page.problem() if isinstance(page, StepPage) else ""
        if problem:
            show_message(self.status, problem)
            return
        route = self.route()
        later = [i for i in route if i > self.index()]
        if later and self.next.isEnabled():
            self.show_page(later[0])

    def go_back(self) -> None:
        earlier = [i for i in self.route() if i < self.index()]
        if earlier and self.back.isEnabled():
            self.show_page(earlier[-1])
