"""Check-digit algorithms."""

from __future__ import annotations

from operator import mul

# Damm's quasigroup of order 10: catches every single-digit error and every adjacent swap.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


# The rows indexed by a digit's ASCII code (48–57): an ASCII-digit string's bytes index them
# directly. HQ checks tens of thousands of SSNs per push batch; this is its inner loop.
_DAMM_BY_BYTE = tuple((0,) * 48 + row for row in _DAMM)


def damm_digit(digits: str) -> int:
    interim = 0
    if digits.isascii() and digits.isdigit():
        for byte in digits.encode():
            interim = _DAMM_BY_BYTE[interim][byte]
        return interim
    for ch in digits:  # anything else exactly as before (whatever ord(ch) - 48 indexes)
        interim = _DAMM[interim][ord(ch) - 48]
    return interim


def damm_valid(digits: str) -> bool:
    return damm_digit(digits) == 0


_NC_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_NC_ZEROS = 48 * sum(_NC_WEIGHTS)


def national_code_check(first_nine: str) -> int:
    """SPEC §1.1: s = Σ dᵢ·(10−i), r = s mod 11; check = r if r < 2 else 11 − r."""
    s: int
    if len(first_nine) == 9 and first_nine.isascii() and first_nine.isdigit():
        # Each ASCII digit's byte is the digit + 48: weighted in C, the 48s taken off once.
        s = sum(map(mul, first_nine.encode(), _NC_WEIGHTS)) - _NC_ZEROS
    else:  # Persian digits (int() reads them) and odd lengths as always
        s = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    r = s % 11
    return r if r < 2 else 11 - r


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97: move the first four characters to the end, letters to numbers."""
    moved = iban[4:] + iban[:4]
    numeric = "".join(str(int(c, 36)) for c in moved)
    return int(numeric) % 97 == 1


def iban_check_digits(country: str, bban: str) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"
