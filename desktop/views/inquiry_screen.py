"""Inquiry of insurance relationship (استعلام ارتباط بیمه‌ای, SPEC §4): authority, national code,
optional Jalali period → the answer in Persian, the letter previewed, printed or saved.

The answer comes from the same service the `branch-desk inquiry` command calls, so both give
the same answer to the same question.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.inquiry import InquiryAnswer
from desktop.services.certificates import render_pdf
from desktop.services.inquiry import answer_inquiry

from .context import ViewContext
from .focus import EnterMovesOn
from .inquiry_parts import (
    answer_html,
    answer_label,
    authority_combo,
    message_label,
    run_letter,
    say,
)
from .letter_preview import beside_preview
from .widgets.jalali_date_edit import JalaliDateEdit


class Screen(QWidget):
    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.answer: InquiryAnswer | None = None
        title = QLabel("استعلام ارتباط بیمه‌ای")
        title.setObjectName("title")
        self.authority = authority_combo(ctx, self)
        self.national_code = QLineEdit()
        self.national_code.setPlaceholderText("کد ملی ده رقمی")
        self.national_code.setMaxLength(14)
        self.from_date = JalaliDateEdit()
        self.to_date = JalaliDateEdit()
        period = QHBoxLayout()
        period.addWidget(QLabel("از"))
        period.addWidget(self.from_date)
        period.addWidget(QLabel("تا"))
        period.addWidget(self.to_date)
        self.ask_button = QPushButton("استعلام (Enter)")
        self.ask_button.setObjectName("primary")
        self.ask_button.clicked.connect(self.ask)
        self.message = message_label()
        form = QFormLayout()
        form.addRow("مرجع استعلام‌کننده:", self.authority)
        form.addRow("کد ملی:", self.national_code)
        form.addRow("دوره (اختیاری):", period)
        hint = QLabel("برای استعلام در یک دوره هر دو تاریخ را وارد کنید؛ بدون دوره، وضعیت امروز پاسخ داده می‌شود.")
        hint.setObjectName("subtitle")
        hint.setWordWrap(True)
        self.result = answer_label()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(title)
        left_layout.addLayout(form)
        left_layout.addWidget(hint)
        left_layout.addWidget(self.ask_button)
        left_layout.addWidget(self.message)
        left_layout.addWidget(self.result, 1)
        self.preview = beside_preview(self, left)
        # Enter moves on through the fields (the Jalali dates too) and asks from the last one;
        # with no period typed, Enter in the national code asks at once.
        self.enter = EnterMovesOn(
            [self.authority, self.national_code, self.from_date, self.to_date], self.ask, self,
            required=2, rest_empty=lambda: not (self.from_date.text() or self.to_date.text()))
        self.setTabOrder(self.to_date.edit, self.ask_button)

    def first_field(self) -> QWidget:
        """The national code: the authority is remembered from the last inquiry."""
        return self.national_code if self.authority.currentData() else self.authority

    def ask(self) -> None:
        code = self.authority.currentData()
        if not code:
            say(self.message, "مرجع استعلام‌کننده را انتخاب کنید.", error=True)
            self.authority.setFocus()
            return
        store, actor = self.ctx.store, self.ctx.actor
        question = (code, self.national_code.text(), self.from_date.text() or None, self.to_date.text() or None)

        def make() -> tuple[InquiryAnswer, bytes]:
            answer = answer_inquiry(store, actor, *question)
            return answer, render_pdf(answer)

        self.clear_answer()  # a stale answer must never stay printable beside a new question
        say(self.message, "در حال استعلام…", error=False)
        run_letter(self, make, self.ask_button, self.message, self.show_answer)

    def clear_answer(self) -> None:
        self.answer = None
        self.result.setText("")
        self.preview.show_letter(None, [])

    def show_answer(self, answer: InquiryAnswer, pdf: bytes, pages: list[bytes]) -> None:
        self.answer = answer
        say(self.message, "پاسخ ثبت شد.", error=False)
        self.result.setText(answer_html(answer))
        self.preview.show_letter(pdf, pages, f"inquiry-{answer.tracking_code}.pdf")
