"""The wording of the inquiry letters and certificates (SPEC §4.3–4.5, the Persian seed). Pure.

`letter_content(answer)` turns an answer in CLI.md's "Inquiry (inquiry --json)" shape into the
logical Persian lines of one letter; the printing layer only lays them out. The privacy rule is
enforced again here (defence in depth): addresses and phones are worded only for a judicial
authority asking about an active person, whatever else the dict carries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .jalali import MONTHS_FA
from .text import ascii_digits, persian_digits
from .vocabulary import CATEGORY_TITLES, HONORIFIC, RELATIONSHIP_TYPES

ORGANISATION = "سازمان تامین اجتماعی"
INQUIRY_TITLE = "استعلام ارتباط با سازمان تامین اجتماعی"
CERTIFICATE_TITLE = "گواهی وضعیت ارتباط بیمه‌ای"
SALUTATION = "با سلام"
TRACKING_LABEL = "کد پیگیری"
DATE_LABEL = "تاریخ بررسی"
TABLE_HEADERS = (
    "تاریخ شروع", "تاریخ پایان", "نوع رابطه", "نوع بیمه‌شده", "نسبت", "شماره بیمه", "شعبه",
)
OPEN_END = "ادامه دارد"
EMPTY = "—"
QR_PREFIX = "BDL1"

# A left-to-right embedding keeps an identifier's characters in written order inside Persian
# text (a phone «۰۲۱-۸۸۷۷۶۶۵۵» would otherwise print with its groups swapped).
_LRE, _PDF = "\u202a", "\u202c"


def ltr(text: object) -> str:
    return f"{_LRE}{text}{_PDF}"


def honorific(gender: str | None) -> str:
    """«آقای» or «خانم» by gender; both when the gender is unknown."""
    return HONORIFIC.get(gender or "", "آقای/خانم")


def long_date(jalali: str) -> str:
    """`1403/05/20` (any digits) → `۲۰ مرداد ۱۴۰۳`."""
    y, m, d = (int(part) for part in ascii_digits(jalali).split("/"))
    return persian_digits(f"{d} {MONTHS_FA[m - 1]} {y}")


def short_date(jalali: str | None) -> str:
    """`1403/05/20` → `۱۴۰۳/۰۵/۲۰`; an open end reads «ادامه دارد»."""
    return persian_digits(jalali) if jalali else OPEN_END


def identifier(value: object) -> str:
    """A national code, insurance number, phone or tracking code: Persian digits, LTR order."""
    return ltr(persian_digits(value)) if value not in (None, "") else EMPTY


def text(value: object) -> str:
    """Free text from the store (addresses, names): shown with Persian digits, as the letter is."""
    return persian_digits(value) if value not in (None, "") else EMPTY


def relation_title(code: str | None) -> str:
    if not code:
        return EMPTY
    return RELATIONSHIP_TYPES.get(code, ("", code))[1]


@dataclass(frozen=True)
class LetterContent:
    """One letter's logical Persian lines, top to bottom."""

    title: str
    authority: str
    date: str
    tracking_code: str
    paragraphs: list[str]
    table: list[list[str]] = field(default_factory=list)  # rows under TABLE_HEADERS
    details: list[tuple[str, str]] = field(default_factory=list)  # label, value
    closing: list[str] = field(default_factory=list)
    branch: str = ""


def _who(answer: dict[str, Any]) -> str:
    person = answer.get("person") or {}
    name = person.get("name") or EMPTY
    return (f"شماره ملی {identifier(answer.get('national_code'))} به نام "
            f"{honorific(person.get('gender'))} {name}")


def _period(answer: dict[str, Any]) -> tuple[str, str] | None:
    period = answer.get("period") or {}
    start, end = period.get("from") or answer.get("from"), period.get("to") or answer.get("to")
    return (short_date(start), short_date(end)) if start and end else None


def _examined(date: str) -> str:
    return f"درخواست شما در تاریخ {date} بررسی و نتیجه به شرح ذیل اعلام می‌گردد:"


def table_row(rel: dict[str, Any]) -> list[str]:
    """One relationship in the order of TABLE_HEADERS (first column prints at the right)."""
    insured = rel.get("insured_type")
    return [
        short_date(rel.get("start")),
        short_date(rel.get("end")) if rel.get("start") else EMPTY,
        rel.get("type_fa") or relation_title(rel.get("type")),
        rel.get("insured_type_fa") or CATEGORY_TITLES.get(insured or "", insured or EMPTY),
        rel.get("relation_fa") or relation_title(rel.get("relation")),
        identifier(rel.get("insurance_number")),
        persian_digits(rel.get("branch") or EMPTY),
    ]


def body(answer: dict[str, Any]) -> tuple[list[str], list[list[str]], list[tuple[str, str]]]:
    """The paragraphs, table rows and label/value details for the answer's state."""
    date = long_date(answer["date"])
    state = answer["state"]
    rows = [table_row(r) for r in answer.get("relationships") or []]
    if state == "not_found":
        period = _period(answer)
        within = f" در دوره {period[0]} تا {period[1]}" if period else ""
        return ([f"درخواست شما در تاریخ {date} بررسی شد و هیچ‌گونه اطلاعاتی با شماره ملی "
                 f"{identifier(answer.get('national_code'))}{within} یافت نگردید."], [], [])
    if state == "not_active":
        return ([_examined(date),
                 f"{_who(answer)} در پایگاه سازمان موجود ولیکن نامبرده در حال حاضر فاقد ارتباط "
                 "بیمه‌ای با این سازمان می‌باشد. ضمناً جزئیات آخرین ارتباط بیمه‌ای مشارالیه، "
                 "به شرح ذیل می‌باشد:"], rows[-1:], [])
    if state == "in_period":
        start, end = _period(answer) or (EMPTY, EMPTY)
        return ([_examined(date),
                 f"{_who(answer)} در پایگاه سازمان موجود و نامبرده در فاصله تاریخ {start} تا "
                 f"تاریخ {end} دارای ارتباط بیمه‌ای به شرح ذیل بوده است:"], rows, [])
    if state == "active":
        return _active(answer, date)
    raise ValueError(f"unknown inquiry state {state!r}")


def _active(answer: dict[str, Any], date: str):
    coverage = answer.get("coverage") or "main"
    kind = CATEGORY_TITLES.get(coverage, coverage)
    judicial = judicial_details(answer)
    if judicial and coverage == "main" and "workshop_name" in judicial:
        work = (f" به دلیل اشتغال در «{judicial.get('workshop_name') or EMPTY}» "
                f"به نشانی {text(judicial.get('workshop_address'))}")
        return ([_examined(date),
                 f"{_who(answer)} در پایگاه سازمان موجود و نامبرده در حال حاضر{work} در ردیف "
                 f"بیمه‌شدگان {kind} این سازمان قرار دارد.",
                 "ضمناً آخرین اطلاعات ثبت‌شده در مورد نشانی محل سکونت و شماره تماس نامبرده "
                 "به شرح زیر است:"],
                [], [("نشانی", text(judicial.get("address"))),
                     ("شماره تماس", identifier(judicial.get("phone")))])
    paragraphs = [_examined(date),
                  f"{_who(answer)} در پایگاه سازمان موجود و نامبرده در حال حاضر در ردیف "
                  f"بیمه‌شدگان {kind} این سازمان قرار دارد."]
    if judicial and coverage == "dependant" and "main_insured_name" in judicial:
        relation = judicial.get("relation_fa") or relation_title(judicial.get("relation"))
        paragraphs.append("ضمناً اطلاعات مربوط به بیمه‌شده اصلی نامبرده به شرح زیر است:")
        return (paragraphs, [], [
            ("نام و نام خانوادگی بیمه‌شده اصلی", judicial.get("main_insured_name") or EMPTY),
            ("نسبت به بیمه‌شده اصلی", relation),
            ("نشانی محل سکونت بیمه‌شده اصلی", text(judicial.get("address"))),
            ("شماره تماس بیمه‌شده اصلی", identifier(judicial.get("phone"))),
        ])
    return paragraphs, [], []


def judicial_details(answer: dict[str, Any]) -> dict[str, Any] | None:
    """The contact details a letter may print: only for a judicial authority and an active
    person (SPEC §4.4). A fund's letter gets None even if the dict wrongly carries them."""
    authority = answer.get("authority") or {}
    if authority.get("group") != "judicial" or answer.get("state") != "active":
        return None
    return answer.get("judicial") or None


def certificate_closing(certificate: dict[str, Any]) -> str:
    """SPEC §4.5: the sentence that ends a certificate."""
    return (f"این گواهی به درخواست {honorific(certificate.get('requester_gender'))} "
            f"{certificate.get('requester_name') or EMPTY} مورخ "
            f"{long_date(certificate['requested_on'])} صادر گردیده است.")


def passcode_line(tracking_code: str | None, passcode: str) -> str:
    """The person's printed copy tells the receiving authority how to view it (SPEC §4.5)."""
    return (f"مرجع گیرنده می‌تواند این گواهی را با کد پیگیری {identifier(tracking_code)} "
            f"و کد رمز {identifier(passcode)} مشاهده و تصدیق کند.")


def certificate_lines(answer: dict[str, Any], certificate: dict[str, Any] | None) -> list[str]:
    if not certificate:
        return []
    lines = [certificate_closing(certificate)]
    if certificate.get("passcode"):
        lines.append(passcode_line(answer.get("tracking_code"), str(certificate["passcode"])))
    return lines


def letter_content(answer: dict[str, Any], certificate: dict[str, Any] | None = None) -> LetterContent:
    paragraphs, table, details = body(answer)
    branch = answer.get("branch") or {}
    branch_line = ""
    if branch.get("name"):
        branch_line = branch["name"] if not branch.get("code") else (
            f"{branch['name']} (کد {identifier(branch['code'])})")
    return LetterContent(
        title=CERTIFICATE_TITLE if certificate else INQUIRY_TITLE,
        authority=(answer.get("authority") or {}).get("name") or EMPTY,
        date=long_date(answer["date"]),
        tracking_code=identifier(answer.get("tracking_code")),
        paragraphs=paragraphs,
        table=table,
        details=details,
        closing=certificate_lines(answer, certificate),
        branch=persian_digits(branch_line),
    )


def letter_digest(answer: dict[str, Any]) -> str:
    """16 hex digits over the fields verification re-reads from the inquiry record."""
    canonical = json.dumps(
        [answer.get("tracking_code") or "", answer.get("national_code") or "",
         answer.get("state") or "", ascii_digits(answer.get("date") or "")],
        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def qr_payload(answer: dict[str, Any]) -> str:
    """What the letter's QR code carries: `BDL1|<tracking code>|<digest>`."""
    digest = answer.get("digest") or letter_digest(answer)
    return f"{QR_PREFIX}|{answer.get('tracking_code') or ''}|{digest}"


def parse_qr_payload(payload: str) -> tuple[str, str]:
    """`BDL1|T|D` → (tracking code, digest); ValueError for anything else."""
    parts = payload.strip().split("|")
    if len(parts) != 3 or parts[0] != QR_PREFIX or not parts[1] or len(parts[2]) != 16:
        raise ValueError("not a Branch Desk letter code")
    return parts[1], parts[2]
