"""Verification of a certificate by an authority (استعلام سند با کد رمز, SPEC §4.5): tracking code
and passcode → the certificate as issued. Five wrong passcodes lock it for an hour."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.certificates import ShownCertificate, render_pdf, verify_certificate

from .context import ViewContext
from .focus import EnterMovesOn
from .inquiry_parts import answer_html, answer_label, message_label, run_letter, say
from .letter_preview import beside_preview


class Screen(QWidget):
    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.shown: ShownCertificate | None = None
        title = QLabel("تصدیق گواهی وضعیت ارتباط بیمه‌ای")
        title.setObjectName("title")
        self.tracking = QLineEdit()
        self.tracking.setPlaceholderText("کد پیگیری سیزده رقمی")
        self.passcode = QLineEdit()
        self.passcode.setPlaceholderText("کد رمز ده رقمی")
        self.passcode.setEchoMode(QLineEdit.EchoMode.Password)
        self.source = QLineEdit()
        self.source.setPlaceholderText("نام نهاد یا شخص درخواست‌کننده (اختیاری)")
        self.show_button = QPushButton("نمایش گواهی")
        self.show_button.setObjectName("primary")
        self.show_button.clicked.connect(self.verify)
        self.message = message_label()
        self.result = answer_label()
        form = QFormLayout()
        form.addRow("کد پیگیری:", self.tracking)
        form.addRow("کد رمز:", self.passcode)
        form.addRow("درخواست‌کننده:", self.source)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(title)
        column.addLayout(form)
        column.addWidget(self.show_button)
        column.addWidget(self.message)
        column.addWidget(self.result, 1)
        self.preview = beside_preview(self, left)
        # Enter: tracking code, then passcode, which shows the certificate unless a requester
        # is typed (optional), then the requester.
        self.enter = EnterMovesOn([self.tracking, self.passcode, self.source], self.verify, self,
                                  required=2, rest_empty=lambda: not self.source.text())
        self.setTabOrder(self.source, self.show_button)

    def verify(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        tracking, passcode, source = self.tracking.text(), self.passcode.text(), self.source.text().strip()
        self.passcode.clear()  # never left on screen, right or wrong

        def make() -> tuple[ShownCertificate, bytes]:
            shown = verify_certificate(store, actor, tracking, passcode, source=source)
            return shown, render_pdf(shown.answer, shown.requester)

        self.shown = None
        self.result.setText("")
        self.preview.show_letter(None, [])
        run_letter(self, make, self.show_button, self.message, self.show_certificate)

    def show_certificate(self, shown: ShownCertificate, pdf: bytes, pages: list[bytes]) -> None:
        self.shown = shown
        say(self.message, "گواهی معتبر است.", error=False)
        self.result.setText(answer_html(shown.answer, shown.requester))
        self.preview.show_letter(pdf, pages, f"certificate-{shown.tracking_code}.pdf")
