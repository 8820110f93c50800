"""The person file (پرونده شخص): everything the branch holds about one person, in one read.

Privacy is decided here, not in the screen: health fields (special disease, blood group,
medical history) and their change history leave this module only for roles with
`person.health`. Every row is a frozen dataclass the screens read by field. Dates the screens
compute with (the timeline) are `dt.date`; dates they only show (when a change was made, a paper
scanned, an inquiry answered) are Jalali text. The person's own record is `PersonRecord` from
`services.people`, the same one `person --json` prints.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from desktop.db.person_queries import person_record
from desktop.domain.enrolment import HEALTH_FIELDS
from desktop.domain.errors import NotFound
from desktop.domain.jalali import format_jalali
from desktop.domain.roles import allowed, require
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import CATEGORY_TITLES, RELATIONSHIP_TYPES
from desktop.models import (
    AccountLifetime,
    AccountYear,
    AppUser,
    ArchiveItem,
    Authority,
    CorrectionRequest,
    DocumentLine,
    IdentityChange,
    InquiryRecord,
    InsuranceDocument,
    PersonalInfoChange,
)

from .account import AccountLine, person_lines
from .actor import Actor
from .people import (
    AcquaintanceRow,
    DependantRow,
    NumberRow,
    PersonalDetails,
    PersonRecord,
    RecordRelationship,
    shape_person,
)
from .store import Store

_ACCOUNT_MONTH = text(
    "SELECT year, month, days, wage, rate, job, workshop_code, branch_code FROM account_month "
    "WHERE person_id = :pid ORDER BY year DESC, month DESC"
)


@dataclass(frozen=True)
class FileRelationship:
    """One of the person's insurance relationships as the file shows it: the record's
    relationship with its Persian titles and whether it is in force on the store's today."""

    record: RecordRelationship
    title: str  # the kind's Persian title (the code itself when the vocabulary lacks it)
    category: str  # main | dependant | employer, as the vocabulary files the kind
    category_title: str
    active: bool

    @property
    def type_code(self) -> str:
        return self.record.type_code

    @property
    def start(self) -> dt.date:
        return self.record.start

    @property
    def end(self) -> dt.date | None:
        return self.record.end


@dataclass(frozen=True)
class IdentityChangeRow:
    """A change the civil registry made to the person's identity (old value kept)."""

    field: str
    old: str | None
    new: str | None
    at: str  # Jalali
    user: str  # who asked the registry again (full name)


@dataclass(frozen=True)
class PersonalChangeRow:
    """A change to personal information, with the reason the clerk gave."""

    field: str
    old: str | None
    new: str | None
    reason: str
    at: str  # Jalali
    user: str


@dataclass(frozen=True)
class AccountMonth:
    """One month of the individual account (the `account_month` view)."""

    year: int  # Jalali
    month: int
    days: int
    wage: int  # rials
    rate: int
    job: str | None
    workshop_code: str | None
    branch_code: str


@dataclass(frozen=True)
class AccountYearRow:
    year: int  # Jalali
    days: int
    wage_total: int  # rials
    average_wage: int


@dataclass(frozen=True)
class AccountTotal:
    """The whole insured career, as last recomputed."""

    days: int
    wage_total: int  # rials
    months: int


@dataclass(frozen=True)
class ArchivePaper:
    identifier: str
    chapter: str
    section: str
    paper_kind: str
    filename: str
    version: int
    scanned_at: str  # Jalali


@dataclass(frozen=True)
class CorrectionRow:
    """A request to correct one month of the account."""

    period: str  # Jalali year/month, e.g. 1403/02
    requesting_unit: str
    status: str  # open | rejected | applied (revision 0005; older stores said requested)
    # The corrected components ({"wage": 123, "days": 30}) as (name, value) pairs; what is not
    # a JSON object is shown as the text it was stored as.
    components: tuple[tuple[str, object], ...] | str
    reasons: str
    created_at: str  # Jalali


@dataclass(frozen=True)
class InquiryRow:
    """An inquiry answered about this person (by person or national code)."""

    tracking_code: str
    authority: str
    state: str  # see vocabulary.INQUIRY_STATES
    at: str  # Jalali
    from_date: str  # Jalali; "" when the inquiry had no period
    to_date: str
    certificate: bool  # asked by the person themself, for a certificate


@dataclass(frozen=True)
class PersonFile:
    person: PersonRecord  # health fields already withheld unless health_visible
    health_visible: bool
    can_update: bool
    relationships: tuple[FileRelationship, ...]
    today: dt.date
    identity_changes: tuple[IdentityChangeRow, ...]
    personal_changes: tuple[PersonalChangeRow, ...]
    account_months: tuple[AccountMonth, ...]
    account_years: tuple[AccountYearRow, ...]
    account_lifetime: AccountTotal | None
    archive: tuple[ArchivePaper, ...]
    corrections: tuple[CorrectionRow, ...]
    inquiries: tuple[InquiryRow, ...]
    # Every monthly document line, superseded ones too (services.account), for picking a line to
    # correct and showing a corrected one as such.
    account_lines: tuple[AccountLine, ...] = ()

    @property
    def person_id(self) -> uuid.UUID:
        return self.person.person_id

    @property
    def full_name(self) -> str:
        return self.person.full_name

    @property
    def numbers(self) -> tuple[NumberRow, ...]:
        return self.person.numbers

    @property
    def personal(self) -> PersonalDetails | None:
        return self.person.personal

    @property
    def dependants(self) -> tuple[DependantRow, ...]:
        return self.person.dependants

    @property
    def acquaintances(self) -> tuple[AcquaintanceRow, ...]:
        return self.person.acquaintances

    @property
    def active(self) -> bool:
        return any(r.active for r in self.relationships)


def load_person_file(store: Store, actor: Actor, person_id: uuid.UUID) -> PersonFile:
    """The whole file of an enrolled person; health data only for roles allowed to see it."""
    require(actor.role, "person.read")
    health = allowed(actor.role, "person.health")
    with store.reader() as conn:
        raw = person_record(conn, person_id=person_id.hex)
    if raw is None or not raw["ssn"]:
        raise NotFound(f"شخص {persian_digits(str(person_id))} در این شعبه نیست.", f"no person {person_id}")
    person = shape_person(raw, actor.role)
    today = store.today()
    with store.sessions() as session:
        identity_changes, personal_changes = _history(session, person_id, health)
        months, years, lifetime = _account(session, person_id)
        return PersonFile(
            person=person, health_visible=health, can_update=allowed(actor.role, "person.update"),
            relationships=tuple(_relationship(r, today) for r in person.relationships), today=today,
            identity_changes=identity_changes, personal_changes=personal_changes,
            account_months=months, account_years=years, account_lifetime=lifetime,
            archive=_archive(session, person_id),
            corrections=_corrections(session, person_id),
            inquiries=_inquiries(session, person_id, person.national_code),
            account_lines=person_lines(session, person_id),
        )


def _relationship(r: RecordRelationship, today: dt.date) -> FileRelationship:
    category, title = RELATIONSHIP_TYPES.get(r.type_code, (r.category, r.type_code))
    return FileRelationship(
        record=r, title=title, category=category,
        category_title=CATEGORY_TITLES.get(category, category),
        active=r.start <= today and (r.end is None or r.end >= today),
    )


def _when(value: dt.datetime | None) -> str:
    return format_jalali(value.date()) if value else ""


def _history(s: Session, pid: uuid.UUID, health: bool
             ) -> tuple[tuple[IdentityChangeRow, ...], tuple[PersonalChangeRow, ...]]:
    users: dict[uuid.UUID, str] = {uid: name for uid, name in s.execute(select(AppUser.id, AppUser.full_name))}
    identity = tuple(
        IdentityChangeRow(field=c.field, old=c.old_value, new=c.new_value, at=_when(c.at),
                          user=users.get(c.user_id, ""))
        for c in s.scalars(select(IdentityChange).where(IdentityChange.person_id == pid)
                           .order_by(IdentityChange.at.desc()))
    )
    changes = select(PersonalInfoChange).where(PersonalInfoChange.person_id == pid)
    if not health:  # not even that a health field changed: the old value is health data too
        changes = changes.where(PersonalInfoChange.field.not_in(HEALTH_FIELDS))
    personal = tuple(
        PersonalChangeRow(field=c.field, old=c.old_value, new=c.new_value, reason=c.reason,
                          at=_when(c.at), user=users.get(c.user_id, ""))
        for c in s.scalars(changes.order_by(PersonalInfoChange.at.desc()))
    )
    return identity, personal


def _account(s: Session, pid: uuid.UUID
             ) -> tuple[tuple[AccountMonth, ...], tuple[AccountYearRow, ...], AccountTotal | None]:
    months = tuple(
        AccountMonth(year=m.year, month=m.month, days=m.days, wage=m.wage, rate=m.rate, job=m.job,
                     workshop_code=m.workshop_code, branch_code=m.branch_code)
        for m in s.execute(_ACCOUNT_MONTH, {"pid": pid.hex})
    )
    years = tuple(
        AccountYearRow(year=y.year, days=y.days, wage_total=y.wage_total, average_wage=y.average_wage)
        for y in s.scalars(select(AccountYear).where(AccountYear.person_id == pid)
                           .order_by(AccountYear.year.desc()))
    )
    life = s.get(AccountLifetime, pid)
    lifetime = AccountTotal(days=life.days, wage_total=life.wage_total, months=life.months) if life else None
    return months, years, lifetime


def _archive(s: Session, pid: uuid.UUID) -> tuple[ArchivePaper, ...]:
    return tuple(
        ArchivePaper(identifier=a.identifier, chapter=a.chapter, section=a.section,
                     paper_kind=a.paper_kind, filename=a.filename, version=a.version,
                     scanned_at=_when(a.scanned_at))
        for a in s.scalars(select(ArchiveItem).where(ArchiveItem.person_id == pid)
                           .order_by(ArchiveItem.scanned_at))
    )


def _corrections(s: Session, pid: uuid.UUID) -> tuple[CorrectionRow, ...]:
    query = (
        select(CorrectionRequest, InsuranceDocument.year, InsuranceDocument.month)
        .join(DocumentLine, DocumentLine.id == CorrectionRequest.document_line_id)
        .join(InsuranceDocument, InsuranceDocument.id == DocumentLine.document_id)
        .where(DocumentLine.person_id == pid).order_by(CorrectionRequest.created_at.desc())
    )
    return tuple(
        CorrectionRow(period=f"{year}/{month:02d}", requesting_unit=c.requesting_unit, status=c.status,
                      components=_components(c.components), reasons=c.reasons,
                      created_at=_when(c.created_at))
        for c, year, month in s.execute(query)
    )


def _components(raw: str) -> tuple[tuple[str, object], ...] | str:
    try:
        parsed: object = json.loads(raw)
    except ValueError:
        parsed = raw
    if isinstance(parsed, dict):
        return tuple((str(k), v) for k, v in parsed.items())
    return str(parsed)


def _inquiries(s: Session, pid: uuid.UUID, national_code: str | None) -> tuple[InquiryRow, ...]:
    who = or_(InquiryRecord.person_id == pid, InquiryRecord.national_code == national_code) \
        if national_code else InquiryRecord.person_id == pid
    query = (select(InquiryRecord, Authority.name).join(Authority, Authority.id == InquiryRecord.authority_id)
             .where(who).order_by(InquiryRecord.seq.desc()))
    return tuple(
        InquiryRow(tracking_code=i.tracking_code, authority=name, state=i.state, at=_when(i.at),
                   from_date=format_jalali(i.from_date), to_date=format_jalali(i.to_date),
                   certificate=i.requester_person_id is not None)
        for i, name in s.execute(query)
    )
