"""Pieces the inquiry, certificate and verification screens share."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget

from desktop.domain.inquiry import InquiryAnswer, Requester
from desktop.domain.letters import TABLE_HEADERS, letter_content
from desktop.services.authorities import list_authorities
from desktop.services.changes import ChangeKind, Changes

from .context import ViewContext
from .letter_preview import preview_pages
from .messages import error_text
from .operations import Operation
from .rtl import code_run, esc, rtl_html, rtl_table

STATE_TITLES = {
    "not_found": "اطلاعاتی یافت نشد",
    "not_active": "در سوابق موجود است؛ ارتباط بیمه‌ای فعال ندارد",
    "in_period": "در دوره خواسته‌شده ارتباط بیمه‌ای داشته است",
    "active": "ارتباط بیمه‌ای فعال دارد",
}


class AuthorityCombo(QComboBox):
    """The active authorities, loaded in the background and again whenever authorities change
    (a method slot, so the connection dies with the widget)."""

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setEditable(False)
        self.setPlaceholderText("مرجع را انتخاب کنید")
        ctx.changes.changed.connect(self._on_changes)
        self.load()

    def load(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        Operation(self, lambda _job: list_authorities(store, actor)).on_success(self._fill).run()

    def _fill(self, rows: list[Any]) -> None:
        chosen = self.currentData()
        self.clear()
        for a in rows:
            if a.active:
                self.addItem(f"{a.name} — {a.group_title}", a.code)
        self.setCurrentIndex(self.findData(chosen) if chosen else -1)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ChangeKind.AUTHORITIES):
            self.load()


def authority_combo(ctx: ViewContext, parent: QWidget | None = None) -> QComboBox:
    return AuthorityCombo(ctx, parent)


def select_authority(combo: QComboBox, code: str) -> None:
    combo.setCurrentIndex(combo.findData(code))


def message_label() -> QLabel:
    label = QLabel("")
    label.setObjectName("formError")
    label.setWordWrap(True)
    return label


def say(label: QLabel, text: str, *, error: bool) -> None:
    label.setObjectName("formError" if error else "formInfo")
    label.style().unpolish(label)
    label.style().polish(label)
    label.setText(text)


def answer_html(answer: InquiryAnswer, certificate: Requester | None = None) -> str:
    """The answer as the letter words it, in Persian, for the screen: right to left, the table's
    first column on the right as in the PDF, identifiers in written order (rtl.py)."""
    content = letter_content(answer, certificate)
    parts = [f"<h3>{esc(STATE_TITLES[answer.state])}</h3>",
             f"<p><b>{esc(content.authority)}</b> — {esc(content.date)} — کد پیگیری "
             f"{html.escape(code_run(content.tracking_code))}</p>"]
    parts += [f"<p>{esc(p)}</p>" for p in content.paragraphs]
    if content.table:
        parts.append(rtl_table([[esc(c) for c in row] for row in content.table],
                               [esc(h) for h in TABLE_HEADERS]))
    parts += [f"<p><b>{esc(label)}:</b> {esc(value)}</p>" for label, value in content.details]
    parts += [f"<p><i>{esc(line)}</i></p>" for line in content.closing]
    return rtl_html("".join(parts))


def answer_label() -> QLabel:
    label = QLabel("")
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def code_text(text: str) -> str:
    """A tracking code or passcode in Persian digits kept in written order inside RTL text
    (after Persian words its digit groups would otherwise swap around the dash)."""
    return code_run(text)


R = TypeVar("R")


def run_letter(owner: QWidget, make: Callable[[], tuple[R, bytes]], button: QPushButton, message: QLabel,
               show: Callable[[R, bytes, list[bytes]], None]) -> None:
    """The letter screens' one operation: record the answer and render its letter and preview
    pages off the GUI thread (`make` returns the result and its PDF), then `show` them; the
    button waits meanwhile, a refusal goes to the message line."""
    def work(_job: object) -> tuple[R, bytes, list[bytes]]:
        result, pdf = make()
        return result, pdf, preview_pages(pdf)

    button.setEnabled(False)
    (Operation(owner, work)
     .on_success(lambda done: show(*done))
     .on_failure(lambda exc: say(message, error_text(exc), error=True))
     .on_finished(lambda: button.setEnabled(True))
     .run())
