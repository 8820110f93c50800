"""What a supervisor decides on (SPEC §5.2 step c): one request with the person, the old and the
new value of each component side by side, the line's history, the ledger's steps so far, the
reasons and the scanned form; approve or reject with a written reason, from the keyboard
(Ctrl+Shift+Y approves, Ctrl+Shift+N rejects; the reason field is where the cursor lands)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.corrections import FIELD_TITLES, STATUS_TITLES, STEP_TITLES
from desktop.domain.jalali import MONTHS_FA
from desktop.domain.text import persian_digits
from desktop.services.corrections import (
    CorrectionDetail,
    Decision,
    correction_detail,
    correction_form,
    decide_correction,
    describe,
)

from .context import ViewContext
from .messages import error_text
from .operations import Operation
from .person_file_parts import money, table
from .rtl import code_run

CHANGED = "#fdebd0"  # the new value's cell: the eye goes to what changes


def diff_table(detail: CorrectionDetail) -> QTableWidget:
    """Component | value now | value asked for, one row per changed component."""
    rows = [(FIELD_TITLES.get(f, f), describe(f, old), describe(f, new)) for f, old, new in detail.view.changes]
    t = table(("جزء", "مقدار کنونی", "مقدار درخواستی"), rows, min_rows=len(rows) or 1)
    for r in range(len(rows)):
        item = t.item(r, 2)
        if item is not None:
            item.setBackground(QColor(CHANGED))
            font = item.font()
            font.setBold(True)
            item.setFont(font)
    return t


def history_table(detail: CorrectionDetail) -> QTableWidget:
    rows = [("سند ماهانه" if x.supersedes is None else "اصلاحیه", persian_digits(x.days), money(x.wage),
             persian_digits(x.rate), x.job or "—", code_run(x.workshop_code) if x.workshop_code else "—",
             "جاری" if x.in_effect else "جایگزین‌شده") for x in detail.history]
    return table(("سند", "روز", "دستمزد", "نرخ", "شغل", "کارگاه", "وضعیت"), rows, min_rows=2)


def steps_table(detail: CorrectionDetail) -> QTableWidget:
    rows = [(persian_digits(s.seq), STEP_TITLES.get(s.step, s.step), s.user, persian_digits(s.at), s.detail)
            for s in detail.steps]
    return table(("ردیف دفتر", "گام", "کاربر", "زمان", "شرح"), rows, min_rows=2)


class DecisionPanel(QWidget):
    """Shows one request; `decided(Decision)` after a decision committed."""

    decided = Signal(object)

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: CorrectionDetail | None = None
        self.heading = QLabel("درخواستی برگزیده نشده است.")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.stale_line = QLabel("")
        self.stale_line.setStyleSheet("color: #b03a2e")
        self.stale_line.setWordWrap(True)
        self.stale_line.hide()
        self.body = QVBoxLayout()
        self.open_form_button = QPushButton("نمایش فرم اسکن‌شده")
        self.open_form_button.clicked.connect(self.open_form)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("دلیل تصمیم (لازم)")
        self.approve_button = QPushButton("تایید و اعمال (Ctrl+Shift+Y)")
        self.approve_button.setObjectName("primary")
        self.reject_button = QPushButton("رد درخواست (Ctrl+Shift+N)")
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        for keys, approve in (("Ctrl+Shift+Y", True), ("Ctrl+Shift+N", False)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda a=approve: self.decide(a))
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b03a2e")
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("دلیل:"))
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.stale_line)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.open_form_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.show_detail(None)

    def first_field(self) -> QWidget:
        return self.reason

    def load(self, request_id: uuid.UUID) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        Operation(self, lambda _job: correction_detail(store, actor, request_id)) \
            .on_success(self.show_detail).run()

    def show_detail(self, detail: CorrectionDetail | None) -> None:
        self.detail = detail
        self.message.setText("")
        while self.body.count():
            item = self.body.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        open_ = detail is not None and detail.view.status == "open"
        for widget in (self.reason, self.approve_button, self.reject_button):
            widget.setEnabled(open_)
        self.approve_button.setEnabled(open_ and detail is not None and not detail.stale)
        self.open_form_button.setVisible(bool(detail and detail.view.form_identifier))
        self.stale_line.setVisible(bool(detail and detail.stale))
        self.stale_line.setText("سطر سند از زمان ثبت این درخواست تغییر کرده است؛ درخواست کهنه است و "
                                "فقط رد می‌شود." if detail and detail.stale else "")
        if detail is None:
            self.heading.setText("درخواستی برگزیده نشده است.")
            return
        v = detail.view
        self.heading.setText(
            f"<b style='font-size:13pt'>{v.person_name}</b> — کد ملی {code_run(v.national_code or '—')}، "
            f"شماره تامین اجتماعی {code_run(v.ssn or '—')}<br>"
            f"سطر {MONTHS_FA[v.month - 1]} {persian_digits(v.year)}؛ درخواست از "
            f"{v.requested_by_name or v.requested_by} ({persian_digits(v.unit)}) در {persian_digits(v.requested_at)}؛ "
            f"وضعیت: {STATUS_TITLES.get(v.status, v.status)}"
            + (f"<br>تصمیم: {v.decided_by_name} — {v.decision_reason}" if v.decided_by else ""))
        side = QHBoxLayout()
        side.addWidget(self._box("اجزای سطر: کنونی و درخواستی", diff_table(detail)), 1)
        side.addWidget(self._box("دلایل درخواست", _wrapped(v.reasons)), 1)
        holder = QWidget()
        holder.setLayout(side)
        self.body.addWidget(holder)
        self.body.addWidget(self._box("سابقه این سطر", history_table(detail)))
        self.body.addWidget(self._box("گام‌های دفتر اصلاح", steps_table(detail)))

    @staticmethod
    def _box(title: str, content: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(content)
        return box

    def decide(self, approve: bool) -> None:
        detail = self.detail
        if detail is None or detail.view.status != "open" or not self.reject_button.isEnabled():
            return
        if approve and detail.stale:
            return
        if not self.reason.text().strip():
            self.message.setText("دلیل تصمیم را بنویسید؛ بی‌دلیل تصمیمی ثبت نمی‌شود.")
            self.reason.setFocus()
            return
        store, actor, rid, why = self.ctx.store, self.ctx.actor, detail.view.id, self.reason.text()
        self.approve_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        (Operation(self, lambda _job: decide_correction(store, actor, rid, approve=approve, reason=why))
         .on_success(self._decided)
         .on_failure(self._refused)
         .run())

    def _decided(self, decision: Decision) -> None:
        self.reason.clear()
        self.decided.emit(decision)
        self.load(decision.id)

    def _refused(self, exc: BaseException) -> None:
        self.message.setText(error_text(exc))
        if self.detail is not None:
            self.load(self.detail.view.id)  # e.g. it became stale meanwhile

    def open_form(self) -> None:
        if self.detail is None:
            return
        store, actor, rid = self.ctx.store, self.ctx.actor, self.detail.view.id

        def fetch(_job: object) -> Path | None:
            found = correction_form(store, actor, rid)
            if found is None:
                return None
            name, data = found
            folder = Path(tempfile.mkdtemp(prefix="branch-desk-form-"))
            path = folder / Path(name).name
            path.write_bytes(data)
            return path

        Operation(self, fetch).on_success(self._show_form).run()

    def _show_form(self, path: Path | None) -> None:
        if path is None:
            self.message.setText("فرم اسکن‌شده‌ای با این درخواست نیست.")
            return
        self.last_form = path
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
    return label
