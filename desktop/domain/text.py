"""Persian text normalisation at the service boundary (DESIGN.md, "Persian text and dates")."""

from __future__ import annotations

import re

from .errors import InvalidValue
from .limits import check_length, text_limit

ZWNJ = "\u200c"
_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "\u0640": ""})
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(
    {**{p: str(i) for i, p in enumerate(_PERSIAN_DIGITS)}, **{a: str(i) for i, a in enumerate(_ARABIC_DIGITS)}}
)
_TO_PERSIAN = str.maketrans({str(i): p for i, p in enumerate(_PERSIAN_DIGITS)})
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# NUL and the other control characters (tab and line breaks aside) and lone surrogates (from a
# JSON "\\ud800" escape or an undecodable byte): nothing a person types, and SQLite and the
# printer cannot take them.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u200a\u202f]+")
# ZWNJ only makes sense between two letters; at a word's edge or doubled it is noise.
_STRAY_ZWNJ = re.compile(r"(^\u200c+|\u200c+$|(?<=\s)\u200c+|\u200c+(?=\s)|(?<=\u200c)\u200c+)")


def ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII; nothing else changes."""
    return text.translate(_TO_ASCII)


def persian_digits(text: object) -> str:
    """ASCII digits to Persian, for display."""
    return str(text).translate(_TO_PERSIAN)


def normalise_text(text: str | None, *, field: str | None = None) -> str:
    """Free Persian text: Arabic letters to Persian, spaces folded, ZWNJ kept inside words.

    Bidi control characters are refused rather than stripped: they can disguise a value
    (a national code shown reversed), so the clerk must retype it.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidValue(
            f"مقدار «{field or 'ورودی'}» باید متن باشد.",
            f"{field or 'value'} must be a string, not {type(text).__name__}",
            field=field,
        )
    if len(text) > 4 * text_limit(field):  # refused before any regex walks megabytes
        check_length(text, field)
    if _CONTROLS.search(text):
        raise InvalidValue(
            "متن شامل نویسه‌های کنترلی (مانند NUL) است؛ لطفاً آن را دوباره تایپ کنید.",
            f"{field or 'text'} contains control characters (e.g. NUL)",
            field=field,
        )
    if _BIDI_CONTROLS.search(text):
        raise InvalidValue(
            "متن شامل نویسه‌های کنترل جهت (bidi) است؛ لطفاً آن را دوباره تایپ کنید.",
            "text contains bidi control characters; retype it",
            field=field,
        )
    text = _STRAY_ZWNJ.sub("", text.translate(_ARABIC_TO_PERSIAN))
    text = _SPACES.sub(" ", text).strip()
    return check_length("\n".join(line.strip() for line in text.splitlines()), field)


def normalise_identifier(text: str | None, *, field: str | None = None) -> str:
    """Identifiers and numbers: normalised text, ASCII digits, no spaces or dashes."""
    text = ascii_digits(normalise_text(text, field=field))
    return re.sub(r"[\s\-_/.]", "", text)


# Spellings a clerk may or may not type: alef with madda or hamza, hamza seats, vowel marks.
# Folded only in search keys; the stored names keep what the registry says.
SEARCH_FOLDS = {"آ": "ا", "أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ی", "ء": "",
                **{chr(c): "" for c in range(0x064B, 0x0653)}, "\u0670": ""}
_SEARCH_FOLD = str.maketrans(SEARCH_FOLDS)


def search_key(text: str) -> str:
    """A name folded for prefix search: normalised, ZWNJ as space, alef forms and vowel marks
    folded (so «ارش» finds «آرش»), lower-case Latin."""
    return normalise_text(text).replace(ZWNJ, " ").translate(_SEARCH_FOLD).lower()
