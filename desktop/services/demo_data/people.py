"""The person factory of the demo: identity, numbers, role and registry rows for one person.

Rows are plain tuples in the column order of `bulk.py`; dates are ISO strings, ids 32-char hex
(how SQLAlchemy's `Uuid` stores them in SQLite), so the bulk writer can executemany them as-is.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from desktop.domain.checkdigits import iban_check_digits, national_code_check
from desktop.domain.identifiers import ssn_from_serial
from desktop.domain.number_ranges import BRANCH_CODES, PERMANENT_SPAN, permanent_range
from desktop.domain.text import search_key

from .bulk import Row
from .pools import ALLEYS, CITIES, Pools

EDUCATION = (("none", 4), ("primary", 18), ("diploma", 40), ("bachelor", 28), ("master", 8), ("doctorate", 2))
BLOOD = (("O+", 37), ("A+", 28), ("B+", 22), ("AB+", 6), ("O-", 3), ("A-", 2), ("B-", 1), ("AB-", 1))
MOBILE_PREFIXES = ("0912", "0911", "0913", "0915", "0917", "0919", "0935", "0936", "0937", "0939", "0901", "0902")


def weighted(pairs: tuple[tuple[str, int], ...]) -> tuple[tuple[str, ...], list[int]]:
    values = tuple(v for v, _ in pairs)
    cum, total = [], 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return values, cum


class Ids:
    """Time-ordered (UUIDv7-shaped) ids from one counter: every table's keys grow as rows are added."""

    def __init__(self, now: dt.datetime) -> None:
        self._prefix = f"{int(now.timestamp() * 1000) & 0xFFFF_FFFF_FFFF:012x}7"
        self._n = 0

    def prefix(self, tag: int) -> str:
        """The first 16 hex digits of ids SQLite composes itself (monthly document lines)."""
        return f"{self._prefix}{tag:03x}"

    def new(self, tag: int = 0xD30) -> str:
        self._n += 1
        return f"{self._prefix}{tag:03x}{0x8000_0000_0000_0000 | self._n:016x}"


@dataclass
class Counters:
    ssn_first: int
    central_first: int
    permanent_next: int
    permanent_last: int
    ssn_next: int = 0
    central_next: int = 0
    foreign_permanent: int = 0  # permanent numbers people kept from other branches (SPEC §1.3)
    numbers: dict[str, int] = field(default_factory=lambda: {"permanent": 0, "central_temporary": 0})

    def __post_init__(self) -> None:
        self.ssn_next, self.central_next = self.ssn_first, self.central_first


class PersonFactory:
    def __init__(self, rng: random.Random, pools: Pools, ids: Ids, counters: Counters, branch: str,
                 stamp: str, taken_codes: set[str]) -> None:
        self.rng, self.pools, self.ids, self.n, self.branch = rng, pools, ids, counters, branch
        self.stamp = stamp  # registry_checked_at / issued_at of the fill
        self.codes = taken_codes
        self.persons: list[Row] = []
        self.numbers: list[Row] = []
        self.roles: list[Row] = []
        self.personal: list[Row] = []
        self.registry: list[Row] = []
        self.marriages: list[Row] = []
        self._iso: dict[int, str] = {}
        self._keys: dict[tuple[str, str], str] = {}
        self._edu = weighted(EDUCATION)
        self._blood = weighted(BLOOD)

    # --- small helpers -------------------------------------------------------------------
    def iso(self, ordinal: int | None) -> str | None:
        if ordinal is None:
            return None
        text = self._iso.get(ordinal)
        if text is None:
            text = self._iso[ordinal] = dt.date.fromordinal(ordinal).isoformat()
        return text

    def pick(self, table: tuple[tuple[str, ...], list[int]]) -> str:
        values, cum = table
        return self.rng.choices(values, cum_weights=cum)[0]

    def first_name(self, gender: str) -> str:
        return self.rng.choice(self.pools.male if gender == "male" else self.pools.female)

    def last_name(self) -> str:
        return self.rng.choice(self.pools.last)

    def national_code(self) -> str:
        rng = self.rng
        while True:
            nine = f"{rng.randrange(1, 999_999_999):09d}"
            code = nine + str(national_code_check(nine))
            if code not in self.codes and len(set(code)) > 1:
                self.codes.add(code)
                return code

    def _name_key(self, last: str, first: str) -> str:
        key = self._keys.get((last, first))
        if key is None:
            key = self._keys[(last, first)] = search_key(f"{last} {first}")
        return key

    # --- people ------------------------------------------------------------------------
    def identity(self, first: str, last: str, father: str, birth: int, gender: str, *,
                 complete: bool = True, father_nc: str | None = None, mother_nc: str | None = None) -> str:
        """A registry-only identity (e.g. a husband who is not insured here); returns the code."""
        code = self.national_code()
        city = self.rng.choice(CITIES)[0] if complete else None
        cert = str(self.rng.randrange(1, 99999)) if complete else None
        self.registry.append((code, code, None, first, last, father, self.iso(birth), gender, cert, city,
                              None, father_nc, mother_nc, None))
        return code

    def person(self, first: str, last: str, father: str, birth: int, gender: str, role: str, since: int, *,
               complete: bool = True, father_nc: str | None = None,
               mother_nc: str | None = None) -> tuple[str, str]:
        """A store person with SSN and registry identity; returns (id, national code)."""
        code = self.identity(first, last, father, birth, gender, complete=complete,
                             father_nc=father_nc, mother_nc=mother_nc)
        ident = self.registry[-1]
        pid = self.ids.new(0x9E0)
        ssn = ssn_from_serial(self.n.ssn_next)
        self.n.ssn_next += 1
        born, when = self.iso(birth), f"{self.iso(since)} 09:00:00.000000"
        self.persons.append((pid, code, None, ssn, first, last, father, born, born, gender, ident[8], ident[9],
                             None, int(complete), self.stamp, self.branch, when, self._name_key(last, first)))
        self.roles.append((self.ids.new(0x801), pid, role, self.iso(since)))
        return pid, code

    def number(self, pid: str, kind: str) -> str:
        if kind == "central_temporary":
            value, branch = f"OO{self.n.central_next:08d}", self.branch
            self.n.central_next += 1
        elif self.n.permanent_next <= self.n.permanent_last:
            value, branch = f"00{self.n.permanent_next:08d}", self.branch
            self.n.permanent_next += 1
        else:
            value, branch = self._kept_permanent()
        self.n.numbers[kind] += 1
        self.numbers.append((self.ids.new(0x4B0), pid, kind, value, branch, self.stamp, None))
        return value

    def _kept_permanent(self) -> tuple[str, str]:
        """Past the branch's own range: people who moved here keep their old branch's number."""
        k = self.n.foreign_permanent
        self.n.foreign_permanent += 1
        # Branches 1100, 1101 … (never this one): their own 00-ranges, disjoint from ours.
        per_branch = PERMANENT_SPAN - 1
        other = 1100 + k // per_branch
        if other >= int(self.branch):
            other += 1
        code = f"{other % BRANCH_CODES:04d}"
        own = permanent_range(code)
        return own.number(own.first + k % per_branch), code

    def personal_info(self, pid: str, gender: str, marital: str, dependants: int) -> None:
        rng = self.rng
        city, area = rng.choice(CITIES)
        address = (f"{city}، {rng.choice(self.pools.streets)}، کوچه {rng.choice(ALLEYS)}، "
                   f"پلاک {rng.randrange(1, 250)}")
        iban = None
        if rng.random() < 0.2:
            bban = f"0{rng.randrange(10, 70)}0{rng.randrange(10**18, 10**19)}"
            iban = f"IR{iban_check_digits('IR', bban)}{bban}"
        military = (rng.choice(("done", "done", "done", "exempt")) if gender == "male" else "not_applicable")
        self.personal.append((
            pid, address, f"{rng.randrange(1, 10)}{rng.randrange(10**8, 10**9)}",
            f"{area}{rng.randrange(2 * 10**7, 10**8)}",
            f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**6, 10**7)}", iban, self.pick(self._edu), military,
            marital, dependants, None, self.pick(self._blood), None, self.stamp,
        ))

    def marriage(self, husband: str, wife: str, date: int, ended: int | None = None,
                 reason: str | None = None) -> None:
        d, e = self.iso(date), self.iso(ended)
        self.marriages.append((husband, wife, d, e, reason))
        self.marriages.append((wife, husband, d, e, reason))

    def take(self) -> dict[str, list[Row]]:
        """Hand over the store rows gathered so far (registry rows stay until the end)."""
        out = {"person": self.persons, "insurance_number": self.numbers, "person_role": self.roles,
               "personal_info": self.personal}
        self.persons, self.numbers, self.roles, self.personal = [], [], [], []
        return out
