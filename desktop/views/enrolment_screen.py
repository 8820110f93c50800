"""Enrolment at the counter (نام‌نویسی, SPEC §2) as a guided, keyboard-first flow:
number → identity → relationship → personal information → questionnaire and photo → confirm →
SSN and insurance number → the registration slip, printed through Qt's print dialog (Persian;
no printer: said so, and the PDF may be saved). Work in progress is kept as a draft.

Every store, file and printing call runs as a background operation: the window keeps turning
while a number is looked up, a person enrolled or a slip rendered; while an enrolment runs its
button is disabled, so Enter pressed twice enrols once."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.domain.errors import Conflict
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import NUMBER_KINDS, RELATIONSHIP_TYPES
from desktop.services.archive import media_type_for
from desktop.services.enrolment import EnrolmentResult, enrol
from desktop.services.enrolment_lookup import write_registration_slip
from desktop.views.context import ViewContext

from .enrolment.drafts_ui import DraftBar, DraftKeeper
from .enrolment.enrol_steps import (
    IdentityStep,
    NumberStep,
    PapersStep,
    PersonalStep,
    RelationshipStep,
)
from .enrolment.fields import confirm, show_message
from .enrolment.flow import GuidedFlow
from .enrolment.live import expected_failure_text, fail_beside
from .enrolment.outcome import ConfirmPage, DonePage
from .messages import show_error
from .operations import Operation
from .person_file import open_person_file
from .printing import PdfPrinting
from .rtl import code_run

NUMBER, IDENTITY, RELATIONSHIP, PERSONAL, PAPERS, CONFIRM, DONE = range(7)


class Screen(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result: EnrolmentResult | None = None
        self.slip_path: Path | None = None
        self.submitting = self.rendering = False
        self._offered_drafts = False
        self._resume_target: int | None = None  # the step a resumed draft returns to
        self.number, self.identity = NumberStep(ctx), IdentityStep(ctx)
        self.relationship, self.personal, self.papers = RelationshipStep(ctx), PersonalStep(ctx), PapersStep(ctx)
        self.confirm_page = ConfirmPage(ctx, "۶. تایید و تخصیص شماره", "ثبت و تخصیص شماره تامین اجتماعی (Enter)")
        self.done = DonePage()
        self.slip_printing = PdfPrinting(self, self.done.info.setText)
        self.steps = [self.number, self.identity, self.relationship, self.personal, self.papers]
        self.flow = GuidedFlow([*self.steps, self.confirm_page, self.done])
        self.flow.route = self._route
        self.bar = DraftBar(ctx, "enrolment")
        self.keeper = DraftKeeper(ctx, "enrolment", self._draft_payload, self)
        self.bar.exclude = lambda: self.keeper.draft_id
        box = QVBoxLayout(self)
        box.addWidget(self.bar)
        box.addWidget(self.flow, 1)
        self._wire()
        self.flow.show_page(NUMBER)

    def _wire(self) -> None:
        for page in self.steps:
            page.changed.connect(self.keeper.touch)
        self.flow.entered.connect(self._entered)
        self.confirm_page.submit.connect(self.submit)
        self.number.open_file.clicked.connect(lambda: self._open_file(self._known_id()))
        self.confirm_page.open_file.clicked.connect(lambda: self._open_file(self._known_id()))
        self.done.open_file.clicked.connect(lambda: self._open_file(self.result.person_id if self.result else None))
        self.done.print_button.clicked.connect(self.print_slip)
        self.done.again.clicked.connect(self.start_over)
        self.bar.resume.connect(self.resume)
        self.bar.listed.connect(self._offer_drafts)
        self.keeper.saved.connect(lambda _id: self.bar.show_drafts())
        self.number.asked.answered.connect(self._resume_step)
        self.number.central_asked.answered.connect(self._resume_step)  # HQ asked after the store
        QShortcut(QKeySequence("Ctrl+S"), self, self._save_draft_now)
        QShortcut(QKeySequence("Ctrl+N"), self, self.start_over)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_slip)

    # --- routing -------------------------------------------------------------------------
    def _known(self) -> bool:
        p = self.number.preview
        return bool(p and p.known and not p.ssn)

    def _becoming_main(self) -> bool:
        """SPEC §2: an SSN held only as a dependant or employer; a main relationship now, with
        the questionnaire and without the personal-information form."""
        p = self.number.preview
        return bool(p and p.ssn and p.ssn_without_main)

    def _known_id(self) -> uuid.UUID | None:
        return self.number.preview.person_id if self.number.preview else None

    def _route(self) -> list[int]:
        """A person already known takes the short path: identity, relationship, SSN (SPEC §2)."""
        if self.result is not None:
            return [DONE]
        skip = {PERSONAL, PAPERS} if self._known() else {PERSONAL} if self._becoming_main() else set()
        return [i for i in range(DONE) if i not in skip]

    def _entered(self, index: int) -> None:
        p = self.number.preview
        self.flow.header.setText(f"{p.full_name} — {persian_digits(p.number)}" if p and index > NUMBER else "")
        if index == IDENTITY:
            self.identity.show_preview(self.number.preview)
        elif index == RELATIONSHIP:
            self.relationship.main_only = self._becoming_main()
        elif index == PAPERS:
            self.papers.configure(foreign="foreign_id" in self.number.keyed(),
                                  employer=self.relationship.employer() is not None,
                                  becoming_main=self._becoming_main())
        elif index == CONFIRM:
            self.confirm_page.show_summary(self._summary())

    def _summary(self) -> list[tuple[str, str]]:
        p = self.number.preview
        rel = self.relationship.relationship()
        rows = [("شماره:", code_run(p.number) if p else ""), ("نام:", p.full_name if p else ""),
                ("ارتباط:", RELATIONSHIP_TYPES.get(rel["kind"], ("", ""))[1]),
                ("تاریخ شروع:", self.relationship.start.persianText()),
                ("کارگاه:", self.relationship.workshop_label.text() if "workshop_code" in rel else "")]
        employer = self.relationship.employer() or {}
        rows += [("شرکت:", employer.get("legal_name", "")),
                 ("شماره ثبت:", code_run(employer["registration_number"])
                  if employer.get("registration_number") else "")]
        if self._becoming_main():
            rows += [("شماره تامین اجتماعی موجود:", code_run(p.ssn) if p and p.ssn else ""),
                     ("مدارک:", "، ".join(Path(x["path"]).name for x in self.papers.papers()) or "—")]
        elif not self._known():
            personal = self.personal.personal()
            count = personal.get("dependants_count")
            rows += [("تعداد افراد تبعی:", persian_digits(count) if count else ""),
                     ("آشنایان:", "، ".join(f"{a.get('first_name', '')} {a.get('last_name', '')}"
                                          for a in personal.get("acquaintances", [])))]
            rows.append(("مدارک:", "، ".join(Path(x["path"]).name for x in self.papers.papers()) or "—"))
        return rows

    # --- submit --------------------------------------------------------------------------
    def request(self) -> dict[str, Any]:
        """The questionnaire in the CLI's JSON shape (CLI.md, `enrol`)."""
        data: dict[str, Any] = {**self.number.keyed(), "relationship": self.relationship.relationship(),
                                "documents_seen": self.identity.seen.isChecked()}
        employer = self.relationship.employer()
        if employer:
            data["employer"] = employer
        if not self._known() and not self._becoming_main():  # SPEC §2: no personal form then
            data["personal"] = self.personal.personal()
        return data

    def _paper_paths(self) -> list[tuple[str, str]]:
        return [] if self._known() else [(p["kind"], p["path"]) for p in self.papers.papers()]

    def submit(self) -> None:
        """Enrol off the GUI thread; the button stays disabled until the answer is in."""
        if self.submitting or self.result is not None:
            return
        page = self.confirm_page
        request, papers, slot = self.request(), self._paper_paths(), self.keeper.slot
        store, actor = self.ctx.store, self.ctx.actor

        def work(_job: object) -> EnrolmentResult:
            result = enrol(store, actor, request, read_papers(papers))
            slot.discard(store, actor)  # enrolled: the draft goes, even if the screen closed meanwhile
            return result

        self.submitting = True
        page.submit_button.setEnabled(False)
        show_message(page.error, "")
        (Operation(self, work)
         .on_success(self._enrolled)
         .on_failure(self._refused)
         .on_finished(self._submit_finished)
         .run())

    def _enrolled(self, result: EnrolmentResult) -> None:
        self.result = result
        self.keeper.detach()
        self.flow.show_page(DONE)
        self.done.show_numbers([("شماره تامین اجتماعی", result.ssn)] +
                               [(NUMBER_KINDS.get(k, k), v) for k, v in result.numbers.items()])

    def _refused(self, exc: BaseException) -> None:
        page = self.confirm_page
        if isinstance(exc, Conflict):
            show_message(page.error, exc.fa + (f" (شماره تامین اجتماعی موجود: {persian_digits(exc.existing)})"
                                               if exc.existing and persian_digits(exc.existing) not in exc.fa else ""))
            page.open_file.setVisible(bool(exc.existing))
            return
        text = expected_failure_text(exc)
        if text is None:
            show_error(self, exc)
        else:
            show_message(page.error, text)

    def _submit_finished(self) -> None:
        self.submitting = False
        button = self.confirm_page.submit_button
        button.setEnabled(True)
        if self.flow.index() == CONFIRM:
            button.setFocus()  # disabling it moved the focus away; Enter tries again

    def print_slip(self) -> None:
        """Render the slip off the GUI thread (a copy stays in the store's slips folder), then
        Qt's print dialog; with no printer the clerk is told so and may save the PDF."""
        if self.result is None or self.rendering or self.slip_printing.busy:
            return
        folder = self.ctx.store.path.parent / "slips" if self.ctx.store.path else Path(tempfile.gettempdir())
        store, actor, ssn = self.ctx.store, self.ctx.actor, self.result.ssn

        def render(_job: object) -> tuple[Path, bytes]:
            folder.mkdir(parents=True, exist_ok=True)
            path = write_registration_slip(store, actor, ssn, folder / f"slip-{ssn}.pdf")
            return path, path.read_bytes()

        self.rendering = True
        self.done.info.setText("در حال ساختن برگه…")
        (Operation(self, render)
         .on_success(self._slip_ready)
         .on_failure(fail_beside(self, self.done.info.setText))
         .on_finished(lambda: setattr(self, "rendering", False))
         .run())

    def _slip_ready(self, slip: tuple[Path, bytes]) -> None:
        self.slip_path, pdf = slip
        self.slip_printing.print_pdf(pdf, title="چاپ برگه نام‌نویسی", suggested_name=self.slip_path.name)

    def _open_file(self, person_id: uuid.UUID | None) -> None:
        if person_id is not None:
            open_person_file(self.ctx, person_id, self)

    # --- drafts --------------------------------------------------------------------------
    def _draft_payload(self) -> tuple[dict[str, Any], str]:
        payload = {"step": self.flow.index(), "pages": [page.values() for page in self.steps]}
        p = self.number.preview
        title = " ".join(x for x in (persian_digits(self.number.number.text()), p.full_name if p else "") if x)
        return payload, title or "نام‌نویسی"

    def _save_draft_now(self) -> None:
        self.keeper.dirty = self.keeper.dirty or self.result is None
        self.keeper.save_now()

    def _offer_drafts(self, count: int) -> None:
        """On opening, drafts left unfinished take the focus (Enter resumes the newest) — unless
        the clerk has started typing meanwhile."""
        if self._offered_drafts or not count:
            return  # a draft still being written by a screen just closed is offered when it lands
        if self.keeper.revision == 0 and self.flow.index() == NUMBER:
            self._offered_drafts = True
            self.bar.resume_button.setFocus()

    def resume(self, draft_id: uuid.UUID) -> None:
        self.keeper.resume(self, draft_id, self._restore_pages)

    def _restore_pages(self, payload: dict[str, Any]) -> None:
        self.result = None
        for page, values in zip(self.steps, payload.get("pages", []), strict=False):
            page.restore(values)
        self.bar.show_drafts()
        target = min(int(payload.get("step", 0)), CONFIRM)
        self._go_when_answered(target)

    def _go_when_answered(self, target: int) -> None:
        """A restored number is looked up again; the flow goes back to its step once the answer
        says which steps the route has."""
        self._resume_target = target
        self._resume_step()

    def _resume_step(self) -> None:
        if self._resume_target is None or self.number.waiting():
            return
        target, self._resume_target = self._resume_target, None
        self.flow.show_page(target if target in self._route() else NUMBER)

    def start_over(self) -> None:
        if self.submitting:
            return  # the enrolment under way decides what comes next
        if self.result is None and self.keeper.dirty and not confirm(self, "فرم نیمه‌کاره کنار گذاشته شود؟ (پیش‌نویس آن می‌ماند)"):
            return
        self.keeper.save_now()
        self.keeper.draft_id = None
        self.result = None
        self.keeper.paused = True
        for page in self.steps:
            page.reset()
        self.keeper.paused, self.keeper.dirty = False, False
        self.bar.show_drafts()
        self.flow.show_page(NUMBER)

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.keeper.save_now()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.keeper.save_now()
        super().closeEvent(event)


def read_papers(papers: list[tuple[str, str]]) -> list[tuple[str, str, bytes, str]]:
    """The scanned papers as the service takes them, read on the worker thread."""
    return [(kind, Path(path).name, Path(path).read_bytes(), media_type_for(path)) for kind, path in papers]
