"""The steps of enrolment (SPEC §2): number → identity → relationship → personal → papers."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QSizePolicy, QWidget

from desktop.domain import identifiers
from desktop.domain.enrolment import dependants_count
from desktop.domain.errors import DomainError
from desktop.domain.roles import allowed
from desktop.domain.text import normalise_identifier, persian_digits
from desktop.domain.vocabulary import EMPLOYER_KINDS
from desktop.services.central_record import (
    BroughtPerson,
    CentralRecord,
    ask_headquarters,
)
from desktop.services.enrolment_lookup import (
    IdentityPreview,
    identity_preview,
    personal_choices,
    relationship_kinds,
    workshop_name,
)
from desktop.views.central_bring import bring_button, bring_central_person
from desktop.views.widgets.jalali_date_edit import JalaliDateEdit

from ..forms.personal_information_ui import Ui_PersonalInformation
from ..rtl import code_run
from .fields import (
    FilePicker,
    ValidatedField,
    Validator,
    add_choices,
    choice,
    choice_box,
    fill_choices,
)
from .live import fail_beside
from .pages import StepPage

ID_TITLES = {"national_code": "کد ملی", "foreign_id": "شماره اختصاصی اتباع خارجی"}


def id_kind_of(text: str) -> str:
    """Twelve digits are a foreign national's id; anything else is read as a national code."""
    try:
        digits = normalise_identifier(text)
    except DomainError:
        return "national_code"
    return "foreign_id" if len(digits) == 12 else "national_code"


def check_number(text: str) -> str:
    return (identifiers.foreign_id if id_kind_of(text) == "foreign_id" else identifiers.national_code)(text)


class NumberStep(StepPage):
    """The national code (10 digits) or foreign id (12 digits), checked as typed; the registry's
    answer shows at once, so the clerk knows before pressing Enter."""

    title = "۱. کد ملی یا شماره اتباع"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.preview: IdentityPreview | None = None
        self.number = self.add("number", "کد ملی / شماره اتباع:",
                               ValidatedField(check_number, required=True, ltr=True, placeholder="۰۰۱۲۳۴۵۶۷۹"))
        self.kind_label = QLabel()
        self.kind_label.setObjectName("subtitle")
        self.form.addRow("نوع شناسه:", self.kind_label)
        self.open_file = QPushButton("باز کردن پرونده شخص")
        self.open_file.hide()
        self.form.addRow("", self.open_file)
        # A national code this store does not know may be someone enrolled at another branch:
        # headquarters is asked (briefly; offline is silent) before a fresh SSN is offered.
        self.central: CentralRecord | None = None
        self.bring = bring_button()
        self.bring.clicked.connect(self._bring)
        self.form.addRow("", self.bring)
        self.finish()
        self.asked = self.lookup()
        self.central_asked = self.lookup()
        self.number.changed.connect(self._look_up)

    def keyed(self) -> dict[str, str]:
        """{"national_code": …} or {"foreign_id": …}, normalised; {} while invalid."""
        text = self.number.text()
        if self.number.error() or not text.strip():
            return {}
        return {id_kind_of(text): check_number(text)}

    def _look_up(self) -> None:
        """Ask the registry and the store about the number as typed (off the GUI thread)."""
        self.preview = None
        keyed = self.keyed()
        self.kind_label.setText(ID_TITLES[id_kind_of(self.number.text())] if self.number.text().strip() else "")
        self.note.setText("")
        self.open_file.hide()
        self.central = None
        self.bring.hide()
        self.central_asked.drop()
        if not keyed:
            self.asked.drop()
            return
        store, actor = self.ctx.store, self.ctx.actor
        self.asked.ask(lambda _job: identity_preview(store, actor, **keyed), self._show_preview,
                       lambda exc: self.note.setText(exc.fa))

    def _show_preview(self, preview: IdentityPreview) -> None:
        self.preview = preview
        self.note.setText(self._describe())
        self.open_file.setVisible(bool(preview.ssn))
        code = self.keyed().get("national_code")
        if code and not preview.known:  # enrolled elsewhere need not be in this registry copy
            store, actor = self.ctx.store, self.ctx.actor
            self.central_asked.ask(lambda _job: ask_headquarters(store, actor, code),
                                   self._show_central, lambda _exc: None)

    def _show_central(self, record: CentralRecord) -> None:
        if not record.found:
            return  # not at HQ, HQ unreachable, or not joined: the counter carries on as it was
        self.central = record
        self.note.setText(self._describe())
        self.bring.setVisible(allowed(self.ctx.actor.role, "person.enrol"))

    def _bring(self) -> None:
        bring_central_person(self, self.ctx, self.central, self.bring, self._brought,
                             fail_beside(self, self.note.setText))

    def _brought(self, _brought: BroughtPerson) -> None:
        self._look_up()  # the store knows the person now: the usual path for a known SSN

    def _describe(self) -> str:
        p = self.preview
        if p is None:
            return ""
        c = self.central
        if c is not None and c.found:
            text = (f"{c.full_name} در شعبه {code_run(c.branch)} نام‌نویسی شده است؛ شماره تامین "
                    f"اجتماعی: {code_run(c.ssn)}. نام‌نویسی تازه با شماره تازه لازم نیست؛ "
                    "پرونده را از ستاد بیاورید.")
            if c.conflicts:
                text += " (ستاد این کد ملی را در بیش از یک شعبه ثبت‌شده می‌داند.)"
            return text
        if p.ssn and p.ssn_without_main:
            return (f"این شخص شماره تامین اجتماعی {code_run(p.ssn)} را فقط به عنوان فرد تبعی یا کارفرما "
                    "دارد؛ آغاز ارتباط بیمه‌شده اصلی با همین شماره ممکن است و پرسشنامه نام‌نویسی لازم است "
                    "(فرم اطلاعات شخصی لازم نیست).")
        if p.ssn:
            return (f"این شخص پیش‌تر نام‌نویسی شده است؛ شماره تامین اجتماعی: {code_run(p.ssn)}. "
                    "نام‌نویسی دوباره ممکن نیست؛ تغییرات از پرونده شخص ثبت می‌شود.")
        if not p.in_registry:
            return "این شماره در پایگاه ثبت احوال (یا اتباع) نیست؛ بدون هویت ثبت‌شده نام‌نویسی ممکن نیست."
        if p.dead_on_fa:
            return f"طبق ثبت احوال این شخص در {p.dead_on_fa} فوت کرده است."
        known = " — در این شعبه شناخته است (مسیر کوتاه)" if p.known else ""
        return f"{p.full_name}، فرزند {p.father_name}، متولد {p.birth_date_fa}{known}"

    def problem(self) -> str:
        error = self.field_problems()
        if error:
            return error
        p = self.preview
        if p is None:
            return "شماره را وارد کنید."
        if self.central is not None and self.central.found:
            return self._describe()  # enrolled elsewhere: bring the record, never a second SSN
        if (p.ssn and not p.ssn_without_main) or not p.in_registry or p.dead_on_fa:
            return self._describe()
        return ""


class IdentityStep(StepPage):
    """The registry's identity, read-only: a clerk never types an identity (SPEC §1.1)."""

    title = "۲. هویت از ثبت احوال"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.shown: dict[str, QLabel] = {}
        for key, label in (("full_name", "نام و نام خانوادگی:"), ("father_name", "نام پدر:"),
                           ("birth_date_fa", "تاریخ تولد:"), ("gender_fa", "جنسیت:"), ("known", "وضعیت:")):
            self.shown[key] = QLabel()
            self.form.addRow(label, self.shown[key])
        self.seen = self.add("documents_seen", "", QCheckBox("اصل مدارک هویتی را دیدم"))
        # Unticked until the clerk has actually looked at the originals (a tick by default
        # would be a claim nobody made).
        self.seen.setChecked(False)
        self.finish()

    def show_preview(self, p: IdentityPreview | None) -> None:
        for key, label in self.shown.items():
            value = getattr(p, key, "") if p else ""
            if key == "known":
                value = _standing(p)
            label.setText(str(value))


def _standing(p: IdentityPreview | None) -> str:
    """What this store already knows of the person, in the identity step's «وضعیت»."""
    if p is not None and p.ssn and p.ssn_without_main:
        return "شماره تامین اجتماعی دارد (فرد تبعی یا کارفرما): ارتباط بیمه‌شده اصلی با پرسشنامه ثبت می‌شود"
    if p is not None and p.known:
        return "در این شعبه شناخته است، بدون شماره تامین اجتماعی: فقط ارتباط ثبت می‌شود"
    return "شخص جدید"


class RelationshipStep(StepPage):
    title = "۳. ارتباط بیمه‌ای"
    main_only = False  # a person with an SSN as dependant/employer starts a main relationship here

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.kind = self.add("kind", "نوع ارتباط:", choice_box([]))  # filled from the store below
        self.workshop = self.add("workshop_code", "کد کارگاه:",
                                 ValidatedField(identifiers.workshop_code, ltr=True, placeholder="۱۰ رقم"))
        self.workshop_label = QLabel()
        self.form.addRow("نام کارگاه:", self.workshop_label)
        self.start = self.add("start", "تاریخ شروع:", JalaliDateEdit())
        self.orientation = self.add("orientation", "گرایش:", choice_box(personal_choices()["orientation"]))
        self.legal_name = self.add("legal_name", "نام شرکت:", ValidatedField(required=True))
        self.registration = self.add("registration_number", "شماره ثبت شرکت:",
                                     ValidatedField(_registration_number, required=True, ltr=True))
        self.finish()
        self.workshop_found: str | None = None  # the name of the workshop whose code is typed
        self.workshop_asked = self.lookup()
        self.kind.currentIndexChanged.connect(self._by_kind)
        self.workshop.changed.connect(self._workshop_name)
        self._by_kind()
        store = ctx.store
        self.lookup().ask(lambda _job: relationship_kinds(store, "main") + relationship_kinds(store, "employer"),
                          self._kinds_loaded)

    def _kinds_loaded(self, kinds: list[tuple[str, str]]) -> None:
        fill_choices(self.kind, kinds)
        self._by_kind()

    def _by_kind(self) -> None:
        kind = choice(self.kind)
        self.show_row("workshop_code", kind in ("mandatory", "short_term", "construction_worker"))
        self.workshop.required = self.visible("workshop_code")  # an employee names a workshop
        self.form.setRowVisible(self.workshop_label, self.visible("workshop_code"))
        self.show_row("orientation", kind == "self_employed")
        self.show_row("legal_name", kind == "employer_legal")
        self.show_row("registration_number", kind == "employer_legal")

    def _workshop_name(self) -> None:
        self.workshop_found = None
        code = self.workshop.text()
        if not code or self.workshop.error():
            self.workshop_asked.drop()
            self._show_workshop(None)
            return
        store, actor = self.ctx.store, self.ctx.actor
        self.workshop_asked.ask(lambda _job: workshop_name(store, actor, code), self._show_workshop)

    def _show_workshop(self, name: str | None) -> None:
        self.workshop_found = name
        shown = name or ("کارگاهی با این کد ثبت نشده است." if self.workshop.value() and not self.workshop.error() else "")
        self.workshop_label.setText(shown)
        self.workshop_label.setObjectName("formInfo" if name else "fieldError")
        self.workshop_label.style().polish(self.workshop_label)

    def problem(self) -> str:
        error = self.field_problems()
        if error:
            return error
        if self.start.date() is None:
            return "تاریخ شروع ارتباط را وارد کنید."
        if self.kind.count() == 0:
            return "فهرست انواع ارتباط هنوز بار نشده است."
        if self.main_only and choice(self.kind) in EMPLOYER_KINDS:
            return ("این شخص شماره تامین اجتماعی دارد؛ در این صفحه فقط ارتباط بیمه‌شده اصلی آغاز می‌شود "
                    "(ارتباط کارفرمایی از پرونده شخص).")
        if choice(self.kind) == "mandatory" and not self.workshop_found:
            return "برای بیمه اجباری کد کارگاهی ثبت‌شده لازم است."
        return ""

    def relationship(self) -> dict[str, Any]:
        kind = choice(self.kind)
        out: dict[str, Any] = {"kind": kind, "start": self.values()["start"]}
        if self.visible("workshop_code") and self.workshop.value():
            out["workshop_code"] = self.workshop.value()
        if kind == "self_employed":
            out["orientation"] = choice(self.orientation)
        return out

    def employer(self) -> dict[str, Any] | None:
        kind = choice(self.kind)
        if kind == "employer_legal":
            return {"legal_name": self.legal_name.value(), "registration_number": self.registration.value()}
        return {} if kind == "employer_natural" else None


def _registration_number(text: str) -> None:
    if not normalise_identifier(text).isdigit():
        raise DomainError("شماره ثبت شرکت باید عدد باشد.", "registration number must be digits")


ACQUAINTANCE_FIELDS: tuple[tuple[str, str, Validator | None], ...] = (
    ("first_name", "نام", None), ("last_name", "نام خانوادگی", None),
    ("national_code", "کد ملی", identifiers.national_code), ("address", "نشانی", None),
    ("mobile", "تلفن همراه", identifiers.mobile))
LTR_ACQUAINTANCE_FIELDS = frozenset({"national_code", "mobile"})


def acquaintance_key(index: int, name: str) -> str:
    """The form (and draft) key of an acquaintance's field: acq.1.first_name …"""
    return f"acq.{index}.{name}"


HEALTH_FIELDS = frozenset({"special_disease", "blood_group", "medical_history"})


class PersonalStep(StepPage):
    """Personal information (SPEC §1.2, appendix 4). Health fields (special disease, blood group,
    medical history) only for roles with person.health; acquaintances one or more (Ctrl+Shift+A
    adds another)."""

    title = "۴. اطلاعات شخصی"
    scrollable = True

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        lists = personal_choices()
        # The fields, their labels, order and look are forms/personal_information.ui (compiled
        # by pyside6-uic at build time); the validators and choice lists are the domain's. The
        # acquaintances below are genuinely dynamic (one more per Ctrl+Shift+A) and stay in code.
        sheet_holder = QWidget()
        self.sheet = Ui_PersonalInformation()
        self.sheet.setupUi(sheet_holder)
        sheet = self.sheet
        for field, validator in ((sheet.postal_code, identifiers.postal_code), (sheet.phone, identifiers.phone),
                                 (sheet.mobile, identifiers.mobile), (sheet.iban, identifiers.iban),
                                 (sheet.dependants_count, dependants_count)):
            field.validator = validator
        for box in (sheet.education, sheet.marital_status, sheet.military_status, sheet.blood_group):
            add_choices(box, lists[box.objectName()], blank="—")
        self.health = allowed(ctx.actor.role, "person.health")
        # Health data only for roles that need it (the service refuses it too).
        self.add_designed(sheet.form, skip=frozenset() if self.health else HEALTH_FIELDS)
        sheet_holder.deleteLater()
        self.more = QPushButton("افزودن آشنای دیگر (Ctrl+Shift+A)")
        self.more.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter walks the fields; the shortcut adds
        self.more.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # a button, not a field
        self.more.clicked.connect(lambda: self.add_acquaintance(focus=True))
        self.form.addRow("", self.more)
        self.acquaintances: list[tuple[QLabel, list[ValidatedField]]] = []
        self.add_acquaintance(focus=False)
        self.finish()
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, lambda: self.add_acquaintance(focus=True),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # --- acquaintances ---------------------------------------------------------------------
    def add_acquaintance(self, *, focus: bool) -> None:
        """Another acquaintance's fields, above the «add» button; the first is optional."""
        index = len(self.acquaintances) + 1
        position = self.form.getWidgetPosition(self.more)  # (row, role); typed `object` in the stubs
        row = int(position[0])  # type: ignore[index]
        heading = QLabel(f"آشنای {persian_digits(index)} (بستگان یا دوستان)")
        heading.setObjectName("subtitle")
        self.form.insertRow(row, heading)
        fields = []
        for offset, (name, title, validator) in enumerate(ACQUAINTANCE_FIELDS, start=1):
            field = ValidatedField(validator, ltr=name in LTR_ACQUAINTANCE_FIELDS)
            fields.append(self.add(acquaintance_key(index, name), f"{title}:", field, row=row + offset))
            field.setProperty("fieldTitle", f"{title} آشنای {persian_digits(index)}")
        # A layout shows a widget added to a visible form only once the event loop turns;
        # Enter (which skips hidden fields) must find them at once.
        for widget in (heading, *fields, *(self.form.labelForField(f) for f in fields)):
            if widget is not None:
                widget.show()
        self.acquaintances.append((heading, fields))
        if self.enter is not None:
            self._watch_focus(self.enter.extend(list(fields)))
        if focus:
            fields[0].setFocus(Qt.FocusReason.TabFocusReason)
            self.changed.emit()

    def _drop_acquaintances(self, keep: int) -> None:
        while len(self.acquaintances) > keep:
            heading, fields = self.acquaintances.pop()
            if self.enter is not None:
                self.enter.remove(list(fields))
            index = len(self.acquaintances) + 1
            for name, _title, _v in ACQUAINTANCE_FIELDS:
                key = acquaintance_key(index, name)
                self.named.pop(key)
                self.labels.pop(key)
            for field in fields:
                self.form.removeRow(field)
            self.form.removeRow(heading)

    def acquaintance_list(self) -> list[dict[str, str]]:
        out = []
        for _heading, fields in self.acquaintances:
            given = {name: f.text().strip() for (name, _t, _v), f in zip(ACQUAINTANCE_FIELDS, fields, strict=True)}
            given = {k: v for k, v in given.items() if v}
            if given:
                out.append(given)
        return out

    def problem(self) -> str:
        error = self.field_problems()
        if error:
            return error
        for i, _fields in enumerate(self.acquaintances, start=1):
            given = {k for k, v in self.values().items() if k.startswith(f"acq.{i}.") and v}
            if given and not {acquaintance_key(i, "first_name"), acquaintance_key(i, "last_name")} <= given:
                return f"نام و نام خانوادگی آشنای {persian_digits(i)} لازم است (یا همه فیلدهای او را خالی بگذارید)."
        return ""

    # --- values ----------------------------------------------------------------------------
    def personal(self) -> dict[str, Any]:
        """The `personal` object of the enrolment JSON (CLI.md)."""
        out = {k: v for k, v in self.values().items() if not k.startswith("acq.") and v not in (None, "")}
        acquaintances = self.acquaintance_list()
        if acquaintances:
            out["acquaintances"] = acquaintances
        return out

    def restore(self, values: dict[str, Any]) -> None:
        wanted = max([int(k.split(".")[1]) for k in values if k.startswith("acq.")] or [1])
        self._drop_acquaintances(wanted)
        while len(self.acquaintances) < wanted:
            self.add_acquaintance(focus=False)
        super().restore(values)

    def reset(self) -> None:
        self._drop_acquaintances(1)
        super().reset()


PAPERS = [("questionnaire", "پرسشنامه نام‌نویسی:"), ("photo", "عکس:"),
          ("residence_permit", "پروانه اقامت:"), ("work_permit", "پروانه کار:")]


class PapersStep(StepPage):
    """Questionnaire and photo, archived against the person once the SSN is given."""

    title = "۵. پرسشنامه و عکس"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.pickers = {key: self.add(key, label, FilePicker()) for key, label in PAPERS}
        self.finish()
        self.needs: tuple[str, ...] = ("questionnaire", "photo")

    def configure(self, *, foreign: bool, employer: bool, becoming_main: bool = False) -> None:
        self.show_row("residence_permit", foreign)
        self.show_row("work_permit", foreign)
        # SPEC §2: employers and dependants bring no questionnaire; a person with an SSN as a
        # dependant or employer who now starts as a main insured brings it (the photo is on file).
        if becoming_main:
            self.needs = ("questionnaire",)
        else:
            self.needs = () if employer else ("questionnaire", "photo")
        for key in ("questionnaire", "photo"):
            self.pickers[key].field.required = key in self.needs
        self.note.setText("این شخص شماره تامین اجتماعی را به عنوان فرد تبعی یا کارفرما دارد؛ برای آغاز "
                          "ارتباط بیمه‌شده اصلی پرسشنامه نام‌نویسی لازم است." if becoming_main else "")

    def papers(self) -> list[dict[str, str]]:
        return [{"kind": key, "path": str(self.pickers[key].path())}
                for key, _ in PAPERS if self.visible(key) and self.pickers[key].path()]
