"""Certificate of insurance relationship for a person at the counter (گواهی وضعیت ارتباط بیمه‌ای,
SPEC §4.5): national code → receiving authority → certificate with its passcode, printed for the
person and filed in their personal box. The passcode is shown here once and never again."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.certificates import IssuedCertificate, issue_certificate, render_pdf

from .context import ViewContext
from .focus import EnterMovesOn
from .inquiry_parts import (
    answer_html,
    answer_label,
    authority_combo,
    code_text,
    message_label,
    run_letter,
    say,
)
from .letter_preview import beside_preview


class Screen(QWidget):
    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.issued: IssuedCertificate | None = None
        title = QLabel("صدور گواهی وضعیت ارتباط بیمه‌ای")
        title.setObjectName("title")
        hint = QLabel("هویت متقاضی را با مدرک شناسایی در باجه بررسی کنید؛ گواهی به نام نهادی که او انتخاب "
                      "می‌کند صادر و در صندوق شخصی او قرار می‌گیرد.")
        hint.setObjectName("subtitle")
        hint.setWordWrap(True)
        self.national_code = QLineEdit()
        self.national_code.setPlaceholderText("کد ملی متقاضی")
        self.authority = authority_combo(ctx, self)
        self.issue_button = QPushButton("صدور گواهی")
        self.issue_button.setObjectName("primary")
        self.issue_button.clicked.connect(self.issue)
        self.message = message_label()
        self.codes = QLabel("")
        self.codes.setObjectName("formInfo")
        self.codes.setStyleSheet("font-size: 13pt;")
        self.codes.setWordWrap(True)  # its long line must not push the letter's preview to a strip
        self.result = answer_label()
        form = QFormLayout()
        form.addRow("کد ملی متقاضی:", self.national_code)
        form.addRow("نهاد دریافت‌کننده:", self.authority)
        left = QWidget()
        column = QVBoxLayout(left)
        for w in (title, hint):
            column.addWidget(w)
        column.addLayout(form)
        for widget in (self.issue_button, self.message, self.codes):
            column.addWidget(widget)
        column.addWidget(self.result, 1)
        self.preview = beside_preview(self, left)
        # Enter: national code, then the receiving body, then issue.
        self.enter = EnterMovesOn([self.national_code, self.authority], self.issue, self)
        self.setTabOrder(self.authority, self.issue_button)

    def issue(self) -> None:
        code = self.authority.currentData()
        if not code:
            say(self.message, "نهاد دریافت‌کننده گواهی را انتخاب کنید.", error=True)
            return
        store, actor, national_code = self.ctx.store, self.ctx.actor, self.national_code.text()

        def make() -> tuple[IssuedCertificate, bytes]:
            issued = issue_certificate(store, actor, national_code, code)
            # The printed copy for the person carries the passcode; the box copy does not.
            return issued, render_pdf(issued.answer, issued.requester)

        self.issued = None
        self.codes.setText("")
        self.result.setText("")
        self.preview.show_letter(None, [])
        run_letter(self, make, self.issue_button, self.message, self.show_issued)

    def show_issued(self, issued: IssuedCertificate, pdf: bytes, pages: list[bytes]) -> None:
        self.issued = issued
        cert = issued.requester
        say(self.message, "گواهی صادر شد و در صندوق شخصی متقاضی قرار گرفت.", error=False)
        self.codes.setText(
            f"کد پیگیری: {code_text(issued.tracking_code)}<br>"
            f"کد رمز: {code_text(issued.passcode)} "
            "(فقط همین یک بار نمایش داده می‌شود؛ آن را چاپ کنید و به متقاضی بدهید.)")
        self.result.setText(answer_html(issued.answer, cert))
        self.preview.show_letter(pdf, pages, f"certificate-{issued.tracking_code}.pdf")
