"""The individual account (حساب انفرادی, SPEC §1.5) line by line, and its totals kept current.

A monthly line is in effect unless a correction line supersedes it (nothing is edited in place).
`recompute_account` rebuilds one person's yearly rows and lifetime total from the lines in
effect, inside the caller's transaction — the correction that changed them commits with them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, distinct, exists, func, insert, literal, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from desktop.domain.corrections import LineComponents
from desktop.domain.errors import InvalidValue, NotFound
from desktop.domain.text import normalise_identifier
from desktop.models import (
    AccountLifetime,
    AccountYear,
    CorrectionRequest,
    DocumentLine,
    InsuranceDocument,
    Workshop,
)

from .actor import Actor
from .records import enrolled_person
from .store import Store
from .unit import reading

_successor = aliased(DocumentLine)


def in_effect() -> Any:
    """SQL condition: no line supersedes `DocumentLine` (the account_month view's rule)."""
    return ~exists().where(_successor.supersedes_id == DocumentLine.id)


@dataclass(frozen=True)
class AccountLine:
    """One monthly document line of a person (in effect, or superseded by `corrected_by`)."""

    line_id: uuid.UUID
    document_id: uuid.UUID
    document_kind: str
    year: int  # Jalali
    month: int
    workshop_code: str | None
    days: int
    wage: int
    rate: int
    job: str
    branch: str
    insurance_number: str
    supersedes: uuid.UUID | None  # the line this correction replaced
    corrected_by: uuid.UUID | None  # the correction line that replaced this one
    correction_id: uuid.UUID | None = None  # the request that produced this line, for a correction
    workshop_id: uuid.UUID | None = None  # the document's workshop (its code is `workshop_code`)

    @property
    def in_effect(self) -> bool:
        return self.corrected_by is None

    @property
    def components(self) -> LineComponents:
        return LineComponents(self.days, self.wage, self.rate, self.job, self.workshop_code)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "line_id": self.line_id.hex, "year": self.year, "month": self.month,
            "workshop_code": self.workshop_code, "days": self.days, "wage": self.wage, "rate": self.rate,
            "job": self.job, "branch": self.branch}
        if self.corrected_by is not None:
            data["corrected_by"] = self.corrected_by.hex
        if self.supersedes is not None:
            data["corrects"] = self.supersedes.hex
        if self.correction_id is not None:
            data["correction_id"] = self.correction_id.hex
        return data


@dataclass(frozen=True)
class YearTotal:
    year: int
    days: int
    wage_total: int
    average_wage: int

    def as_json(self) -> dict[str, Any]:
        return {"year": self.year, "days": self.days, "average_wage": self.average_wage,
                "wage_total": self.wage_total}


@dataclass(frozen=True)
class LifetimeTotal:
    days: int
    wage_total: int
    months: int

    @property
    def average_wage(self) -> int:
        return self.wage_total // self.months if self.months else 0

    def as_json(self) -> dict[str, Any]:
        return {"days": self.days, "average_wage": self.average_wage, "wage_total": self.wage_total,
                "months": self.months}


@dataclass(frozen=True)
class Account:
    person_id: uuid.UUID
    full_name: str
    national_code: str | None
    ssn: str
    lines: tuple[AccountLine, ...]  # newest period first; in effect and superseded alike
    yearly: tuple[YearTotal, ...]
    lifetime: LifetimeTotal

    @property
    def monthly(self) -> tuple[AccountLine, ...]:
        return tuple(line for line in self.lines if line.in_effect)

    def as_json(self) -> dict[str, Any]:
        """CLI `account --json`: `monthly` holds the lines in effect; `superseded` the ones a
        correction replaced (each with `corrected_by`)."""
        return {"national_code": self.national_code, "ssn": self.ssn, "name": self.full_name,
                "monthly": [line.as_json() for line in self.monthly],
                "superseded": [line.as_json() for line in self.lines if not line.in_effect],
                "yearly": [y.as_json() for y in self.yearly], "lifetime": self.lifetime.as_json()}


def person_lines(session: Session, person_id: uuid.UUID) -> tuple[AccountLine, ...]:
    rows = session.execute(
        select(DocumentLine, InsuranceDocument, Workshop.code)
        .join(InsuranceDocument, InsuranceDocument.id == DocumentLine.document_id)
        .outerjoin(Workshop, Workshop.id == InsuranceDocument.workshop_id)
        .where(DocumentLine.person_id == person_id)).all()
    successor = {line.supersedes_id: line.id for line, _doc, _code in rows if line.supersedes_id}
    requests = dict(session.execute(
        select(CorrectionRequest.correction_line_id, CorrectionRequest.id)
        .where(CorrectionRequest.person_id == person_id,
               CorrectionRequest.correction_line_id.is_not(None))).all())
    lines = [_line(line, doc, code, successor.get(line.id), requests.get(line.id)) for line, doc, code in rows]
    lines.sort(key=lambda x: (-x.year, -x.month, x.line_id.int))
    return tuple(lines)


def _line(line: DocumentLine, doc: InsuranceDocument, code: str | None, corrected_by: uuid.UUID | None,
          correction_id: uuid.UUID | None) -> AccountLine:
    return AccountLine(line.id, doc.id, doc.kind, doc.year, doc.month, code, line.days, line.wage, line.rate,
                       line.job or "", doc.branch_code, line.insurance_number, line.supersedes_id,
                       corrected_by, correction_id, doc.workshop_id)


def line_by_id(session: Session, line_id: uuid.UUID) -> AccountLine:
    """One line with its document, workshop code and successor, in one query."""
    successor = select(_successor.id).where(_successor.supersedes_id == DocumentLine.id).limit(1) \
        .scalar_subquery()
    row = session.execute(
        select(DocumentLine, InsuranceDocument, Workshop.code, successor)
        .join(InsuranceDocument, InsuranceDocument.id == DocumentLine.document_id)
        .outerjoin(Workshop, Workshop.id == InsuranceDocument.workshop_id)
        .where(DocumentLine.id == line_id)).first()
    if row is None:
        raise NotFound(f"سطر سندی با شناسه {line_id.hex} نیست.", f"no document line {line_id.hex}", field="line")
    return _line(row[0], row[1], row[2], _uuid(row[3]), None)


def _uuid(value: object) -> uuid.UUID | None:
    """A scalar subquery's id comes back as the stored text, not as a UUID."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(hex=str(value))


def parse_line_id(raw: object) -> uuid.UUID:
    if isinstance(raw, uuid.UUID):
        return raw
    text = normalise_identifier(raw if isinstance(raw, str) else "", field="line").lower()
    try:
        return uuid.UUID(hex=text)
    except ValueError:
        raise InvalidValue(f"شناسه سطر «{str(raw)[:40]}» درست نیست (۳۲ نویسه شانزده‌شانزدهی).",
                           f"line id {str(raw)[:40]!r} is not a 32-hex-digit id", field="line") from None


def recompute_account(session: Session, person_id: uuid.UUID, years: set[int] | None = None) -> LifetimeTotal:
    """The person's yearly rows (those of `years`, or all) and lifetime total from the lines in
    effect; average wage per month insured, as the demo's loader computes it. Set-wise statements
    (a decision's cost is mostly statements, not rows)."""
    session.flush()
    effective = (select(DocumentLine.days, DocumentLine.wage, InsuranceDocument.year, InsuranceDocument.month)
                 .join(InsuranceDocument, InsuranceDocument.id == DocumentLine.document_id)
                 .where(DocumentLine.person_id == person_id, in_effect()))
    if years is not None:
        effective = effective.where(InsuranceDocument.year.in_(years))
    rows = effective.subquery()
    stale = delete(AccountYear).where(AccountYear.person_id == person_id)
    if years is not None:
        stale = stale.where(AccountYear.year.in_(years))
    session.execute(stale)
    wage, months = func.sum(rows.c.wage), func.count(distinct(rows.c.month))
    session.execute(insert(AccountYear).from_select(
        ["person_id", "year", "days", "wage_total", "average_wage"],
        select(literal(person_id, AccountYear.person_id.type), rows.c.year, func.sum(rows.c.days), wage,
               wage / months).group_by(rows.c.year)))
    days, wage_total, month_count = session.execute(
        select(func.coalesce(func.sum(DocumentLine.days), 0), func.coalesce(func.sum(DocumentLine.wage), 0),
               func.count(distinct(InsuranceDocument.year * 100 + InsuranceDocument.month)))
        .join(InsuranceDocument, InsuranceDocument.id == DocumentLine.document_id)
        .where(DocumentLine.person_id == person_id, in_effect())).one()
    total = LifetimeTotal(int(days), int(wage_total), int(month_count))
    session.execute(sqlite_insert(AccountLifetime).values(
        person_id=person_id, days=total.days, wage_total=total.wage_total, months=total.months)
        .on_conflict_do_update(index_elements=["person_id"], set_={
            "days": total.days, "wage_total": total.wage_total, "months": total.months}))
    return total


def account_of(store: Store, actor: Actor, *, national_code: str | None = None, ssn: str | None = None,
               person_id: uuid.UUID | None = None) -> Account:
    """CLI `account`: the lines, the yearly rows and the lifetime total as stored."""
    with reading(store, actor) as session:
        person = enrolled_person(session, national_code=national_code, ssn=ssn, person_id=person_id)
        years = tuple(YearTotal(y.year, y.days, y.wage_total, y.average_wage) for y in session.scalars(
            select(AccountYear).where(AccountYear.person_id == person.id).order_by(AccountYear.year.desc())))
        life = session.get(AccountLifetime, person.id)
        return Account(person.id, f"{person.first_name} {person.last_name}", person.national_code,
                       person.ssn or "", person_lines(session, person.id), years,
                       LifetimeTotal(life.days, life.wage_total, life.months) if life else LifetimeTotal(0, 0, 0))
