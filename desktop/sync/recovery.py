"""Recovery of a store restored from a backup (docs/sync.md "Restoring a store").

`branch-desk restore` gives the copy a new install epoch and sets the store setting
`recovery_pending`. The next round, before it pushes anything, asks HQ (hq/recovery.py):
1. the workshops and authorities this branch defined — the feed never echoes them back;
2. the ids of every change HQ holds from this branch — outbox rows among them are marked
   acknowledged, so nothing HQ already has is pushed again;
3. its inquiry records (the hash chain) as HQ holds them, and the tracking serial moved past
   them — else the next answer would take a seq and tracking code HQ already holds;
4. HQ's central record of the persons this branch enrolled — a person the copy lacks is added
   from it, one it has is brought up to it (identity, numbers, roles, relationships). Address,
   phone and health fields never leave a branch, so a person enrolled after the backup comes back
   without them: the person's file shows them empty and a clerk fills them in again.
Then the setting is cleared. Every page commits on its own and is applied idempotently, so a
round cut short simply recovers again next time.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.domain.text import search_key
from desktop.models import (
    AppUser,
    Authority,
    InquiryRecord,
    InsuranceNumber,
    NumberRange,
    OutboxEntry,
    Person,
    PersonRole,
    Relationship,
    TrackingSerial,
    Workshop,
    utcnow,
)

from .client import HqClient
from .local import BranchStore, put_setting, setting
from .recovery_wire import OwnPersons, OwnRecords, OwnReference, ReceivedIds, RecoveredRecord
from .wire import PersonSnapshot, RelationshipRecord

log = logging.getLogger(__name__)

RECOVERY_SETTING = "recovery_pending"  # holds the install epoch the restore gave the copy
MAX_PAGES = 100_000  # a bound, not a limit


@dataclass
class RecoveryReport:
    already_at_hq: int = 0  # outbox rows HQ had: marked acknowledged, not pushed again
    persons_added: int = 0
    persons_updated: int = 0
    references_added: int = 0
    records_added: int = 0  # inquiry records (and certificates) answered after the backup
    skipped: list[str] = field(default_factory=list)  # persons a local row stands in the way of


def recovery_pending(store: BranchStore) -> bool:
    with store.sessions() as s:
        return bool(setting(s, RECOVERY_SETTING))


def recover(store: BranchStore, client: HqClient) -> RecoveryReport:
    report = RecoveryReport()
    after: str | None = ""
    while after is not None:
        ref = client.recovery_page("reference", after, OwnReference)
        with store.sessions() as s, s.begin():
            report.references_added += sum(_reference(s, store.branch_code, item.kind, item.code,
                                                      item.name, item.address, item.group)
                                           for item in ref.items)
        after = ref.next
    after = ""
    while after is not None:
        ids = client.recovery_page("received", after, ReceivedIds)
        with store.sessions() as s, s.begin():
            report.already_at_hq += _mark_held(s, ids.ids)
        after = ids.next
    later: list[PersonSnapshot] = []  # relationships need every person (main insured) first
    after = ""
    while after is not None:
        page = client.recovery_page("persons", after, OwnPersons)
        with store.sessions() as s, s.begin():
            for snap in page.persons:
                _person(s, store.branch_code, snap, report)
        later += [p for p in page.persons if p.relationships]
        after = page.next
    after = ""
    while after is not None:
        records = client.recovery_page("records", after, OwnRecords)
        with store.sessions() as s, s.begin():
            report.records_added += sum(_record(s, store.branch_code, r) for r in records.records)
        after = records.next
    with store.sessions() as s, s.begin():
        for snap in later:
            if str(snap.id) not in report.skipped:
                _relationships(s, store.branch_code, snap)
        _advance_ranges(s)
        put_setting(s, RECOVERY_SETTING, "")
    log.info("recovered after restore: %s", report)
    return report


def _reference(session: Session, branch: str, kind: str, code: str, name: str, address: str,
               group: str) -> int:
    if kind == "workshop":
        if session.scalar(select(Workshop.id).where(Workshop.code == code)) is not None:
            return 0
        session.add(Workshop(code=code, name=name, address=address, branch_code=branch))
        return 1
    if session.scalar(select(Authority.id).where(Authority.code == code)) is not None:
        return 0
    session.add(Authority(code=code, name=name, group=group or "fund"))
    return 1


# The batch number of rows HQ already held when a restored store recovered: never sent, never
# open. The outbox finds unsent rows as those in no batch (outbox.has_unsent / assign_batch), so
# an acknowledged row must never stay in no batch — it would be pushed again under the new epoch.
HELD_BY_HQ = 0


def _mark_held(session: Session, ids: list[uuid.UUID]) -> int:
    if not ids:
        return 0
    marked = session.execute(update(OutboxEntry).where(OutboxEntry.id.in_(ids),
                                                       OutboxEntry.acked_at.is_(None))
                             .values(acked_at=utcnow(), batch_seq=HELD_BY_HQ))
    return int(marked.rowcount or 0)  # type: ignore[attr-defined]


_IDENTITY = ("national_code", "foreign_id", "ssn", "first_name", "last_name", "father_name",
             "birth_date", "benefit_birth_date", "gender", "death_date", "enrolled_branch")


def _person(session: Session, branch: str, snap: PersonSnapshot, report: RecoveryReport) -> None:
    savepoint = session.begin_nested()
    try:
        person = session.get(Person, snap.id)
        if person is None:
            person = Person(id=snap.id, enrolled_at=snap.enrolled_at.replace(tzinfo=None),
                            identity_complete=True)
            session.add(person)
            report.persons_added += 1
        elif any(getattr(person, name) != getattr(snap, name) for name in _IDENTITY):
            report.persons_updated += 1
        for name in _IDENTITY:
            setattr(person, name, getattr(snap, name))
        person.name_key = search_key(f"{snap.last_name} {snap.first_name}")
        session.flush()
        held = set(session.scalars(select(PersonRole.role).where(PersonRole.person_id == snap.id)))
        for role in set(snap.roles) - held:
            session.add(PersonRole(person_id=snap.id, role=role, since=snap.enrolled_at.date()))
        numbers = set(session.scalars(select(InsuranceNumber.value)
                                      .where(InsuranceNumber.person_id == snap.id)))
        for kind, value in snap.numbers.items():
            if value not in numbers:
                session.add(InsuranceNumber(person_id=snap.id, kind=kind, value=value,
                                            branch_code=branch,
                                            issued_at=snap.enrolled_at.replace(tzinfo=None)))
        session.flush()
        savepoint.commit()
    except IntegrityError as exc:  # e.g. the national code enrolled here again since the restore
        savepoint.rollback()
        report.skipped.append(str(snap.id))
        log.warning("person %s not recovered: %s", snap.id, exc.orig)


def _relationships(session: Session, branch: str, snap: PersonSnapshot) -> None:
    for rel in snap.relationships:
        savepoint = session.begin_nested()
        try:
            _relationship(session, branch, snap.id, rel)
            session.flush()
            savepoint.commit()
        except IntegrityError as exc:
            savepoint.rollback()
            log.warning("relationship %s not recovered: %s", rel.id, exc.orig)


def _relationship(session: Session, branch: str, person_id: uuid.UUID, rel: RelationshipRecord) -> None:
    row = session.get(Relationship, rel.id)
    if row is None:
        workshop = (session.scalar(select(Workshop.id).where(Workshop.code == rel.workshop_code))
                    if rel.workshop_code else None)
        main = (session.scalar(select(Person.id).where(Person.ssn == rel.main_insured_ssn))
                if rel.main_insured_ssn else None)
        session.add(Relationship(id=rel.id, person_id=person_id, type_code=rel.kind, start=rel.start,
                                 end=rel.end, end_reason=rel.end_reason,
                                 insurance_number=rel.insurance_number, branch_code=branch,
                                 workshop_id=workshop, main_insured_id=main,
                                 medical_link=True if rel.medical_link is None else rel.medical_link))
        return
    row.end, row.end_reason = rel.end, rel.end_reason


def _advance_ranges(session: Session) -> None:
    """Permanent and branch-temporary numbers come from the store's own ranges, which the backup
    rewound: move each past every number of it the store now holds again (recovered from HQ),
    or the next enrolment would hand out a number HQ already gave to someone else."""
    for rng in session.scalars(select(NumberRange)):
        width = len(rng.prefix) + 8
        used = [*session.scalars(select(InsuranceNumber.value)
                                 .where(InsuranceNumber.value.startswith(rng.prefix, autoescape=True))),
                *session.scalars(select(Relationship.insurance_number)
                                 .where(Relationship.insurance_number.startswith(rng.prefix, autoescape=True)))]
        serials = [int(v[len(rng.prefix):]) for v in used if len(v) == width and v[len(rng.prefix):].isdigit()]
        highest = max((n for n in serials if rng.first <= n <= rng.last), default=None)
        if highest is not None and highest >= rng.next:
            rng.next = highest + 1


def _record(session: Session, branch: str, rec: RecoveredRecord) -> int:
    """The link as HQ holds it (same seq, tracking code and hashes). Local ids the chain hashes
    (authority, user, person) are looked up by code, username and national code: in the same
    store lineage they are the ids the record was made with."""
    _advance_tracking_serial(session, branch, rec.tracking_code)
    if session.get(InquiryRecord, rec.seq) is not None:
        return 0
    authority = session.scalar(select(Authority.id).where(Authority.code == rec.authority))
    user = (session.scalar(select(AppUser.id).where(AppUser.username == rec.user))
            or session.scalar(select(AppUser.id).where(AppUser.role == "admin").limit(1)))
    if authority is None or user is None:
        log.warning("inquiry record %s not recovered: authority %s unknown here", rec.seq, rec.authority)
        return 0
    person = session.scalar(select(Person.id).where(Person.national_code == rec.national_code))
    session.add(InquiryRecord(
        seq=rec.seq, tracking_code=rec.tracking_code, at=_naive_utc(rec.at), authority_id=authority,
        national_code=rec.national_code, person_id=person, from_date=rec.from_date,
        to_date=rec.to_date, state=rec.state, user_id=user,
        requester_person_id=rec.requester_person_id, answer=rec.answer, prev_hash=rec.prev_hash,
        hash=rec.hash))
    return 1


def _naive_utc(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at


def _advance_tracking_serial(session: Session, branch: str, code: str) -> None:
    body = code[len(branch):-1]
    if not code.startswith(branch) or not body.isdigit():
        return
    serial = session.get(TrackingSerial, branch)
    if serial is None:
        session.add(TrackingSerial(branch_code=branch, next_serial=int(body) + 1))
        session.flush()
    elif serial.next_serial <= int(body):
        serial.next_serial = int(body) + 1
