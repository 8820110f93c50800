"""The central record of a person asked about at the counter (issue 10, "Pull"): a national code
this store does not know may belong to someone enrolled at another branch. The counter asks
headquarters — briefly, off the GUI thread; an unreachable HQ is an answer, never an error — and
shows "enrolled at branch X, SSN Y" instead of offering a fresh enrolment with a new SSN. The
clerk can then bring the person into this store from that record.

A person brought in is a pulled row: written straight to the store with an audit row (who
brought whom), never an outbox row — HQ already holds the record, so nothing is echoed back. The
person keeps the central id, SSN and numbers; the other branch's relationships stay there (their
workshops and main insured are not in this store), so here the person holds an SSN without a
main relationship, and the enrolment's usual path for that case (SPEC §2: a main relationship
starts with the same SSN) takes over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desktop.domain import identifiers
from desktop.domain.errors import Conflict, NotFound
from desktop.domain.roles import require
from desktop.domain.text import persian_digits, search_key
from desktop.models import InsuranceNumber, Person
from desktop.sync import wire
from desktop.sync.client import HqRefused, HqUnreachable

from .actor import Actor
from .store import Store
from .sync import hq_client, is_joined
from .unit import mutation

# The clerk is typing: a lookup that cannot finish in this time is treated as "offline".
LOOKUP_CONNECT_SECONDS = 1.0
LOOKUP_READ_SECONDS = 2.0


@dataclass(frozen=True)
class CentralRecord:
    """What headquarters holds of a national code, as the counter shows it."""

    state: str  # found | not_found | not_joined | unreachable
    branch: str = ""  # the enrolling branch
    ssn: str = ""
    full_name: str = ""
    conflicts: int = 0  # HQ lists the code as enrolled at more than one branch
    snapshot: wire.PersonSnapshot | None = None

    @property
    def found(self) -> bool:
        return self.state == "found"

    def describe_fa(self) -> str:
        """The counter's sentence (codes as one left-to-right run are the view's business)."""
        if not self.found:
            return ""
        return (f"{self.full_name} در شعبه {persian_digits(self.branch)} نام‌نویسی شده است؛ "
                f"شماره تامین اجتماعی: {self.ssn}")


def ask_headquarters(store: Store, actor: Actor, national_code: str) -> CentralRecord:
    """The central record of `national_code`. Offline, refused or not joined: an answer with
    that state (the counter carries on with what the store has)."""
    require(actor.role, "person.read")
    code = identifiers.national_code(national_code)
    if not is_joined(store):
        return CentralRecord("not_joined")
    try:
        with hq_client(store, connect_timeout=LOOKUP_CONNECT_SECONDS,
                       read_timeout=LOOKUP_READ_SECONDS) as client:
            found = client.person(code)
    except (HqUnreachable, HqRefused):
        return CentralRecord("unreachable")
    if found is None:
        return CentralRecord("not_found")
    person = found.person
    return CentralRecord("found", found.branch, person.ssn or "",
                         f"{person.first_name} {person.last_name}", len(found.conflict_ids), person)


@dataclass(frozen=True)
class BroughtPerson:
    ssn: str
    branch: str  # where the person was enrolled


class AlreadyHere(Conflict):
    pass


class NotAtHeadquarters(NotFound):
    pass


def bring_from_headquarters(store: Store, actor: Actor, national_code: str) -> BroughtPerson:
    """Ask HQ again (its record, not what a screen held) and write the person into this store.
    Raises NotAtHeadquarters when HQ has no such person or cannot be reached, AlreadyHere when
    this store knows the code or the SSN already; either way nothing is written."""
    require(actor.role, "person.enrol")
    code = identifiers.national_code(national_code)
    record = ask_headquarters(store, actor, code)
    if not record.found or record.snapshot is None or not record.ssn:
        raise NotAtHeadquarters(
            f"پرونده مرکزی کد ملی {persian_digits(code)} از ستاد گرفته نشد"
            + ("؛ ستاد در دسترس نیست." if record.state == "unreachable" else "."),
            f"headquarters has no central record of {code} to bring ({record.state})",
            field="national_code")
    snap = record.snapshot
    with mutation(store, actor, "person.enrol") as unit:
        s = unit.session
        numbers = {kind: value for kind, value in snap.numbers.items() if kind != "ssn" and value}
        here = s.scalar(select(Person.id).where(
            (Person.national_code == code) | (Person.ssn == snap.ssn) | (Person.id == snap.id)))
        if here is None and numbers:
            here = s.scalar(select(InsuranceNumber.person_id)
                            .where(InsuranceNumber.value.in_(list(numbers.values()))).limit(1))
        if here is not None:
            raise AlreadyHere(
                "این شخص (یا شماره تامین اجتماعی او) در همین شعبه ثبت است؛ پرونده را باز کنید.",
                f"this store already holds national code {code} or SSN {snap.ssn}",
                field="national_code")
        s.add(_person_row(snap))
        s.flush()  # the numbers name the person
        for kind, value in numbers.items():
            s.add(InsuranceNumber(person_id=snap.id, kind=kind, value=value, branch_code=record.branch))
        # An audit row says who brought whom; no outbox row: HQ holds this record already.
        unit.audit("person.bring_from_hq", "person", snap.id, national_code=code, ssn=snap.ssn,
                   enrolled_branch=record.branch)
    return BroughtPerson(record.ssn, record.branch)


def _person_row(snap: wire.PersonSnapshot) -> Person:
    enrolled_at = snap.enrolled_at.astimezone(dt.UTC).replace(tzinfo=None) \
        if snap.enrolled_at.tzinfo else snap.enrolled_at
    return Person(
        id=snap.id, national_code=snap.national_code, foreign_id=snap.foreign_id, ssn=snap.ssn,
        first_name=snap.first_name, last_name=snap.last_name, father_name=snap.father_name,
        birth_date=snap.birth_date, benefit_birth_date=snap.benefit_birth_date, gender=snap.gender,
        death_date=snap.death_date, enrolled_branch=snap.enrolled_branch, enrolled_at=enrolled_at,
        name_key=search_key(f"{snap.last_name} {snap.first_name}"))
