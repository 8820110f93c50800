"""The person file (پرونده شخص): one window per person with identity, numbers, personal
information, insurance relationships (table and timeline), dependants, the individual account,
archive, corrections and inquiries. Everything comes from `services.person_file`, loaded by a
background operation; edits go through `services.records`, which checks roles and keeps history.
The file reloads itself whenever a committed change touches this person, from any screen.

Other screens open it with `open_person_file(ctx, person_id, parent)`.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.enrolment import HEALTH_FIELDS
from desktop.domain.jalali import format_jalali
from desktop.domain.roles import allowed
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import GENDERS, INQUIRY_STATES, NUMBER_KINDS, PAPER_KINDS, RELATIONS
from desktop.services import records
from desktop.services.account import AccountLine
from desktop.services.changes import ChangeKind, Changes
from desktop.services.people import PersonRecord
from desktop.services.person_file import CorrectionRow, PersonFile, load_person_file
from desktop.services.sync import ConflictRow, open_conflicts

from .context import ScreenRequest, ViewContext
from .correction_form import CorrectionRequestDialog
from .messages import error_text, show_error
from .operations import Operation
from .person_file_account import account_lines_table
from .person_file_actions import RelationshipDialog, ScanDialog
from .person_file_parts import (
    IDENTITY_LABELS,
    PERSONAL_LABELS,
    PersonalEditDialog,
    money,
    shown,
    table,
)
from .rtl import VALUE_ALIGNMENT, code_run
from .timeline import RelationshipTimeline

_STATE_TITLES = dict(zip(INQUIRY_STATES, ("یافت نشد", "غیرفعال", "در دوره", "فعال"), strict=True))
_CORRECTION_STATUS = {"requested": "درخواست", "checked": "بررسی‌شده", "approved": "تایید",
                      "rejected": "رد", "applied": "اعمال‌شده"}


def open_person_file(ctx: ViewContext, person_id: uuid.UUID, parent: QWidget | None = None) -> PersonFileDialog:
    """Open (non-modal) the file of one person; the caller may keep the returned window."""
    dialog = PersonFileDialog(ctx, person_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


class PersonFileDialog(QDialog):
    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.person_id = ctx, person_id
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.resize(1100, 720)
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.tabs = QTabWidget()
        self.note = QLabel("")  # outcome of the last action, without a modal box to dismiss
        self.note.setWordWrap(True)
        self.note.hide()
        # A conflict HQ reported for this national code (enrolled at another branch too).
        self.conflict_line = QLabel("")
        self.conflict_line.setObjectName("warning")
        self.conflict_line.setStyleSheet("color: #c0392b")
        self.conflict_line.setWordWrap(True)
        self.conflict_line.hide()
        layout.addWidget(self.header)
        layout.addWidget(self.conflict_line)
        layout.addLayout(self._action_row(ctx.actor.role))
        layout.addWidget(self.note)
        layout.addWidget(self.tabs)
        self.timeline: RelationshipTimeline | None = None
        self.pfile: PersonFile | None = None
        self.header.setText("در حال بارگذاری پرونده…")
        self.setWindowTitle("پرونده شخص")
        ctx.changes.changed.connect(self._on_changes)
        self.reload()

    # --- building ------------------------------------------------------------------------
    def _action_row(self, role: str) -> QHBoxLayout:
        """What the clerk does from the file, each shown only to the roles its service allows
        (domain.roles); enabled once the file has loaded."""
        row = QHBoxLayout()
        self.add_relationship_button = QPushButton("افزودن ارتباط بیمه‌ای…")
        self.add_relationship_button.clicked.connect(lambda: self.relationship_dialog().open())
        self.add_scan_button = QPushButton("افزودن سند اسکن‌شده…")
        self.add_scan_button.clicked.connect(lambda: self.scan_dialog().open())
        self.request_correction_button = QPushButton("درخواست اصلاح سوابق…")
        self.request_correction_button.clicked.connect(self.request_correction)
        # The archive screen shows the papers themselves (viewer, versions, checklist).
        self.open_archive_button = QPushButton("پرونده اسناد در آرشیو")
        self.open_archive_button.clicked.connect(self.open_archive)
        for button, permission in ((self.add_relationship_button, "person.update"),
                                   (self.add_scan_button, "archive.add"),
                                   (self.request_correction_button, "correction.request"),
                                   (self.open_archive_button, "archive.add")):
            button.setVisible(allowed(role, permission))
            button.setEnabled(False)
            button.setAutoDefault(False)  # Enter in the file opens no dialog by itself
            row.addWidget(button)
        row.addStretch(1)
        return row

    def reload(self) -> None:
        store, actor, person_id = self.ctx.store, self.ctx.actor, self.person_id
        (Operation(self, lambda _job: load_person_file(store, actor, person_id))
         .on_success(self.show_file)
         .on_failure(self._load_failed)
         .run())

    def _load_failed(self, exc: BaseException) -> None:
        if self.pfile is None:  # nothing to show at all: say why, and close
            show_error(self.parentWidget(), exc, "پرونده شخص")
            self.close()
        else:
            self.note.show()
            self.note.setText(error_text(exc))

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches_person(self.person_id):
            self.reload()
        elif changes.touches(ChangeKind.SYNC):
            self._load_conflicts()

    def _load_conflicts(self) -> None:
        code = self.pfile.person.national_code if self.pfile else None
        if not code:
            return
        store, actor = self.ctx.store, self.ctx.actor
        Operation(self, lambda _job: open_conflicts(store, actor, code)).quietly() \
            .on_success(self._show_conflicts).run()

    def _show_conflicts(self, conflicts: list[ConflictRow]) -> None:
        branches = sorted({b for c in conflicts for b in c.branches})
        self.conflict_line.setText(
            "ناسازگاری باز در ستاد: این کد ملی در شعبه‌های "
            f"{'، '.join(code_run(b) for b in branches)} هم نام‌نویسی شده است؛ ستاد آن را بررسی می‌کند."
            if conflicts else "")
        self.conflict_line.setVisible(bool(conflicts))

    def show_file(self, f: PersonFile) -> None:
        self.pfile = f
        for button in (self.add_relationship_button, self.add_scan_button, self.request_correction_button,
                       self.open_archive_button):
            button.setEnabled(True)
        self.setWindowTitle(f"پرونده {f.full_name}")
        status = "<span style='color:#1e8449'>فعال</span>" if f.active else "<span style='color:#7f8c8d'>غیرفعال</span>"
        self.header.setText(f"<b style='font-size:15pt'>{f.full_name}</b> &nbsp; "
                            f"شماره تامین اجتماعی: {persian_digits(f.person.ssn)} &nbsp; وضعیت: {status}")
        current = self.tabs.currentIndex()
        self.tabs.clear()
        for title, build in (("هویت", self._identity_tab), ("شماره‌ها", self._numbers_tab),
                             ("اطلاعات شخصی", self._personal_tab), ("ارتباط‌های بیمه‌ای", self._relationships_tab),
                             ("افراد تبعی", self._dependants_tab), ("حساب انفرادی", self._account_tab),
                             ("آرشیو اسناد", self._archive_tab), ("اصلاح سوابق", self._corrections_tab),
                             ("استعلام‌ها", self._inquiries_tab)):
            self.tabs.addTab(build(f), title)
        self.tabs.setCurrentIndex(max(current, 0))
        self._load_conflicts()

    def _identity_tab(self, f: PersonFile) -> QWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        form = QFormLayout()
        for key, value in _identity_values(f.person):
            if key in ("national_code", "foreign_id") and not value:
                continue
            text = GENDERS.get(str(value), value) if key == "gender" else value
            value_label = QLabel(shown(key, text))
            value_label.setAlignment(VALUE_ALIGNMENT)  # digits-only values sit by their label
            form.addRow(f"{IDENTITY_LABELS[key]}:", value_label)
        self.requery_button = QPushButton("استعلام دوباره از ثبت احوال")
        self.requery_button.setEnabled(f.can_update)
        self.requery_button.clicked.connect(self.requery_identity)
        form.addRow(self.requery_button)
        layout.addLayout(form, 1)
        history = table(("فیلد", "مقدار پیشین", "مقدار تازه", "تاریخ", "کاربر"),
                        [(IDENTITY_LABELS.get(c.field, c.field), shown(c.field, c.old), shown(c.field, c.new),
                          persian_digits(c.at), c.user) for c in f.identity_changes])
        box = QVBoxLayout()
        box.addWidget(QLabel("تغییرهای هویتی (از استعلام ثبت احوال):"))
        box.addWidget(history)
        layout.addLayout(box, 1)
        return page

    def _numbers_tab(self, f: PersonFile) -> QWidget:
        return table(("نوع شماره", "شماره"), [(NUMBER_KINDS.get(n.kind, n.kind), code_run(n.value))
                                                 for n in f.numbers])

    def _personal_tab(self, f: PersonFile) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.personal_keys = [k for k in PERSONAL_LABELS if f.health_visible or k not in HEALTH_FIELDS]
        self.personal_table = table(("عنوان", "مقدار"),
                                    [(PERSONAL_LABELS[k], shown(k, _personal_value(f, k)))
                                     for k in self.personal_keys],
                                    min_rows=len(self.personal_keys))
        self.personal_table.cellDoubleClicked.connect(lambda row, _c: self.edit_personal(self.personal_keys[row]))
        edit = QPushButton("ویرایش مورد انتخاب‌شده…")
        edit.setEnabled(f.can_update)
        edit.clicked.connect(self._edit_selected)
        layout.addWidget(self.personal_table)
        layout.addWidget(edit, alignment=Qt.AlignmentFlag.AlignLeft)
        if not f.health_visible:
            layout.addWidget(QLabel("اطلاعات سلامت برای نقش شما نمایش داده نمی‌شود."))
        layout.addWidget(QLabel("آشنایان (بستگان یا دوستان):"))
        self.acquaintance_table = table(
            ("نام و نام خانوادگی", "کد ملی", "نشانی", "تلفن همراه"),
            [(a.full_name, shown("national_code", a.national_code), a.address or "—", shown("mobile", a.mobile))
             for a in f.acquaintances])
        layout.addWidget(self.acquaintance_table)
        layout.addWidget(QLabel("سابقه تغییرها:"))
        layout.addWidget(table(("فیلد", "مقدار پیشین", "مقدار تازه", "دلیل", "تاریخ", "کاربر"),
                               [(PERSONAL_LABELS.get(c.field, c.field), shown(c.field, c.old),
                                 shown(c.field, c.new), c.reason, persian_digits(c.at), c.user)
                                for c in f.personal_changes]))
        return page

    def _relationships_tab(self, f: PersonFile) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        rows = [(r.title, r.category_title, format_jalali(r.start, persian=True),
                 format_jalali(r.end, persian=True) if r.end else "ادامه دارد",
                 "فعال" if r.active else "پایان‌یافته", persian_digits(r.record.insurance_number),
                 r.record.workshop_name or r.record.main_insured_name or "—", persian_digits(r.record.branch))
                for r in f.relationships]
        rels = table(("نوع ارتباط", "نوع بیمه‌شده", "شروع", "پایان", "وضعیت", "شماره بیمه",
                      "کارگاه / بیمه‌شده اصلی", "شعبه"), rows, min_rows=1)
        rels.setMaximumHeight(rels.minimumHeight() + 4)
        layout.addWidget(rels)
        layout.addWidget(QLabel("نمودار زمانی ارتباط‌ها (زمان از راست به چپ؛ خط‌چین قرمز: امروز):"))
        self.timeline = RelationshipTimeline(f.relationships, f.today)
        layout.addWidget(self.timeline)
        layout.addStretch(1)
        return page

    def _dependants_tab(self, f: PersonFile) -> QWidget:
        return table(("نام", "نسبت", "کد ملی", "شماره تامین اجتماعی", "تاریخ تولد", "شروع", "پایان"),
                     [(f"{d.first_name} {d.last_name}", RELATIONS.get(d.relation, d.relation),
                       persian_digits(d.national_code or d.foreign_id or ""), persian_digits(d.ssn or ""),
                       format_jalali(d.birth_date, persian=True), format_jalali(d.start, persian=True),
                       format_jalali(d.end, persian=True) if d.end else "ادامه دارد") for d in f.dependants])

    def _account_tab(self, f: PersonFile) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        life = f.account_lifetime
        layout.addWidget(QLabel(
            f"کل سابقه: {persian_digits(life.days)} روز در {persian_digits(life.months)} ماه، "
            f"جمع دستمزد {money(life.wage_total)} ریال" if life else "کل سابقه: هنوز محاسبه نشده است."))
        layout.addWidget(QLabel("سالانه:"))
        layout.addWidget(table(("سال", "روز", "جمع دستمزد", "میانگین دستمزد"),
                               [(persian_digits(y.year), y.days, money(y.wage_total), money(y.average_wage))
                                for y in f.account_years]))
        layout.addWidget(QLabel("ماهانه (سطرهای سند؛ سطری را برگزینید و برای اصلاح آن Enter بزنید):"))
        self.account_table = account_lines_table(f.account_lines, self._open_ledger)
        self.account_table.activated.connect(lambda _index: self.request_line_correction())
        layout.addWidget(self.account_table)
        self.line_correction_button = QPushButton("درخواست اصلاح سطر برگزیده…")
        self.line_correction_button.setVisible(allowed(self.ctx.actor.role, "correction.request"))
        self.line_correction_button.setAutoDefault(False)
        self.line_correction_button.clicked.connect(self.request_line_correction)
        layout.addWidget(self.line_correction_button, alignment=Qt.AlignmentFlag.AlignLeft)
        return page

    def selected_line(self) -> AccountLine | None:
        if self.pfile is None:
            return None
        rows = {i.row() for i in self.account_table.selectedIndexes()}
        lines = self.pfile.account_lines
        return lines[row] if len(rows) == 1 and (row := rows.pop()) < len(lines) else None

    def correction_dialog(self, line: AccountLine) -> CorrectionRequestDialog:
        return CorrectionRequestDialog(self.ctx, line, self._action_done, self)

    def request_line_correction(self) -> None:
        """The clerk picked a monthly line in the individual account: the request form over it."""
        if not allowed(self.ctx.actor.role, "correction.request"):
            return
        line = self.selected_line()
        if line is None or not line.in_effect:
            self._action_done("سطری جاری از جدول ماهانه برگزینید؛ سطر اصلاح‌شده جای خود را به اصلاحیه داده است.")
            return
        self.correction_dialog(line).open()

    def _open_ledger(self, request_id: uuid.UUID) -> None:
        """A corrected line's link: the request and its ledger steps on the corrections screen."""
        if self.pfile is None:
            return
        label = f"{self.pfile.full_name} — شماره تامین اجتماعی {code_run(self.pfile.person.ssn)}"
        if not self.ctx.navigator.open(ScreenRequest("corrections", self.person_id, label, item=request_id)):
            self._action_done("صفحه «اصلاح سوابق» در این پنجره در دسترس نیست.")

    def _archive_tab(self, f: PersonFile) -> QWidget:
        return table(("شناسه", "نوع سند", "فصل", "بخش", "نسخه", "پرونده", "تاریخ اسکن"),
                     [(persian_digits(a.identifier), PAPER_KINDS.get(a.paper_kind, a.paper_kind), a.chapter,
                       a.section, a.version, a.filename, persian_digits(a.scanned_at)) for a in f.archive])

    def open_archive(self) -> None:
        """The archive screen of the main window, straight to this person's dossier."""
        if self.pfile is None:
            return
        label = f"{self.pfile.full_name} — شماره تامین اجتماعی {code_run(self.pfile.person.ssn)}"
        if not self.ctx.navigator.open(ScreenRequest("archive", self.person_id, label)):
            self._action_done("صفحه «آرشیو اسناد» در این پنجره در دسترس نیست.")

    def _corrections_tab(self, f: PersonFile) -> QWidget:
        return table(("دوره", "واحد درخواست‌کننده", "اجزا", "دلایل", "وضعیت", "تاریخ"),
                     [(persian_digits(c.period), c.requesting_unit, _components(c), c.reasons,
                       _CORRECTION_STATUS.get(c.status, c.status), persian_digits(c.created_at))
                      for c in f.corrections])

    def _inquiries_tab(self, f: PersonFile) -> QWidget:
        # «کد پیگیری», the letters' own words for it.
        return table(("کد پیگیری", "مرجع", "پاسخ", "از", "تا", "گواهی شخص", "تاریخ"),
                     [(code_run(i.tracking_code), i.authority, _STATE_TITLES.get(i.state, i.state),
                       persian_digits(i.from_date) or "—", persian_digits(i.to_date) or "—",
                       "بله" if i.certificate else "خیر", persian_digits(i.at)) for i in f.inquiries])

    # --- actions -------------------------------------------------------------------------
    def _edit_selected(self) -> None:
        row = self.personal_table.currentRow()
        if 0 <= row < len(self.personal_keys):
            self.edit_personal(self.personal_keys[row])

    def personal_edit_dialog(self, field: str) -> PersonalEditDialog:
        store, actor, person_id = self.ctx.store, self.ctx.actor, self.person_id

        def save(value: object, reason: str) -> None:  # runs on the operation's worker thread
            records.update_personal_info(store, actor, person_id, {field: value}, reason)

        assert self.pfile is not None
        return PersonalEditDialog(field, _personal_value(self.pfile, field), save, self)

    def edit_personal(self, field: str) -> None:
        # The file reloads from the change channel once the edit is committed.
        self.personal_edit_dialog(field).open()

    def relationship_dialog(self) -> RelationshipDialog:
        return RelationshipDialog(self.ctx, self.person_id, self._action_done, self)

    def scan_dialog(self) -> ScanDialog:
        return ScanDialog(self.ctx, self.person_id, self._action_done, self)

    def _action_done(self, note: str) -> None:
        # The tables themselves reload from the change channel once the change is committed.
        self.note.show()
        self.note.setText(note)

    def request_correction(self) -> None:
        """Open the corrections screen of the main window with this person's account, and show
        the account tab here, where a line is picked for the request form."""
        if self.pfile is None:
            return
        label = f"{self.pfile.full_name} — شماره تامین اجتماعی {code_run(self.pfile.person.ssn)}"
        heard = self.ctx.navigator.open(ScreenRequest("corrections", self.person_id, label))
        self.tabs.setCurrentIndex(5)  # حساب انفرادی
        self._action_done("صفحه «اصلاح سوابق» در پنجره اصلی برای این شخص باز شد؛ یا همین‌جا در «حساب "
                          "انفرادی» سطری را برگزینید و Enter بزنید." if heard else
                          "در «حساب انفرادی» سطری را برگزینید و Enter بزنید.")

    def requery_identity(self, approval: str | None = None) -> None:
        store, actor, person_id = self.ctx.store, self.ctx.actor, self.person_id
        self.requery_button.setEnabled(False)
        (Operation(self, lambda _job: records.requery_identity(store, actor, person_id,
                                                               committee_approval=approval))
         .on_success(self._requeried)
         .on_failure(lambda exc: self._requery_refused(exc, approval))
         .on_finished(lambda: self.requery_button.setEnabled(bool(self.pfile and self.pfile.can_update)))
         .run())

    def _requery_refused(self, exc: BaseException, approval: str | None) -> None:
        if getattr(exc, "field", None) == "committee_approval" and approval is None:
            given, ok = QInputDialog.getText(self, "مصوبه کمیته استانی", error_text(exc))
            if ok and given.strip():
                self.requery_identity(given)
                return
        show_error(self, exc, "استعلام ثبت احوال")

    def _requeried(self, changed: list[str]) -> None:
        self.note.show()
        self.note.setText("استعلام ثبت احوال: " + (
            "هویت با ثبت احوال یکسان است؛ تغییری نبود." if not changed else
            "تغییر ثبت شد در " + "، ".join(IDENTITY_LABELS.get(c, c) for c in changed)
            + " (مقدار پیشین در جدول تغییرها نگه داشته شد)."))


def _identity_values(p: PersonRecord) -> list[tuple[str, object]]:
    """The identity fields in IDENTITY_LABELS order; dates as Jalali text (`shown` adds digits)."""
    return [("first_name", p.first_name), ("last_name", p.last_name), ("father_name", p.father_name),
            ("national_code", p.national_code), ("foreign_id", p.foreign_id), ("ssn", p.ssn),
            ("birth_date", format_jalali(p.birth_date) or None),
            ("benefit_birth_date", format_jalali(p.benefit_birth_date) or None), ("gender", p.gender),
            ("birth_certificate_number", p.birth_certificate_number), ("place_of_issue", p.place_of_issue),
            ("death_date", format_jalali(p.death_date) or None), ("identity_complete", p.identity_complete),
            ("enrolled_branch", p.enrolled_branch)]


def _personal_value(f: PersonFile, key: str) -> object:
    """One personal-information field by its name (PERSONAL_LABELS' keys are PersonalDetails'
    fields); None when nothing is recorded or the role may not see it."""
    return getattr(f.personal, key) if f.personal is not None else None


def _components(c: CorrectionRow) -> str:
    if isinstance(c.components, str):
        return c.components
    return "، ".join(f"{k}: {persian_digits(v)}" for k, v in c.components)
