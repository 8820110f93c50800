"""The enrolment questionnaire (appendix 1) as validated values, and the choice of insurance number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import identifiers
from .errors import InvalidValue
from .jalali import parse_jalali, parse_optional
from .registry import Marriage, RegistryIdentity
from .text import normalise_text
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


def _require(data: dict[str, Any], key: str, fa: str) -> Any:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValue(f"«{fa}» لازم است.", f"{key} is required", field=key)
    return value


@dataclass(frozen=True)
class RelationshipInput:
    kind: str
    start: dt.date
    end: dt.date | None = None
    workshop_code: str | None = None
    orientation: str | None = None

    @classmethod
    def parse(cls, data: dict[str, Any]) -> RelationshipInput:
        if not isinstance(data, dict):
            raise InvalidValue("اطلاعات ارتباط بیمه‌ای لازم است.", "relationship object is required", field="relationship")
        kind = str(_require(data, "kind", "نوع ارتباط"))
        if kind not in MAIN_KINDS and kind not in EMPLOYER_KINDS:
            raise InvalidValue(
                f"نوع ارتباط «{kind}» برای بیمه‌شده اصلی یا کارفرما شناخته نیست (افراد تبعی از صفحه افراد تبعی ثبت می‌شوند).",
                f"unknown main-insured or employer kind {kind!r} (dependants use `dependant add`)",
                field="kind",
            )
        start = parse_jalali(str(_require(data, "start", "تاریخ شروع")), field="start")
        end = parse_optional(data.get("end"), field="end")
        if end is not None and end < start:
            raise InvalidValue("تاریخ پایان پیش از تاریخ شروع است.", "end is before start", field="end")
        workshop = data.get("workshop_code")
        workshop = identifiers.workshop_code(str(workshop)) if workshop else None
        if kind == "mandatory" and not workshop:
            raise InvalidValue("برای بیمه اجباری کد کارگاه لازم است.", "mandatory insurance needs a workshop_code", field="workshop_code")
        orientation = data.get("orientation")
        if kind == "self_employed":
            orientation = orientation or "other"
        if orientation is not None and orientation not in ORIENTATIONS:
            raise InvalidValue(f"گرایش «{orientation}» شناخته نیست.", f"unknown orientation {orientation!r}", field="orientation")
        return cls(kind, start, end, workshop, orientation)


def parse_personal(data: dict[str, Any] | None) -> dict[str, Any]:
    """Validate the personal-information fields that are present; unknown keys are refused."""
    out: dict[str, Any] = {}
    for key, raw in (data or {}).items():
        if key not in PERSONAL_FIELDS:
            raise InvalidValue(f"فیلد «{key}» در اطلاعات شخصی شناخته نیست.", f"unknown personal field {key!r}", field=key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            out[key] = None
        elif key in PERSONAL_VALIDATORS:
            out[key] = PERSONAL_VALIDATORS[key](str(raw))
        elif key in PERSONAL_CHOICES:
            if raw not in PERSONAL_CHOICES[key]:
                raise InvalidValue(f"مقدار «{raw}» برای «{key}» مجاز نیست.", f"{raw!r} is not a valid {key}", field=key)
            out[key] = raw
        elif key == "dependants_count":
            out[key] = _count(raw)
        else:
            out[key] = normalise_text(str(raw), field=key)
    return out


def _count(raw: Any) -> int:
    try:
        value = int(str(raw))
    except ValueError:
        value = -1
    if not 0 <= value <= 30:
        raise InvalidValue("تعداد افراد تبعی باید عددی بین ۰ و ۳۰ باشد.", "dependants_count must be 0..30", field="dependants_count")
    return value


@dataclass(frozen=True)
class EmployerInput:
    legal_name: str | None = None
    registration_number: str | None = None
    pays_premium: bool = False  # natural employers and managers may pay premiums (note to §1)

    @classmethod
    def parse(cls, kind: str, data: dict[str, Any] | None) -> EmployerInput | None:
        if kind not in EMPLOYER_KINDS:
            return None
        data = data or {}
        pays = bool(data.get("pays_premium", False))
        if kind == "employer_natural":
            return cls(pays_premium=pays)
        name = normalise_text(str(_require(data, "legal_name", "نام شرکت")), field="legal_name")
        reg = identifiers.normalise_identifier(str(_require(data, "registration_number", "شماره ثبت")))
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

    @classmethod
    def parse(cls, data: dict[str, Any]) -> EnrolmentInput:
        if not isinstance(data, dict):
            raise InvalidValue("پرسشنامه باید یک شیء JSON باشد.", "the questionnaire must be a JSON object")
        nc, fid = data.get("national_code"), data.get("foreign_id")
        if bool(nc) == bool(fid):
            raise InvalidValue(
                "یکی از «کد ملی» یا «شماره اختصاصی اتباع خارجی» (و فقط یکی) لازم است.",
                "exactly one of national_code or foreign_id is required",
                field="national_code",
            )
        rel = RelationshipInput.parse(data.get("relationship"))  # type: ignore[arg-type]
        return cls(
            national_code=identifiers.national_code(str(nc)) if nc else None,
            foreign_id=identifiers.foreign_id(str(fid)) if fid else None,
            relationship=rel,
            personal=parse_personal(data.get("personal")),
            employer=EmployerInput.parse(rel.kind, data.get("employer")),
            documents_seen=bool(data.get("documents_seen", True)),
        )


def parse_identity(data: dict[str, Any]) -> RegistryIdentity:
    """An identity for the local registry (`registry add`)."""
    nc, fid = data.get("national_code"), data.get("foreign_id")
    if bool(nc) == bool(fid):
        raise InvalidValue("یکی از کد ملی یا شماره اتباع لازم است.", "exactly one of national_code or foreign_id is required")
    gender = data.get("gender")
    if gender not in GENDERS:
        raise InvalidValue("جنسیت باید male یا female باشد.", "gender must be male or female", field="gender")
    marriages = tuple(
        Marriage(
            identifiers.national_code(str(_require(m, "spouse_national_code", "کد ملی همسر"))),
            parse_jalali(str(_require(m, "date", "تاریخ ازدواج")), field="marriage.date"),
            parse_optional(m.get("ended"), field="marriage.ended"),
            m.get("end_reason"),
        )
        for m in data.get("marriages") or []
    )
    opt_nc = {k: identifiers.national_code(str(data[k])) if data.get(k) else None
              for k in ("father_national_code", "mother_national_code")}
    return RegistryIdentity(
        first_name=normalise_text(str(_require(data, "first_name", "نام"))),
        last_name=normalise_text(str(_require(data, "last_name", "نام خانوادگی"))),
        father_name=normalise_text(str(data.get("father_name") or "")),
        birth_date=parse_jalali(str(_require(data, "birth_date", "تاریخ تولد")), field="birth_date"),
        gender=gender,
        national_code=identifiers.national_code(str(nc)) if nc else None,
        foreign_id=identifiers.foreign_id(str(fid)) if fid else None,
        birth_certificate_number=identifiers.normalise_identifier(str(data["birth_certificate_number"]))
        if data.get("birth_certificate_number") else None,
        place_of_issue=normalise_text(str(data["place_of_issue"])) if data.get("place_of_issue") else None,
        death_date=parse_optional(data.get("death_date"), field="death_date"),
        birth_date_changed_on=parse_optional(data.get("birth_date_changed_on"), field="birth_date_changed_on"),
        marriages=marriages,
        **opt_nc,
    )


def number_kind_for(kind: str, identity_complete: bool, has_premium: bool = True) -> str:
    """SPEC §1.3: permanent for main insured with complete identity; otherwise central temporary."""
    if kind in EMPLOYER_KINDS:
        return "central_temporary" if not has_premium else "permanent"
    return "permanent" if identity_complete else "central_temporary"
