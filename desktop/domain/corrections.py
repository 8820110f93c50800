"""The pure rules of a correction of an insurance document line (SPEC §5.2, step b).

A request names new values for some of a monthly line's components (days, wage, rate, job,
workshop). The values are parsed and bounded here; what needs the store (the line is in
effect, no other request is open on it, the workshop exists) is decided by the service and
reported with the reasons of this module, every one in Persian and English.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import jdatetime

from . import identifiers
from .errors import InvalidValue, Reason
from .text import ascii_digits, normalise_text, persian_digits

FIELDS = ("days", "wage", "rate", "job", "workshop_code")
FIELD_TITLES = {"days": "روزهای کارکرد", "wage": "دستمزد (ریال)", "rate": "نرخ حق بیمه (در هزار)",
                "job": "شغل", "workshop_code": "کد کارگاه"}
# A month's wage in rials: beyond a thousand billion is a typing slip, not a wage.
WAGE_MAX = 10**12
# Premium rate in per-mille: 30% is the employee's usual total; no scheme charges more than half.
RATE_MIN, RATE_MAX = 1, 500
JOB_MAX = 80
UNIT_MAX = 120
DECISION_REASON_MAX = 1000

STATUS_TITLES = {"open": "در انتظار تصمیم", "rejected": "ردشده", "applied": "تاییدشده و اعمال‌شده"}
STEP_TITLES = {"request": "درخواست", "check": "بررسی سامانه", "approve": "تایید", "reject": "رد",
               "apply": "اعمال"}


@dataclass(frozen=True)
class LineComponents:
    """What a correction may change in one monthly line; the workshop comes from its document."""

    days: int
    wage: int
    rate: int
    job: str
    workshop_code: str | None

    def get(self, field: str) -> Any:
        return getattr(self, field)

    def with_changes(self, changes: Mapping[str, Any]) -> LineComponents:
        values = {f.name: changes.get(f.name, getattr(self, f.name)) for f in fields(self)}
        return LineComponents(**values)


def month_length(year: int, month: int) -> int:
    """Days in a Jalali month: 31 in the first six, 30 in the next five, 29 or 30 in Esfand."""
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


def _bad(field: str, fa: str, en: str) -> InvalidValue:
    return InvalidValue(f"{FIELD_TITLES.get(field, field)}: {fa}", f"{field}: {en}", field=field)


def _whole(field: str, raw: object) -> int:
    if isinstance(raw, bool):
        raise _bad(field, "باید عدد صحیح باشد.", "must be a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        text = ascii_digits(normalise_text(raw, field=field)).replace(",", "").replace("٬", "")
        if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 20:
            return int(text)
    raise _bad(field, f"«{str(raw)[:40]}» عدد صحیح نیست.", f"{str(raw)[:40]!r} is not a whole number")


def parse_value(field: str, raw: object, year: int, month: int) -> int | str:
    """One new component value, parsed and bounded (InvalidValue, exit 2, otherwise)."""
    if field == "days":
        days, most = _whole(field, raw), month_length(year, month)
        if not 0 <= days <= most:
            raise _bad(field, f"باید از ۰ تا {persian_digits(most)} باشد (ماه {persian_digits(month)} سال "
                       f"{persian_digits(year)} {persian_digits(most)} روز دارد).",
                       f"must be from 0 to {most} ({year}/{month:02d} has {most} days)")
        return days
    if field == "wage":
        wage = _whole(field, raw)
        if not 0 <= wage <= WAGE_MAX:
            raise _bad(field, "نمی‌تواند منفی یا بیش از هزار میلیارد ریال باشد.",
                       f"must be from 0 to {WAGE_MAX}")
        return wage
    if field == "rate":
        rate = _whole(field, raw)
        if not RATE_MIN <= rate <= RATE_MAX:
            raise _bad(field, f"باید از {persian_digits(RATE_MIN)} تا {persian_digits(RATE_MAX)} در هزار باشد.",
                       f"must be from {RATE_MIN} to {RATE_MAX} per mille")
        return rate
    if field == "job":
        if not isinstance(raw, str):
            raise _bad(field, "باید متن باشد.", "must be text")
        job = normalise_text(raw, field=field)
        if not job or len(job) > JOB_MAX:
            raise _bad(field, f"باید از ۱ تا {persian_digits(JOB_MAX)} نویسه باشد.",
                       f"must be 1 to {JOB_MAX} characters")
        return job
    if field == "workshop_code":
        if not isinstance(raw, str):
            raise _bad(field, "باید ۱۰ رقم باشد.", "must be 10 digits")
        return identifiers.workshop_code(raw)
    raise InvalidValue(f"جزء «{str(field)[:40]}» اصلاح‌پذیر نیست؛ یکی از {'، '.join(FIELDS)}.",
                       f"{str(field)[:40]!r} cannot be corrected; one of {', '.join(FIELDS)}", field="set")


def parse_changes(raw: Mapping[str, object], year: int, month: int) -> dict[str, int | str]:
    if not raw:
        raise InvalidValue("هیچ جزئی برای اصلاح داده نشد.", "no component to correct was given", field="set")
    return {field: parse_value(field, value, year, month) for field, value in raw.items()}


def text_field(raw: object, field: str, fa_name: str, limit: int, *, required: bool) -> str:
    if raw is not None and not isinstance(raw, str):
        raise InvalidValue(f"«{fa_name}» باید متن باشد.", f"{field} must be text", field=field)
    text = normalise_text(raw, field=field)
    if required and not text:
        raise InvalidValue(f"«{fa_name}» لازم است.", f"{field} is required", field=field)
    if len(text) > limit:
        raise InvalidValue(f"«{fa_name}» بیش از {persian_digits(limit)} نویسه است.",
                           f"{field} is longer than {limit} characters", field=field)
    return text


def differences(old: LineComponents, new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (old, new)} for the components that actually change, in FIELDS order."""
    return {f: (old.get(f), new[f]) for f in FIELDS if f in new and new[f] != old.get(f)}


def fingerprint(line_id: str, document_id: str, components: LineComponents, superseded: bool) -> str:
    """The line as a decision must find it: any change to it, or its being superseded, since
    the request was filed makes the request stale."""
    content = {"line": line_id, "document": document_id, "superseded": superseded,
               **{f.name: getattr(components, f.name) for f in fields(components)}}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the reasons a request is refused (exit 3) -------------------------------------------------

NOTHING_CHANGES = Reason("nothing_changes", "مقدارهای تازه همان مقدارهای کنونی سطر است؛ چیزی اصلاح نمی‌شود.",
                         "the new values equal the line's current values: nothing would change",
                         "دست‌کم یک جزء را تغییر دهید.")
NOT_IN_EFFECT = Reason("line_not_in_effect", "این سطر دیگر در حساب نیست: اصلاحیه‌ای جای آن را گرفته است.",
                       "the line is no longer in effect: a correction superseded it",
                       "اصلاح را روی سطر جاری همان ماه درخواست کنید.")
OPEN_REQUEST = Reason("open_request", "برای این سطر درخواست اصلاح دیگری باز است.",
                      "another correction request is open on this line",
                      "صبر کنید تا سرپرست درباره درخواست پیشین تصمیم بگیرد.")
STALE = Reason("stale", "سطر سند از زمان ثبت درخواست تغییر کرده است؛ درخواست کهنه است و تایید نمی‌شود.",
               "the document line changed since the request was filed: the request is stale",
               "درخواست را رد کنید و بر پایه سطر کنونی درخواست تازه ثبت کنید.")
ALREADY_DECIDED = Reason("already_decided", "درباره این درخواست پیش‌تر تصمیم گرفته شده است.",
                         "this request has already been decided")


def unknown_workshop(code: str) -> Reason:
    return Reason("unknown_workshop", f"کارگاهی با کد {persian_digits(code)} ثبت نشده است.",
                  f"no workshop with code {code}", "کد کارگاه را بررسی کنید یا نخست کارگاه را ثبت کنید.")


def request_problems(*, in_effect: bool, open_request: bool, workshop_known: bool,
                     workshop_code: str | None, changes: Mapping[str, object]) -> list[Reason]:
    """Every rule a request breaks, all at once (SPEC §5.2 "system checks")."""
    reasons = []
    if not in_effect:
        reasons.append(NOT_IN_EFFECT)
    if open_request:
        reasons.append(OPEN_REQUEST)
    if not workshop_known and workshop_code:
        reasons.append(unknown_workshop(workshop_code))
    if not changes:
        reasons.append(NOTHING_CHANGES)
    return reasons


CHECKS = ("values_valid", "something_changes", "line_in_effect", "no_open_request", "workshop_exists")
