"""The enrolment questionnaire (appendix 1) as validated values, and the choice of insurance number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import identifiers, shapes
from .errors import InvalidValue
from .jalali import parse_jalali, parse_optional
from .limits import RELATIONSHIP_START_AHEAD_DAYS
from .registry import Marriage, RegistryIdentity
from .text import ascii_digits, normalise_identifier, normalise_text, persian_digits
from .vocabulary import (
    BLOOD_GROUPS,
    EDUCATION,
    EMPLOYER_KINDS,
    GENDERS,
    MAIN_KINDS,
    MARITAL,
    MILITARY,
    ORIENTATIONS,
)

PERSONAL_VALIDATORS = {
    "postal_code": identifiers.postal_code,
    "phone": identifiers.phone,
    "mobile": identifiers.mobile,
    "iban": identifiers.iban,
}
PERSONAL_CHOICES: dict[str, Any] = {
    "education": EDUCATION, "marital_status": MARITAL, "military_status": MILITARY, "blood_group": BLOOD_GROUPS,
}
PERSONAL_TEXT = ("address", "special_disease", "medical_history")
HEALTH_FIELDS = frozenset({"special_disease", "blood_group", "medical_history"})
PERSONAL_FIELDS = (*PERSONAL_TEXT, *PERSONAL_VALIDATORS, *PERSONAL_CHOICES, "dependants_count")
CONTACT_FIELDS = frozenset({"address", "postal_code", "phone", "mobile"})
ACQUAINTANCES_KEY = "acquaintances"  # inside "personal": relatives or friends to reach (SPEC §1.2)
MAX_ACQUAINTANCES = 10


MARRIAGE_END_REASONS = ("divorce", "death")


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


@dataclass(frozen=True)
class RelationshipInput:
    kind: str
    start: dt.date
    end: dt.date | None = None
    workshop_code: str | None = None
    orientation: str | None = None

    @classmethod
    def parse(cls, data: Any, today: dt.date | None = None) -> RelationshipInput:
        """`today` bounds the start: at most RELATIONSHIP_START_AHEAD_DAYS ahead (default: the real day)."""
        data = shapes.obj(data, "relationship", "اطلاعات ارتباط بیمه‌ای")
        kind = shapes.required_text(data, "kind", "نوع ارتباط")
        if kind not in MAIN_KINDS and kind not in EMPLOYER_KINDS:
            raise InvalidValue(
                f"نوع ارتباط «{shapes.shown(kind)}» برای بیمه‌شده اصلی یا کارفرما شناخته نیست (افراد تبعی از صفحه افراد تبعی ثبت می‌شوند).",
                f"unknown main-insured or employer kind {shapes.shown(kind)!r} (dependants use `dependant add`)",
                field="kind",
            )
        latest_start = _today(today) + dt.timedelta(days=RELATIONSHIP_START_AHEAD_DAYS)
        start = parse_jalali(shapes.required_text(data, "start", "تاریخ شروع"), field="start", not_after=latest_start)
        end = parse_optional(shapes.text(data, "end", "تاریخ پایان"), field="end")
        if end is not None and end < start:
            raise InvalidValue("تاریخ پایان پیش از تاریخ شروع است.", "end is before start", field="end")
        workshop = shapes.text(data, "workshop_code", "کد کارگاه")
        workshop = identifiers.workshop_code(workshop) if workshop else None
        if kind == "mandatory" and not workshop:
            raise InvalidValue("برای بیمه اجباری کد کارگاه لازم است.", "mandatory insurance needs a workshop_code", field="workshop_code")
        orientation = shapes.choice(data, "orientation", "گرایش", ORIENTATIONS)
        if kind == "self_employed":
            orientation = orientation or "other"
        return cls(kind, start, end, workshop, orientation)


@dataclass(frozen=True)
class AcquaintanceInput:
    """A relative or friend the organisation may reach the person through (SPEC §1.2)."""

    first_name: str
    last_name: str
    national_code: str | None = None
    address: str | None = None
    mobile: str | None = None

    @classmethod
    def parse(cls, raw: Any, index: int) -> AcquaintanceInput:
        fa = f"آشنای {index + 1}"
        data = shapes.obj(raw, f"acquaintances[{index}]", fa)
        unknown = set(data) - {"first_name", "last_name", "national_code", "address", "mobile"}
        if unknown:
            key = sorted(unknown)[0]
            raise InvalidValue(f"فیلد «{shapes.shown(key)}» در اطلاعات {fa} شناخته نیست.",
                               f"unknown acquaintance field {shapes.shown(key)!r}", field="acquaintances")

        def given(key: str, title: str, *, required: bool = False) -> str | None:
            value = shapes.text(data, key, f"{title} {fa}", required=required, field=f"acquaintances.{key}")
            return normalise_text(value, field=key) if value else None

        nc, mobile = given("national_code", "کد ملی"), given("mobile", "تلفن همراه")
        return cls(
            first_name=given("first_name", "نام", required=True) or "",
            last_name=given("last_name", "نام خانوادگی", required=True) or "",
            national_code=identifiers.national_code(nc) if nc else None,
            address=given("address", "نشانی"),
            mobile=identifiers.mobile(mobile) if mobile else None,
        )


def parse_acquaintances(data: Any) -> tuple[AcquaintanceInput, ...]:
    """The `acquaintances` list of the personal information (one or more, at most ten)."""
    raw = shapes.items(shapes.optional_obj(data, "personal", "اطلاعات شخصی").get(ACQUAINTANCES_KEY),
                       ACQUAINTANCES_KEY, "آشنایان")
    if len(raw) > MAX_ACQUAINTANCES:
        raise InvalidValue(f"بیش از {persian_digits(MAX_ACQUAINTANCES)} آشنا پذیرفته نمی‌شود.",
                           f"at most {MAX_ACQUAINTANCES} acquaintances", field=ACQUAINTANCES_KEY)
    return tuple(AcquaintanceInput.parse(item, i) for i, item in enumerate(raw))


def parse_personal(data: Any, *, with_acquaintances: bool = False) -> dict[str, Any]:
    """Validate the personal-information fields that are present; unknown keys are refused.
    `with_acquaintances` lets the `acquaintances` list through (read by parse_acquaintances)."""
    out: dict[str, Any] = {}
    for key, raw in shapes.optional_obj(data, "personal", "اطلاعات شخصی").items():
        if with_acquaintances and key == ACQUAINTANCES_KEY:
            continue
        if key not in PERSONAL_FIELDS:
            raise InvalidValue(f"فیلد «{shapes.shown(key)}» در اطلاعات شخصی شناخته نیست.",
                               f"unknown personal field {shapes.shown(key)!r}", field="personal")
        if key == "dependants_count":
            out[key] = None if raw is None or raw == "" else dependants_count(raw)
            continue
        value = shapes.text({key: raw}, key, key)
        if value is None:
            out[key] = None
        elif key in PERSONAL_VALIDATORS:
            out[key] = PERSONAL_VALIDATORS[key](value)
        elif key in PERSONAL_CHOICES:
            out[key] = shapes.choice({key: value}, key, key, PERSONAL_CHOICES[key])
        else:
            out[key] = normalise_text(value, field=key)
    return out


def dependants_count(raw: Any) -> int:
    """The number of dependants (appendix 4): 0–30, as a number or digits (Persian ones too)."""
    value = -1
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and len(raw) < 8:
        digits = ascii_digits(raw.strip())
        if digits.isascii() and digits.isdigit() and len(digits) < 4:
            value = int(digits)
    if not 0 <= value <= 30:
        raise InvalidValue("تعداد افراد تبعی باید عددی بین ۰ و ۳۰ باشد.", "dependants_count must be 0..30", field="dependants_count")
    return value


@dataclass(frozen=True)
class EmployerInput:
    legal_name: str | None = None
    registration_number: str | None = None
    pays_premium: bool = False  # natural employers and managers may pay premiums (note to §1)

    @classmethod
    def parse(cls, kind: str, data: Any) -> EmployerInput | None:
        if kind not in EMPLOYER_KINDS:
            return None
        data = shapes.optional_obj(data, "employer", "اطلاعات کارفرما")
        pays = shapes.flag(data, "pays_premium", "پرداخت حق بیمه")
        if kind == "employer_natural":
            return cls(pays_premium=pays)
        name = normalise_text(shapes.required_text(data, "legal_name", "نام شرکت"), field="legal_name")
        reg = normalise_identifier(shapes.required_text(data, "registration_number", "شماره ثبت"),
                                               field="registration_number")
        if not reg.isascii() or not reg.isdigit():
            raise InvalidValue("شماره ثبت شرکت باید عدد باشد.", "registration_number must be digits", field="registration_number")
        return cls(name, reg, pays)


@dataclass(frozen=True)
class EnrolmentInput:
    national_code: str | None
    foreign_id: str | None
    relationship: RelationshipInput
    personal: dict[str, Any] = field(default_factory=dict)
    employer: EmployerInput | None = None
    documents_seen: bool = True  # the clerk saw the original identity documents
    acquaintances: tuple[AcquaintanceInput, ...] = ()

    @property
    def health_given(self) -> bool:
        """Whether any health field (special disease, blood group, medical history) has a value."""
        return any(self.personal.get(k) is not None for k in HEALTH_FIELDS)

    @classmethod
    def parse(cls, data: Any, today: dt.date | None = None) -> EnrolmentInput:
        if not isinstance(data, dict):
            raise InvalidValue("پرسشنامه باید یک شیء JSON باشد.", "the questionnaire must be a JSON object")
        nc, fid = _one_of_codes(data)
        rel = RelationshipInput.parse(data.get("relationship"), today)
        return cls(
            national_code=identifiers.national_code(nc) if nc else None,
            foreign_id=identifiers.foreign_id(fid) if fid else None,
            relationship=rel,
            personal=parse_personal(data.get("personal"), with_acquaintances=True),
            employer=EmployerInput.parse(rel.kind, data.get("employer")),
            documents_seen=shapes.flag(data, "documents_seen", "مدارک اصلی دیده شد", True),
            acquaintances=parse_acquaintances(data.get("personal")),
        )


def _one_of_codes(data: dict[str, Any]) -> tuple[str | None, str | None]:
    nc = shapes.text(data, "national_code", "کد ملی")
    fid = shapes.text(data, "foreign_id", "شماره اختصاصی اتباع خارجی")
    if bool(nc) == bool(fid):
        raise InvalidValue(
            "یکی از «کد ملی» یا «شماره اختصاصی اتباع خارجی» (و فقط یکی) لازم است.",
            "exactly one of national_code or foreign_id is required",
            field="national_code",
        )
    return nc, fid


def parse_identity(data: Any, today: dt.date | None = None) -> RegistryIdentity:
    """An identity for the local registry (`registry add`): no birth, death or marriage in the future."""
    data = shapes.obj(data, "identity", "هویت")
    today = _today(today)
    nc, fid = _one_of_codes(data)
    gender = shapes.choice(data, "gender", "جنسیت", GENDERS, required=True)
    birth = parse_jalali(shapes.required_text(data, "birth_date", "تاریخ تولد"), field="birth_date", not_after=today)
    death = parse_optional(shapes.text(data, "death_date", "تاریخ فوت"), field="death_date", not_after=today)
    if death is not None and death < birth:
        raise InvalidValue("تاریخ فوت پیش از تاریخ تولد است.", "death_date is before birth_date", field="death_date")
    marriages = tuple(_marriage(m, today) for m in shapes.items(data.get("marriages"), "marriages", "ازدواج‌ها"))
    opt_nc = {k: identifiers.national_code(v) if (v := shapes.text(data, k, k)) else None
              for k in ("father_national_code", "mother_national_code")}
    certificate = shapes.text(data, "birth_certificate_number", "شماره شناسنامه")
    place = shapes.text(data, "place_of_issue", "محل صدور")
    return RegistryIdentity(
        first_name=normalise_text(shapes.required_text(data, "first_name", "نام"), field="first_name"),
        last_name=normalise_text(shapes.required_text(data, "last_name", "نام خانوادگی"), field="last_name"),
        father_name=normalise_text(shapes.text(data, "father_name", "نام پدر") or "", field="father_name"),
        birth_date=birth,
        gender=gender,  # type: ignore[arg-type]  # required=True: never None
        national_code=identifiers.national_code(nc) if nc else None,
        foreign_id=identifiers.foreign_id(fid) if fid else None,
        birth_certificate_number=normalise_identifier(certificate, field="birth_certificate_number")
        if certificate else None,
        place_of_issue=normalise_text(place, field="place_of_issue") if place else None,
        death_date=death,
        birth_date_changed_on=parse_optional(shapes.text(data, "birth_date_changed_on", "تاریخ تغییر تاریخ تولد"),
                                             field="birth_date_changed_on", not_after=today),
        earlier_certificate_annulled=shapes.flag(data, "earlier_certificate_annulled",
                                                 "ابطال شناسنامه پیشین", False),
        marriages=marriages,
        **opt_nc,
    )


def _marriage(raw: Any, today: dt.date) -> Marriage:
    m = shapes.obj(raw, "marriages[]", "ازدواج")
    spouse = identifiers.national_code(shapes.required_text(m, "spouse_national_code", "کد ملی همسر"))
    date = parse_jalali(shapes.required_text(m, "date", "تاریخ ازدواج", field="marriage.date"),
                        field="marriage.date", not_after=today)
    ended = parse_optional(shapes.text(m, "ended", "تاریخ پایان ازدواج", field="marriage.ended"),
                           field="marriage.ended", not_after=today)
    if ended is not None and ended < date:
        raise InvalidValue("پایان ازدواج پیش از تاریخ ازدواج است.", "marriage ended before it began",
                           field="marriage.ended")
    reason = shapes.text(m, "end_reason", "دلیل پایان ازدواج", field="marriage.end_reason")
    if reason is not None and reason not in MARRIAGE_END_REASONS:
        raise InvalidValue("دلیل پایان ازدواج باید divorce یا death باشد.",
                           "marriage end_reason must be divorce or death", field="marriage.end_reason")
    return Marriage(spouse, date, ended, reason)


def number_kind_for(kind: str, identity_complete: bool, has_premium: bool = True) -> str:
    """SPEC §1.3: permanent for main insured with complete identity; otherwise central temporary."""
    if kind in EMPLOYER_KINDS:
        return "central_temporary" if not has_premium else "permanent"
    return "permanent" if identity_complete else "central_temporary"
