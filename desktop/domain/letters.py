"""The wording of the inquiry letters and certificates (SPEC §4.3–4.5, the Persian seed). Pure.

`letter_content(answer)` turns an InquiryAnswer (desktop.domain.inquiry) into the
logical Persian lines of one letter; the printing layer only lays them out. The privacy rule is
enforced again here (defence in depth): addresses and phones are worded only for a judicial
authority asking about an active person, whatever else the answer carries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .inquiry import (
    InquiryAnswer,
    Judicial,
    JudicialDependant,
    JudicialMain,
    RelationshipRow,
    Requester,
)
from .jalali import format_jalali, format_jalali_long
from .text import persian_digits
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
# «نوع رابطه» of a dependant's row: covered through a main insured (the seed's «کفالت»); the
# relation itself (همسر، فرزند…) goes in «نسبت», so the two cells never say the same thing.
DEPENDANT_RELATIONSHIP = "تحت تکفل"
QR_PREFIX = "BDL1"

# A left-to-right embedding keeps an identifier's characters in written order inside Persian
# text (a phone «۰۲۱-۸۸۷۷۶۶۵۵» would otherwise print with its groups swapped).
_LRE, _PDF = "\u202a", "\u202c"


def ltr(text: object) -> str:
    return f"{_LRE}{text}{_PDF}"


def honorific(gender: str | None) -> str:
    """«آقای» or «خانم» by gender; both when the gender is unknown."""
    return HONORIFIC.get(gender or "", "آقای/خانم")


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


def _who(answer: InquiryAnswer) -> str:
    person = answer.person
    name = (person.name if person else "") or EMPTY
    return (f"شماره ملی {identifier(answer.national_code)} به نام "
            f"{honorific(person.gender if person else None)} {name}")


def _period(answer: InquiryAnswer) -> tuple[str, str] | None:
    period = answer.period
    if period is None:
        return None
    return short_date(format_jalali(period.start)), short_date(format_jalali(period.end))


def _examined(date: str) -> str:
    return f"درخواست شما در تاریخ {date} بررسی و نتیجه به شرح ذیل اعلام می‌گردد:"


def table_row(rel: RelationshipRow) -> list[str]:
    """One relationship in the order of TABLE_HEADERS (first column prints at the right)."""
    insured = rel.insured_type
    kind = rel.type_fa or relation_title(rel.type)
    relation = rel.relation_fa or relation_title(rel.relation)
    if insured == "dependant":
        # A dependant's type code IS the relation (wife, son…): print it once, under «نسبت».
        kind, relation = DEPENDANT_RELATIONSHIP, relation if relation != EMPTY else kind
    elif relation == kind:
        relation = EMPTY
    return [
        short_date(format_jalali(rel.start)),
        short_date(format_jalali(rel.end) if rel.end else None),
        kind,
        rel.insured_type_fa or CATEGORY_TITLES.get(insured, insured or EMPTY),
        relation,
        identifier(rel.insurance_number),
        persian_digits(rel.branch or EMPTY),
    ]


Body = tuple[list[str], list[list[str]], list[tuple[str, str]]]


def body(answer: InquiryAnswer) -> Body:
    """The paragraphs, table rows and label/value details for the answer's state."""
    date = format_jalali_long(answer.date)
    state = answer.state
    rows = [table_row(r) for r in answer.relationships]
    if state == "not_found":
        period = _period(answer)
        within = f" در دوره {period[0]} تا {period[1]}" if period else ""
        return ([f"درخواست شما در تاریخ {date} بررسی شد و هیچ‌گونه اطلاعاتی با شماره ملی "
                 f"{identifier(answer.national_code)}{within} یافت نگردید."], [], [])
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


def _active(answer: InquiryAnswer, date: str) -> Body:
    coverage = answer.coverage or "main"
    kind = CATEGORY_TITLES.get(coverage, coverage)
    judicial = judicial_details(answer)
    if isinstance(judicial, JudicialMain) and coverage == "main":
        return ([_examined(date),
                 f"{_who(answer)} در پایگاه سازمان موجود و نامبرده در حال حاضر"
                 f"{_employment(judicial)} در ردیف بیمه‌شدگان {kind} این سازمان قرار دارد.",
                 "ضمناً آخرین اطلاعات ثبت‌شده در مورد نشانی محل سکونت و شماره تماس نامبرده "
                 "به شرح زیر است:"],
                [], [("نشانی", text(judicial.address)),
                     ("شماره تماس", identifier(judicial.phone))])
    paragraphs = [_examined(date),
                  f"{_who(answer)} در پایگاه سازمان موجود و نامبرده در حال حاضر در ردیف "
                  f"بیمه‌شدگان {kind} این سازمان قرار دارد."]
    if isinstance(judicial, JudicialDependant) and coverage == "dependant":
        relation = judicial.relation_fa or relation_title(judicial.relation)
        paragraphs.append("ضمناً اطلاعات مربوط به بیمه‌شده اصلی نامبرده به شرح زیر است:")
        return (paragraphs, [], [
            ("نام و نام خانوادگی بیمه‌شده اصلی", judicial.main_insured_name or EMPTY),
            ("نسبت به بیمه‌شده اصلی", relation),
            ("نشانی محل سکونت بیمه‌شده اصلی", text(judicial.address)),
            ("شماره تماس بیمه‌شده اصلی", identifier(judicial.phone)),
        ])
    return paragraphs, [], []


def _employment(judicial: JudicialMain) -> str:
    """The seed's «بدلیل اشتغال در کارگاه / شرکت (به نشانی …)», only as far as it is known.

    A main insured with no workshop (pensioner, voluntary, self-employed…) is insured by the
    relationship itself, not by working somewhere: the clause is left out rather than printed
    as «به دلیل اشتغال در «—» به نشانی —»."""
    name, address = judicial.workshop_name, judicial.workshop_address
    if not name and not address:
        return ""
    where = f"«{name}»" if name else "کارگاهی"
    at = f" به نشانی {text(address)}" if address else ""
    return f" به دلیل اشتغال در {where}{at}"


def judicial_details(answer: InquiryAnswer) -> Judicial | None:
    """The contact details a letter may print: only for a judicial authority and an active
    person (SPEC §4.4). A fund's letter gets None even if the answer wrongly carries them."""
    if answer.authority.group != "judicial" or answer.state != "active":
        return None
    return answer.judicial


def certificate_closing(certificate: Requester) -> str:
    """SPEC §4.5, in the seed's words and order: «این گواهی بنابه درخواست مورخ DATE
    آقای/خانم NAME صادر گردیده است.»"""
    return (f"این گواهی بنابه درخواست مورخ {format_jalali_long(certificate.requested_on)} "
            f"{honorific(certificate.gender)} {certificate.name or EMPTY} صادر گردیده است.")


def passcode_line(tracking_code: str | None, passcode: str) -> str:
    """The person's printed copy tells the receiving authority how to view it (SPEC §4.5)."""
    return (f"مرجع گیرنده می‌تواند این گواهی را با کد پیگیری {identifier(tracking_code)} "
            f"و کد رمز {identifier(passcode)} مشاهده و تصدیق کند.")


def certificate_lines(answer: InquiryAnswer, certificate: Requester | None) -> list[str]:
    if not certificate:
        return []
    lines = [certificate_closing(certificate)]
    if certificate.passcode:
        lines.append(passcode_line(answer.tracking_code, certificate.passcode))
    return lines


def letter_content(answer: InquiryAnswer, certificate: Requester | None = None) -> LetterContent:
    paragraphs, table, details = body(answer)
    branch = answer.branch
    branch_line = ""
    if branch is not None and branch.name:
        branch_line = branch.name if not branch.code else (
            f"{branch.name} (کد {identifier(branch.code)})")
    return LetterContent(
        title=CERTIFICATE_TITLE if certificate else INQUIRY_TITLE,
        authority=answer.authority.name or EMPTY,
        date=format_jalali_long(answer.date),
        tracking_code=identifier(answer.tracking_code),
        paragraphs=paragraphs,
        table=table,
        details=details,
        closing=certificate_lines(answer, certificate),
        branch=persian_digits(branch_line),
    )


def letter_digest(answer: InquiryAnswer) -> str:
    """16 hex digits over the fields verification re-reads from the inquiry record."""
    canonical = json.dumps(
        [answer.tracking_code, answer.national_code, answer.state, format_jalali(answer.date)],
        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def qr_payload(answer: InquiryAnswer) -> str:
    """What the letter's QR code carries: `BDL1|<tracking code>|<digest>`."""
    digest = answer.digest or letter_digest(answer)
    return f"{QR_PREFIX}|{answer.tracking_code}|{digest}"
