"""Each branch's own number ranges, derived from its code so no two branches can collide (SPEC §1.3).

A permanent insurance number is `00` + 8 digits: 10⁸ numbers shared by 10,000 branch codes, so
branch `c` owns the 8-digit values `c·10⁴ … c·10⁴ + 9999` (its code, then a 4-digit serial;
0 is skipped, so branch 0000 starts at 1). A branch-temporary number is two Latin capitals
(never `OO`, which is central) + 8 digits: 675 prefixes × 10⁸ values, so each prefix is split
into 15 sub-ranges of 6,666,666 numbers and branch `c` owns sub-range `c mod 15` of prefix
`c div 15` (667 prefixes used). These are the starting ranges `init` records as `number_range`
rows; headquarters leases further ones later.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_uppercase

BRANCH_CODES = 10_000
PERMANENT_PREFIX = "00"
PERMANENT_SPAN = 10**8 // BRANCH_CODES  # 10,000 per branch
CENTRAL_PREFIX = "OO"
TEMPORARY_PREFIXES = tuple(a + b for a in ascii_uppercase for b in ascii_uppercase if a + b != CENTRAL_PREFIX)
SUB_RANGES = -(-BRANCH_CODES // len(TEMPORARY_PREFIXES))  # 15: ceil(10,000 / 675)
TEMPORARY_SPAN = 10**8 // SUB_RANGES  # 6,666,666 per branch


@dataclass(frozen=True)
class NumberRangeSpec:
    """`prefix` + the 8-digit values first…last (inclusive)."""

    kind: str  # permanent | branch_temporary
    prefix: str
    first: int
    last: int

    def number(self, value: int) -> str:
        return f"{self.prefix}{value:08d}"

    def __len__(self) -> int:
        return self.last - self.first + 1


def _branch_index(branch_code: str) -> int:
    if not (len(branch_code) == 4 and branch_code.isascii() and branch_code.isdigit()):
        raise ValueError(f"branch code must be 4 ASCII digits: {branch_code!r}")
    return int(branch_code)


def permanent_range(branch_code: str) -> NumberRangeSpec:
    start = _branch_index(branch_code) * PERMANENT_SPAN
    return NumberRangeSpec("permanent", PERMANENT_PREFIX, max(start, 1), start + PERMANENT_SPAN - 1)


def branch_temporary_range(branch_code: str) -> NumberRangeSpec:
    prefix_index, sub = divmod(_branch_index(branch_code), SUB_RANGES)
    start = sub * TEMPORARY_SPAN
    return NumberRangeSpec("branch_temporary", TEMPORARY_PREFIXES[prefix_index], start + 1, start + TEMPORARY_SPAN)


def starting_ranges(branch_code: str) -> tuple[NumberRangeSpec, NumberRangeSpec]:
    return permanent_range(branch_code), branch_temporary_range(branch_code)
