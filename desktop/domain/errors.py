"""Errors the domain and the services raise; every one carries Persian and English text."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Bad input or a broken rule. `fa` is shown to clerks, `en` goes to logs and the CLI."""

    exit_code = 2

    def __init__(self, fa: str, en: str, *, field: str | None = None) -> None:
        super().__init__(en)
        self.fa = fa
        self.en = en
        self.field = field

    def __str__(self) -> str:
        return f"{self.fa} / {self.en}"


class InvalidValue(DomainError):
    """A single value (national code, date, IBAN …) that does not pass its validator."""


class NotFound(DomainError):
    exit_code = 2


class Conflict(DomainError):
    """The request contradicts what is stored (e.g. a national code that already has an SSN)."""

    def __init__(self, fa: str, en: str, *, field: str | None = None, existing: str | None = None):
        super().__init__(fa, en, field=field)
        self.existing = existing


class PermissionDenied(DomainError):
    exit_code = 4


@dataclass(frozen=True)
class Reason:
    """One reason a rule refuses, with what would make it pass."""

    rule: str
    fa: str
    en: str
    remedy_fa: str = ""
    papers: tuple[str, ...] = ()


@dataclass
class Refused(Exception):
    """A rules engine said no; every reason is listed, nothing was written."""

    reasons: list[Reason] = field(default_factory=list)
    exit_code: int = 3

    def __post_init__(self) -> None:
        super().__init__("; ".join(r.en for r in self.reasons))

    @property
    def fa(self) -> str:
        return "؛ ".join(r.fa for r in self.reasons)

    @property
    def en(self) -> str:
        return "; ".join(r.en for r in self.reasons)


class ResourceMissing(DomainError):
    """A file the installed application carries (font, icon, migrations) is not there: the
    installation is incomplete. Nothing was read or written; reinstalling repairs it."""

    exit_code = 8
