"""Certificates for natural persons (SPEC §4.5) and their verification by an authority.

The person asks at the counter; the answer is given as if the chosen authority had asked,
goes into the person's personal box, and the authority later reads it with the tracking code
and a passcode. Passcodes are shown once and kept only as argon2 hashes; five wrong tries lock
that certificate for an hour, and every try is recorded.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from desktop.domain import identifiers, tracking
from desktop.domain.errors import DomainError, NotFound
from desktop.domain.inquiry import InquiryAnswer, Requester
from desktop.domain.text import normalise_text, persian_digits
from desktop.models import (
    Certificate,
    CertificateAttempt,
    InquiryRecord,
    Person,
    PersonalBoxItem,
    utcnow,
)

from .actor import Actor
from .chain_anchor import hq_passcode_hash
from .inquiry import Deliver, record_answer, stored_answer
from .records import enrolled_person
from .store import Store
from .unit import Unit, mutation

MAX_WRONG = 5
LOCK = dt.timedelta(hours=1)
_hasher = PasswordHasher()


class VerificationRefused(DomainError):
    """A wrong passcode or a locked certificate. The attempt itself was recorded."""

    exit_code = 3

    def __init__(self, fa: str, en: str, *, outcome: str, locked_until: dt.datetime | None = None) -> None:
        super().__init__(fa, en, field="passcode")
        self.outcome = outcome
        self.locked_until = locked_until


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate as issued at the counter: the answer, who asked, and the passcode (shown
    this once; `requester.passcode` carries it onto the person's printed copy)."""

    answer: InquiryAnswer
    requester: Requester

    @property
    def tracking_code(self) -> str:
        return self.answer.tracking_code

    @property
    def passcode(self) -> str:
        return self.requester.passcode or ""

    def as_json(self) -> dict[str, Any]:
        """CLI.md `certificate --json`: the answer, its `certificate` and the `passcode`."""
        return {**self.answer.as_json(), "certificate": self.requester.as_json(),
                "passcode": self.passcode}


@dataclass(frozen=True)
class ShownCertificate:
    """A certificate shown to an authority that gave the right passcode."""

    answer: InquiryAnswer
    requester: Requester

    @property
    def tracking_code(self) -> str:
        return self.answer.tracking_code

    def as_json(self) -> dict[str, Any]:
        """CLI.md `verify --json`: the answer as given, its `certificate`, `verified: true`."""
        return {**self.answer.as_json(), "certificate": self.requester.as_json(), "verified": True}


def issue_certificate(store: Store, actor: Actor, national_code: str, authority_code: str, *,
                      deliver: Deliver | None = None) -> IssuedCertificate:
    """Issue, file in the personal box, and return it with its passcode (shown once).

    `deliver(answer, requester)` (passcode included) runs inside the transaction before commit,
    e.g. to write the PDF to a temporary file: if it raises, nothing is recorded."""
    nc = identifiers.national_code(national_code)
    secret = tracking.new_passcode()
    with mutation(store, actor, "certificate.issue") as unit:
        person = enrolled_person(unit.session, national_code=nc)
        recorded = record_answer(unit, authority_code, nc, None, action="certificate.issue",
                                 requester_id=person.id)
        answer = recorded.answer
        closing = requester(person, store.today())
        cert = Certificate(tracking_code=answer.tracking_code, person_id=person.id,
                           authority_id=recorded.record.authority_id, passcode_hash=_hasher.hash(secret),
                           requested_on=store.today())
        unit.session.add(cert)
        unit.session.flush()
        # The box copy carries no passcode: it is shown to the person once, never stored in clear.
        unit.session.add(PersonalBoxItem(person_id=person.id, certificate_id=cert.id,
                                         title=_box_title(answer), pdf=render_pdf(answer, closing)))
        shown = replace(closing, passcode=tracking.format_passcode(secret))
        if deliver is not None:
            deliver(answer, shown)
        unit.outbox("certificate", cert.id, "certificate.issue", {
            "tracking_code": cert.tracking_code, "person_id": person.id, "authority": answer.authority.code,
            "passcode_hash": cert.passcode_hash, "requested_on": cert.requested_on})
    return IssuedCertificate(answer, shown)


def requester(person: Person, day: dt.date) -> Requester:
    """The closing line's data: «این گواهی بنابه درخواست مورخ … آقای/خانم … صادر گردیده است»."""
    return Requester(f"{person.first_name} {person.last_name}", person.gender, day)


def _box_title(answer: InquiryAnswer) -> str:
    return f"گواهی وضعیت ارتباط بیمه‌ای برای {answer.authority.name}"


def render_pdf(answer: InquiryAnswer, certificate: Requester | None = None) -> bytes:
    """The letter (or, with `certificate`, the certificate) as PDF bytes.

    Imported here so that commands and screens that never print do not load ReportLab; an
    ImportError is a broken installation and is raised, never turned into "no PDF"."""
    from desktop.printing.letters import render_inquiry_pdf

    return render_inquiry_pdf(answer, certificate=certificate)


def verify_certificate(store: Store, actor: Actor, tracking_code: str, passcode: str, source: str = "",
                       *, now: dt.datetime | None = None) -> ShownCertificate:
    """Show a certificate to an authority, or refuse; the attempt is committed either way."""
    code = tracking.tracking_code(tracking_code)
    secret = tracking.passcode(passcode)
    source = normalise_text(source, field="source")  # who asked: free text, length-limited
    now = now or utcnow()
    hq_hash = hq_passcode_hash(store, code)  # before the write lock: HQ may be slow or away
    shown: ShownCertificate | DomainError
    with mutation(store, actor, "certificate.verify") as unit:
        cert = unit.session.scalar(select(Certificate).where(Certificate.tracking_code == code))
        outcome = "tampered" if cert and hq_hash and hq_hash != cert.passcode_hash else _check(cert, secret, now)
        _attempt(unit, code, outcome, source, now)
        if cert is None:
            shown = NotFound(f"گواهی با کد پیگیری {persian_digits(code)} وجود ندارد.",
                             f"no certificate {code}", field="tracking_code")
        elif outcome == "shown":
            shown = _shown(unit, cert)
        else:
            shown = _refusal(cert, outcome, now)
    # Raised only now: the attempt above is committed whatever the outcome.
    if isinstance(shown, DomainError):
        raise shown
    return shown


def _check(cert: Certificate | None, secret: str, now: dt.datetime) -> str:
    if cert is None:
        return "unknown"
    if cert.locked_until and cert.locked_until > now:
        return "locked"
    if cert.locked_until:  # the hour is over: a fresh set of tries
        cert.locked_until, cert.failed_attempts = None, 0
    if _matches(cert.passcode_hash, secret):
        cert.failed_attempts = 0
        return "shown"
    cert.failed_attempts += 1
    if cert.failed_attempts >= MAX_WRONG:
        cert.locked_until = now + LOCK
    return "wrong_passcode"


def _matches(stored: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False


def _attempt(unit: Unit, code: str, outcome: str, source: str, now: dt.datetime) -> None:
    unit.session.add(CertificateAttempt(tracking_code=code, at=now, success=outcome == "shown",
                                        outcome=outcome, source=source or unit.actor.username))
    unit.record("certificate.verify", "certificate", code, {"tracking_code": code, "outcome": outcome,
                                                            "source": source})


def _shown(unit: Unit, cert: Certificate) -> ShownCertificate:
    record = unit.session.scalar(select(InquiryRecord).where(InquiryRecord.tracking_code == cert.tracking_code))
    person = unit.session.get(Person, cert.person_id)
    # Both rows are written with the certificate in one transaction and never deleted.
    assert record is not None and person is not None
    return ShownCertificate(stored_answer(record), requester(person, cert.requested_on))


def _refusal(cert: Certificate, outcome: str, now: dt.datetime) -> VerificationRefused:
    if outcome == "tampered":
        return VerificationRefused(
            "کد رمز ثبت‌شده این گواهی در شعبه با نسخه ستاد یکی نیست؛ گواهی نشان داده نمی‌شود و "
            "باید بررسی شود.",
            "this certificate's passcode hash differs from headquarters' copy; not shown",
            outcome="tampered")
    if cert.locked_until:
        minutes = max(1, math.ceil((cert.locked_until - now).total_seconds() / 60))
        return VerificationRefused(
            f"به دلیل {persian_digits(MAX_WRONG)} بار ورود نادرست کد رمز، این گواهی تا "
            f"{persian_digits(minutes)} دقیقه دیگر قفل است.",
            f"too many wrong passcodes; this certificate is locked for {minutes} more minute(s)",
            outcome="locked" if outcome == "locked" else outcome, locked_until=cert.locked_until)
    left = MAX_WRONG - cert.failed_attempts
    return VerificationRefused(
        f"کد رمز نادرست است؛ {persian_digits(left)} بار دیگر می‌توانید تلاش کنید.",
        f"wrong passcode; {left} attempt(s) left before a one-hour lock",
        outcome=outcome)
