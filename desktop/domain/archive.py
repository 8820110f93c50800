"""The archive's vocabulary and its gate (SPEC §1.6): where a paper goes, and which files are taken.

A file is taken only when it is a PDF, JPEG, PNG or TIFF, its first bytes (its "magic") say the
same as its name or declared type, it is not empty and not over `MAX_BYTES`. The check reads the
bytes themselves, never trusts a file name: a renamed `.exe` is refused as what it is.
"""

from __future__ import annotations

import re

from .errors import InvalidValue
from .limits import PAPER_MAX_BYTES
from .text import normalise_text, persian_digits
from .vocabulary import PAPER_KINDS

MAX_BYTES = PAPER_MAX_BYTES  # 20 MB: a 600-dpi colour A4 page as PNG is ~8 MB; more is a mistake
MAX_MB = MAX_BYTES // (1024 * 1024)

# Chapter → its Persian title; sections within each chapter → their Persian titles.
CHAPTERS: dict[str, str] = {
    "enrolment": "نامنویسی",
    "identity": "هویت و اقامت",
    "relationships": "روابط بیمه‌ای",
    "dependants": "افراد تحت تکفل",
    "certificates": "گواهی‌ها و تعهدنامه‌ها",
    "corrections": "اصلاح سوابق",
}
SECTIONS: dict[str, dict[str, str]] = {
    "enrolment": {"questionnaire": "پرسشنامه نامنویسی", "photo": "عکس"},
    "identity": {"foreign_national": "اتباع خارجی", "other": "سایر"},
    "relationships": {"employment": "اشتغال", "contracts": "قراردادها", "other": "سایر"},
    "dependants": {"spouse": "همسر", "inspection": "بازرسی", "guardianship": "سرپرستی", "other": "سایر"},
    "certificates": {"commitments": "تعهدنامه‌ها", "education": "تحصیل", "medical": "پزشکی",
                     "military": "نظام وظیفه"},
    "corrections": {"requests": "درخواست‌های اصلاح"},
}

# Paper kind → (chapter, section). Soldiers' and students' papers go under the medical booklet's
# "certificates and commitments" group, as the circular asks.
PLACES: dict[str, tuple[str, str]] = {
    "questionnaire": ("enrolment", "questionnaire"),
    "photo": ("enrolment", "photo"),
    "marriage_certificate": ("dependants", "spouse"),
    "inspector_report": ("dependants", "inspection"),
    "court_order_trial": ("dependants", "guardianship"),
    "court_order_final": ("dependants", "guardianship"),
    "welfare_letter": ("dependants", "guardianship"),
    "commitment_form": ("certificates", "commitments"),
    "university_enrolment": ("certificates", "education"),
    "disability_certificate": ("certificates", "medical"),
    "service_booklet": ("certificates", "military"),
    "service_certificate": ("certificates", "military"),
    "residence_permit": ("identity", "foreign_national"),
    "work_permit": ("identity", "foreign_national"),
    "correction_form": ("corrections", "requests"),
}

MEDIA_TYPES: dict[str, str] = {  # media type → its name for people
    "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF",
}
SUFFIXES: dict[str, str] = {
    "pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
    "tif": "image/tiff", "tiff": "image/tiff",
}
OCTET_STREAM = "application/octet-stream"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def media_type_for(filename: str) -> str:
    """The media type a file name claims (its extension); octet-stream when it claims none we take."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return SUFFIXES.get(suffix, OCTET_STREAM)


def sniff(data: bytes) -> str | None:
    """The media type the bytes themselves show, or None when they are none of the four."""
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if b"%PDF-" in data[:1024]:  # the PDF standard lets the header come after some junk
        return "application/pdf"
    return None


def place_of(kind: str, chapter: str | None = None, section: str | None = None) -> tuple[str, str]:
    """The paper's chapter and section: its kind's own place unless both are given (and known)."""
    if chapter is None and section is None:
        return PLACES[kind]
    if chapter not in CHAPTERS:
        raise InvalidValue(f"فصل «{chapter}» در آرشیو شناخته نیست؛ فصل‌ها: {', '.join(CHAPTERS)}.",
                           f"unknown archive chapter {chapter!r}; chapters: {', '.join(CHAPTERS)}",
                           field="chapter")
    if section not in SECTIONS[chapter]:
        known = ", ".join(SECTIONS[chapter])
        raise InvalidValue(f"بخش «{section}» در فصل «{CHAPTERS[chapter]}» نیست؛ بخش‌ها: {known}.",
                           f"unknown section {section!r} of chapter {chapter}; sections: {known}",
                           field="section")
    return chapter, section


def check_paper(kind: str, filename: str, data: bytes, media_type: str) -> str:
    """Validate before anything is written; returns the normalised file name to keep."""
    if kind not in PAPER_KINDS:
        raise InvalidValue(f"نوع مدرک «{kind}» شناخته نیست.", f"unknown paper kind {kind!r}", field="paper_kind")
    name = normalise_text(filename.replace("\\", "/").rsplit("/", 1)[-1], field="filename")[:200] or "scan"
    if not data:
        raise InvalidValue(f"فایل «{name}» خالی است.", f"{name}: empty file", field="file")
    if len(data) > MAX_BYTES:
        raise InvalidValue(f"فایل «{name}» بزرگ‌تر از {persian_digits(str(MAX_MB))} مگابایت است.",
                           f"{name}: larger than {MAX_MB} MB", field="file")
    claimed = media_type_for(name)
    if media_type not in MEDIA_TYPES or (claimed != OCTET_STREAM and claimed != media_type):
        raise InvalidValue(f"نوع فایل «{name}» باید PDF، JPEG، PNG یا TIFF باشد.",
                           f"{name}: {media_type} is not PDF, JPEG, PNG or TIFF", field="file")
    found = sniff(data)
    if found != media_type:
        shown = MEDIA_TYPES.get(found or "", "هیچ‌کدام از PDF، JPEG، PNG و TIFF")
        shown_en = MEDIA_TYPES.get(found or "", "none of PDF, JPEG, PNG, TIFF")
        raise InvalidValue(
            f"محتوای فایل «{name}» با نوع آن ({MEDIA_TYPES[media_type]}) نمی‌خواند: محتوا {shown} است.",
            f"{name}: the content is {shown_en}, not {MEDIA_TYPES[media_type]} as its type says", field="file")
    return name


def is_sha256(text: str) -> bool:
    return bool(_SHA256.fullmatch(text))
