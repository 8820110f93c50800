"""The identity registry as the domain sees it: civil registry for Iranians, interior ministry for foreigners."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Marriage:
    spouse_national_code: str
    date: dt.date
    ended: dt.date | None = None
    end_reason: str | None = None  # divorce | death

    def active_on(self, day: dt.date) -> bool:
        return self.date <= day and (self.ended is None or self.ended > day)


@dataclass(frozen=True)
class RegistryIdentity:
    first_name: str
    last_name: str
    father_name: str
    birth_date: dt.date
    gender: str
    national_code: str | None = None
    foreign_id: str | None = None
    birth_certificate_number: str | None = None
    place_of_issue: str | None = None
    death_date: dt.date | None = None
    father_national_code: str | None = None
    mother_national_code: str | None = None
    # When the registry last changed the birth date (SPEC §5.1's 1379/08/08 rule looks at it).
    birth_date_changed_on: dt.date | None = None
    # The registry's answer that it annulled the earlier birth certificate (سند سجلی ابطال‌شده):
    # then the new birth date counts for benefits too, whenever it changed (SPEC §5.1).
    earlier_certificate_annulled: bool = False
    marriages: tuple[Marriage, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return self.national_code or f"F{self.foreign_id}"

    @property
    def complete(self) -> bool:
        """Complete identity documents: what a permanent insurance number requires (SPEC §1.3)."""
        base = all((self.first_name, self.last_name, self.father_name, self.birth_date, self.gender))
        if self.national_code:
            return base and bool(self.birth_certificate_number and self.place_of_issue)
        return base


class IdentityRegistry(Protocol):
    """The one adapter the product talks to the outside registry through."""

    def lookup(self, *, national_code: str | None = None, foreign_id: str | None = None) -> RegistryIdentity | None: ...

    def children_of(self, national_code: str) -> list[RegistryIdentity]: ...

    def add(self, identities: list[RegistryIdentity]) -> int: ...
