"""The dependant request (SPEC §3): main insured, candidate, relation, papers — and the rules
engine's verdict beside it, recomputed as soon as any input changes (nothing is written). The
engine and the identity look-ups run off the GUI thread; only the newest question's answer shows."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QListWidget, QListWidgetItem, QPushButton, QWidget

from desktop.domain import identifiers
from desktop.domain.dependants import END_REASONS, Verdict
from desktop.domain.jalali import format_jalali
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import PAPER_KINDS
from desktop.services.archive import media_type_for
from desktop.services.dependants import check_dependant
from desktop.services.enrolment_lookup import identity_preview, paper_kinds, relationship_kinds
from desktop.views.widgets.jalali_date_edit import JalaliDateEdit

from ..rtl import rtl_html
from .fields import FilePicker, ValidatedField, choice, choice_box, fill_choices
from .pages import StepPage

# Papers whose validity depends on a date: a trial court order runs six months from its date,
# a certificate until its end.
DATED_PAPERS = {"court_order_trial", "court_order_final", "university_enrolment", "disability_certificate",
                "service_booklet", "service_certificate", "inspector_report", "commitment_form"}


PaperInput = tuple[str, str, bytes, str, dict[str, Any]]


class DependantForm(StepPage):
    title = "ثبت فرد تبعی"
    verdict_changed = Signal()  # a new verdict arrived, or the old one no longer stands

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.papers: list[dict[str, Any]] = []  # {"kind", "path", "date", "until"}
        self.verdict: Verdict | None = None
        self.main = self.add("main", "کد ملی بیمه‌شده اصلی:", ValidatedField(identifiers.national_code,
                                                                              required=True, ltr=True))
        self.main_label = self._info_row("بیمه‌شده اصلی:")
        self.candidate = self.add("candidate", "کد ملی فرد تبعی:", ValidatedField(identifiers.national_code,
                                                                                   required=True, ltr=True))
        self.candidate_label = self._info_row("هویت (ثبت احوال):")
        self.relation = self.add("relation", "نسبت:", choice_box([]))  # filled from the store below
        self.request_date = self.add("request_date", "تاریخ درخواست:", JalaliDateEdit(placeholder="امروز"))
        self.other_fund = self.add("other_fund", "", QCheckBox("زیر پوشش صندوق دیگری است"))
        self.paper_kind = self.add("paper_kind", "نوع مدرک:", choice_box([]))
        self.paper_file = self.add("paper_file", "فایل مدرک:", FilePicker())
        self.paper_date = self.add("paper_date", "تاریخ مدرک:", JalaliDateEdit())
        self.paper_until = self.add("paper_until", "معتبر تا:", JalaliDateEdit())
        self.add_paper_button = QPushButton("افزودن مدرک (Enter)")
        self.form.addRow("", self.add_paper_button)
        self.paper_list = QListWidget()
        self.paper_list.setMaximumHeight(90)
        self.form.addRow("مدارک:", self.paper_list)
        enter = self.finish()
        self.other_fund.setChecked(False)
        enter.done = self._enter_at_end
        self.add_paper_button.clicked.connect(self.add_paper)
        self.paper_list.itemActivated.connect(self._remove_paper)
        self.paper_kind.currentIndexChanged.connect(self._dated)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.main_asked, self.candidate_asked, self.engine = self.lookup(), self.lookup(), self.lookup()
        self.changed.connect(self.recheck)  # the engine answers at once; it only reads
        self.main.changed.connect(self._show_main)
        self.candidate.changed.connect(self._show_candidate)
        self._dated()
        store = ctx.store
        self.lookup().ask(lambda _job: (relationship_kinds(store, "dependant"), paper_kinds(store)),
                          self._lists_loaded)

    def _lists_loaded(self, lists: tuple[list[tuple[str, str]], list[tuple[str, str]]]) -> None:
        fill_choices(self.relation, lists[0])
        fill_choices(self.paper_kind, lists[1])
        self._dated()
        self.recheck()  # a draft restored before the lists came asks again with its relation

    def _info_row(self, title: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        self.form.addRow(title, label)
        return label

    def _dated(self) -> None:
        dated = choice(self.paper_kind) in DATED_PAPERS
        self.show_row("paper_date", dated)
        self.show_row("paper_until", dated)

    # --- identities shown as typed -----------------------------------------------------------
    def _preview(self, field: ValidatedField, asked: Any, show: Any) -> None:
        """Look the typed code up off the GUI thread; `show` gets the preview (None: nothing to show)."""
        if field.error() or not field.value():
            asked.drop()
            show(None)
            return
        store, actor, code = self.ctx.store, self.ctx.actor, field.value()
        asked.ask(lambda _job: identity_preview(store, actor, national_code=code), show, lambda _exc: show(None))

    def _show_main(self) -> None:
        self._preview(self.main, self.main_asked, self._main_shown)

    def _show_candidate(self) -> None:
        self._preview(self.candidate, self.candidate_asked, self._candidate_shown)

    def _main_shown(self, p: Any) -> None:
        if p is None:
            text = ""
        elif not p.ssn:
            text = "این شخص در این شعبه نام‌نویسی نشده است."
        else:
            text = f"{p.full_name} — شماره تامین اجتماعی {persian_digits(p.ssn)}"
        self.main_label.setText(text)

    def _candidate_shown(self, p: Any) -> None:
        if p is None:
            text = ""
        elif not p.in_registry:
            text = "در ثبت احوال پیدا نشد."
        else:
            text = f"{p.full_name}، فرزند {p.father_name}، متولد {p.birth_date_fa}، {p.gender_fa}"
        self.candidate_label.setText(text)

    # --- papers ------------------------------------------------------------------------------
    def _enter_at_end(self) -> None:
        """Enter past the last field adds the paper being described, if any."""
        if self.paper_file.text().strip():
            self.add_paper()
        else:
            self.advance.emit()

    def add_paper(self) -> None:
        path = self.paper_file.path()
        if path is None:
            self.paper_file.field.problem("فایل مدرک")
            return
        kind = choice(self.paper_kind)
        dated = kind in DATED_PAPERS
        paper = {"kind": kind, "path": str(path),
                 "date": format_jalali(self.paper_date.date()) if dated and self.paper_date.date() else "",
                 "until": format_jalali(self.paper_until.date()) if dated and self.paper_until.date() else ""}
        self.papers.append(paper)
        self.paper_file.setText("")
        self.paper_date.clear()
        self.paper_until.clear()
        self._show_papers()
        self.paper_kind.setFocus()
        self.changed.emit()

    def _show_papers(self) -> None:
        self.paper_list.clear()
        for p in self.papers:
            extra = "، ".join(x for x in (f"تاریخ {persian_digits(p['date'])}" if p["date"] else "",
                                          f"تا {persian_digits(p['until'])}" if p["until"] else "") if x)
            item = QListWidgetItem(f"{PAPER_KINDS.get(p['kind'], p['kind'])} — {Path(p['path']).name}"
                                   + (f" ({extra})" if extra else ""))
            item.setToolTip("Enter یا دوبار کلیک: حذف این مدرک")
            self.paper_list.addItem(item)

    def _remove_paper(self, item: QListWidgetItem) -> None:
        del self.papers[self.paper_list.row(item)]
        self._show_papers()
        self.changed.emit()

    # --- the live verdict ----------------------------------------------------------------------
    def request(self) -> tuple[tuple[str, str, str], dict[str, Any]]:
        args = (self.main.value(), self.candidate.value(), choice(self.relation))
        return args, {"request_date": self.request_date.date(), "other_fund": self.other_fund.isChecked()}

    def paper_inputs(self, *, with_data: bool) -> list[PaperInput]:
        return paper_inputs([dict(p) for p in self.papers], with_data=with_data)

    def recheck(self) -> None:
        """Ask the engine (no writing) as soon as the request is complete enough to judge."""
        self.verdict = None
        self.verdict_changed.emit()
        if (any(f.error() or not f.value() for f in (self.main, self.candidate)) or not self.request_date.isValid()
                or self.relation.count() == 0):
            self.engine.drop()
            self.note.setText("")
            return
        args, options = self.request()
        store, actor, papers = self.ctx.store, self.ctx.actor, self.paper_inputs(with_data=False)
        self.engine.ask(lambda _job: check_dependant(store, actor, *args, papers=papers, **options),
                        self._judged, self._not_judged)

    def _judged(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.note.setText(verdict_html(verdict))
        self.verdict_changed.emit()

    def _not_judged(self, exc: Exception) -> None:
        self.note.setText(f"<p style='color:#b3261e'>{html.escape(getattr(exc, 'fa', ''))}</p>")

    def show_refusal(self, verdict: Verdict) -> None:
        """The engine refused at registration (the store changed since the live answer)."""
        self.engine.drop()
        self.verdict = verdict
        self.note.setText(verdict_html(verdict))
        self.verdict_changed.emit()

    def problem(self) -> str:
        error = self.field_problems()
        if error:
            return error
        if self.waiting():
            return "پاسخ قواعد هنوز نرسیده است؛ لحظه‌ای صبر کنید."
        if self.verdict is None:
            return self.note.text() and "درخواست کامل یا درست نیست." or "درخواست کامل نیست."
        return "" if self.verdict.eligible else "طبق قواعد، این شخص فرد تبعی شناخته نمی‌شود؛ دلایل در کادر آمده است."

    # --- drafts --------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {**super().values(), "papers": list(self.papers)}

    def restore(self, values: dict[str, Any]) -> None:
        super().restore({k: v for k, v in values.items() if k != "papers"})
        self.papers = [dict(p) for p in values.get("papers", [])]
        self._show_papers()
        self.recheck()

    def reset(self) -> None:
        super().reset()
        self.other_fund.setChecked(False)
        self.papers = []
        self._show_papers()
        self.recheck()


def paper_inputs(papers: list[dict[str, Any]], *, with_data: bool) -> list[PaperInput]:
    """The papers as the service takes them; `with_data` reads the files (on a worker thread)."""
    out = []
    for p in papers:
        attrs = {k: p[k] for k in ("date", "until") if p[k]}
        data = Path(p["path"]).read_bytes() if with_data else b""
        out.append((p["kind"], Path(p["path"]).name, data, media_type_for(p["path"]), attrs))
    return out


def verdict_html(v: Verdict) -> str:
    head = ("<p style='color:#1e6b3a;font-size:13pt'><b>✔ واجد شرایط</b></p>" if v.eligible
            else "<p style='color:#b3261e;font-size:13pt'><b>✘ واجد شرایط نیست</b></p>")
    period = ""
    if v.start and v.eligible:
        period = f"<p>از {format_jalali(v.start, persian=True)}"
        if v.end:
            why = END_REASONS.get(v.end_reason or "", "")
            period += f" تا {format_jalali(v.end, persian=True)}" + (f" ({html.escape(why)})" if why else "")
        period += "</p>"
    reasons = "".join(
        f"<li>{html.escape(r.fa)}" + (f"<br/><span style='color:#1f6f78'>چاره: {html.escape(r.remedy_fa)}</span>"
                                      if r.remedy_fa else "") + "</li>" for r in v.reasons)
    needed = "، ".join(PAPER_KINDS.get(p, p) for p in v.papers_needed)
    notes = "".join(f"<p style='color:#5b6770'>{html.escape(n)}</p>" for n in v.notes_fa)
    return rtl_html(head + period + (f"<p><b>دلایل:</b></p><ul>{reasons}</ul>" if reasons else "")
                    + (f"<p><b>مدارک لازم:</b> {html.escape(needed)}</p>" if needed else "") + notes)
