"""The authorities' panel at headquarters: the service both the JSON API and the web pages use.

Every entry point takes a SQLAlchemy Connection the caller owns. `answer_inquiry` and
`verify_certificate` write, so the caller runs them inside `engine.begin()`. Refusals of the
request itself (a bad national code, an unknown authority) are raised before anything is written.
A certificate verification is recorded whatever its outcome, so `verify_certificate` RETURNS its
refusal instead of raising it: the caller commits (keeping the attempt) and then reports it.

The answer comes from the same engine the branches use (desktop.domain.inquiry.answer) over the
central record (hq/panel/central.py); the authority and its group always come from the database,
never from the request.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Literal
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, text

from desktop.domain import identifiers, tracking
from desktop.domain.errors import DomainError
from desktop.domain.inquiry import (
    AuthorityFacts,
    AuthorityRef,
    BranchRef,
    InquiryAnswer,
    Requester,
    answer,
    parse_period,
)
from desktop.domain.jalali import format_jalali
from desktop.domain.letters import letter_digest
from desktop.domain.text import normalise_identifier, normalise_text, persian_digits
from desktop.domain.tracking import make_tracking_code
from desktop.domain.vocabulary import AUTHORITY_GROUPS

from ..changelog import LogRow, announce
from ..errors import Forbidden, HqError, NotFoundError, Refused
from . import PANEL_PREFIX, central, keys

__all__ = [
    "Authority", "CertificateView", "HistoryLine", "Invalid", "PanelAnswer", "VerificationRefused",
    "add_authority", "answer_inquiry", "authority", "inquiry_history", "inquiry_letter_pdf",
    "personal_box", "verify_certificate",
]

HQ_BRANCH = BranchRef("", "ستاد مرکزی سازمان — سامانه استعلام مراجع")
CHANNELS = ("api", "panel")
MAX_WRONG = 5  # as at the branch counter (desktop/services/certificates.py)
LOCK = dt.timedelta(hours=1)
TEHRAN = ZoneInfo("Asia/Tehran")  # the letter's date is the date in Iran, whatever the server says
_hasher = PasswordHasher()

Channel = Literal["api", "panel"]


class Invalid(HqError):
    """A value in the request does not pass its validator (the domain's InvalidValue)."""

    status = 422
    code = "invalid_value"


@contextmanager
def _checked() -> Iterator[None]:
    """The domain's validators raise plain DomainErrors; at headquarters they become HqErrors
    (an HTTP status and code) with the same Persian and English words."""
    try:
        yield
    except HqError:
        raise
    except DomainError as exc:
        raise Invalid(exc.fa, exc.en, field=exc.field) from None


def iran_today() -> dt.date:
    return dt.datetime.now(TEHRAN).date()


# --- authorities ------------------------------------------------------------------------------

# The branches' own authority reference: one shape for who asked, on both sides.
Authority = AuthorityRef


def authority(conn: Connection, code: str) -> Authority:
    """The authority as headquarters holds it (its group from the database, never a request);
    unknown → NotFoundError, agreement ended (inactive) → Forbidden."""
    row = conn.execute(text('SELECT code, name, "group", active FROM authority WHERE code = :c'),
                       {"c": code}).first()
    if row is None:
        raise NotFoundError(f"مرجعی با کد «{code}» در ستاد ثبت نشده است.", f"no authority {code!r} at HQ",
                            field="authority")
    if not row.active:
        raise Forbidden(f"تفاهم‌نامه مرجع «{row.name}» فعال نیست.", f"authority {code} is inactive",
                        field="authority")
    return Authority(row.code, row.name, row.group)


def add_authority(conn: Connection, *, code: str, name: str, group: str) -> tuple[Authority, str, bool]:
    """Register an authority centrally (announced to every branch) and give it an API key.

    An authority a branch already added keeps its name and gets a key; a different group for
    the same code is refused. Returns (authority, key shown once, whether it was new)."""
    with _checked():
        code = normalise_identifier(code or "", field="code")
        name = normalise_text(name or "", field="name")
    if not code or not name:
        raise Invalid("کد و نام مرجع لازم است.", "authority code and name are required", field="code")
    if group not in AUTHORITY_GROUPS:
        raise Invalid("گروه مرجع باید fund یا judicial باشد.", "group must be fund or judicial", field="group")
    added = conn.execute(text(
        'INSERT INTO authority (code, name, "group") VALUES (:c, :n, :g) ON CONFLICT DO NOTHING'
        " RETURNING code"), {"c": code, "n": name, "g": group}).first() is not None
    if added:
        announce(conn, [LogRow("authority", code, {"code": code, "name": name, "group": group})])
    held = authority(conn, code)
    if held.group != group:
        raise Refused(f"مرجع «{held.name}» پیش‌تر با گروه دیگری ثبت شده است.",
                      f"authority {code} is already registered as {held.group}", field="group")
    return held, keys.store_key(conn, code), added


# --- inquiries --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PanelAnswer:
    """One answer given at headquarters. `as_json()` is `branch-desk inquiry --json`'s shape
    (docs/CLI.md "Inquiry"), with `branch` naming headquarters and the letter's `digest`."""

    answer: InquiryAnswer
    channel: str
    actor: str

    @property
    def tracking_code(self) -> str:
        return self.answer.tracking_code

    @property
    def state(self) -> str:
        return self.answer.state

    def as_json(self) -> dict[str, Any]:
        return self.answer.as_json()


def answer_inquiry(conn: Connection, *, authority_code: str, national_code: str,
                   period_from: dt.date | str | None, period_to: dt.date | str | None,
                   channel: Channel | str, actor: str, today: dt.date | None = None) -> PanelAnswer:
    """Answer as that authority asked, over the central record, and record it (one row in
    panel_answer with a fresh tracking code). Dates are dates or Jalali text (any digits)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    who = authority(conn, authority_code)
    with _checked():
        nc = identifiers.national_code(national_code)
        period = parse_period(period_from or None, period_to or None)
    facts, _ = central.person_facts(conn, nc, with_contacts=who.group == "judicial")
    serial = int(conn.execute(text("SELECT nextval('panel_tracking_serial')")).scalar_one())
    given = replace(answer(nc, facts, AuthorityFacts(who.code, who.name, who.group), today or iran_today(),
                           period, tracking_code=make_tracking_code(PANEL_PREFIX, serial)),
                    branch=HQ_BRANCH)
    given = replace(given, digest=letter_digest(given))
    conn.execute(text(
        "INSERT INTO panel_answer (tracking_code, authority, actor, channel, national_code, from_date,"
        " to_date, state, answer, digest) VALUES (:t, :a, :u, :ch, :nc, :f, :to, :s, :ans, :d)"),
        {"t": given.tracking_code, "a": who.code, "u": actor, "ch": channel, "nc": nc,
         "f": period.start if period else None, "to": period.end if period else None,
         "s": given.state, "ans": given.stored_text(), "d": given.digest})
    return PanelAnswer(given, channel, actor)


def stored_panel_answer(conn: Connection, *, authority_code: str, tracking_code: str) -> InquiryAnswer:
    """An answer this authority was given at headquarters, exactly as given. Another
    authority's answer is refused with the same words as an unknown code."""
    with _checked():
        code = tracking.tracking_code(tracking_code)
    row = conn.execute(text("SELECT answer, digest FROM panel_answer WHERE tracking_code = :t"
                            " AND authority = :a"), {"t": code, "a": authority_code}).first()
    if row is None:
        raise NotFoundError(f"پاسخی با کد پیگیری {persian_digits(code)} برای این مرجع نیست.",
                            f"no answer {code} for this authority", field="tracking_code")
    return replace(InquiryAnswer.from_json(json.loads(row.answer)), digest=row.digest)


def inquiry_letter_pdf(conn: Connection, *, authority_code: str, tracking_code: str) -> bytes:
    """The letter the branches print (desktop.printing.letters), for the authority's own answer."""
    from desktop.printing.letters import render_inquiry_pdf  # ReportLab only when printing

    return render_inquiry_pdf(stored_panel_answer(conn, authority_code=authority_code,
                                                  tracking_code=tracking_code))


@dataclass(frozen=True)
class HistoryLine:
    tracking_code: str
    at: dt.datetime
    national_code: str
    state: str
    channel: str
    actor: str
    period_from: dt.date | None
    period_to: dt.date | None

    def as_json(self) -> dict[str, Any]:
        return {"tracking_code": self.tracking_code, "at": self.at.isoformat(),
                "national_code": self.national_code, "state": self.state, "channel": self.channel,
                "actor": self.actor,
                "from": format_jalali(self.period_from) if self.period_from else None,
                "to": format_jalali(self.period_to) if self.period_to else None}


def inquiry_history(conn: Connection, *, authority_code: str, limit: int = 50) -> list[HistoryLine]:
    """The authority's own answers, newest first (never another authority's)."""
    rows = conn.execute(text(
        "SELECT tracking_code, at, national_code, state, channel, actor, from_date, to_date"
        " FROM panel_answer WHERE authority = :a ORDER BY at DESC, tracking_code DESC LIMIT :n"),
        {"a": authority_code, "n": max(1, min(limit, 1000))})
    return [HistoryLine(*r) for r in rows]


# --- certificates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CertificateView:
    """A certificate as issued at a branch, shown to an authority that gave its passcode."""

    answer: InquiryAnswer
    requester: Requester
    issued_at_branch: str

    @property
    def tracking_code(self) -> str:
        return self.answer.tracking_code

    def as_json(self) -> dict[str, Any]:
        """`branch-desk verify --json`'s shape: the answer, its `certificate`, `verified`."""
        return {**self.answer.as_json(), "certificate": self.requester.as_json(), "verified": True}


class VerificationRefused(HqError):
    """Not shown: unknown code, wrong passcode (or another authority's certificate), locked.
    The attempt was recorded; `outcome` says which."""

    status = 403
    code = "verification_refused"

    def __init__(self, fa: str, en: str, *, outcome: str, status: int = 403,
                 locked_until: dt.datetime | None = None) -> None:
        super().__init__(fa, en, field="passcode")
        self.outcome = outcome
        self.status = status
        self.code = outcome
        self.locked_until = locked_until


Verification = CertificateView | VerificationRefused


def verify_certificate(conn: Connection, *, tracking_code: str, passcode: str, actor: str,
                       authority_code: str | None, channel: Channel | str = "api",
                       now: dt.datetime | None = None) -> Verification:
    """Check the passcode of a certificate issued at any branch; record the attempt; return the
    certificate or the refusal (commit, then report it). With `authority_code`, only the
    authority the certificate was issued for may open it — another authority's try counts as a
    wrong passcode and gets the same words, so nobody learns whose a certificate is."""
    with _checked():
        code = tracking.tracking_code(tracking_code)
        secret = tracking.passcode(passcode)
    verifier = authority(conn, authority_code) if authority_code else None
    now = now or dt.datetime.now(dt.UTC)
    cert = conn.execute(text(
        "SELECT tracking_code, branch, person_id, authority, passcode_hash, requested_on,"
        " failed_attempts, locked_until FROM certificate WHERE tracking_code = :t FOR UPDATE"),
        {"t": code}).first()
    if cert is None:
        _attempt(conn, code, "unknown", actor, verifier, channel)
        return VerificationRefused(f"گواهی با کد پیگیری {persian_digits(code)} در ستاد نیست.",
                                   f"no certificate {code} at HQ", outcome="unknown", status=404)
    if cert.locked_until is not None and cert.locked_until > now:
        _attempt(conn, code, "locked", actor, verifier, channel)
        return _locked(cert.locked_until, now)
    failed = 0 if cert.locked_until is not None else cert.failed_attempts  # the hour is over
    mine = verifier is None or verifier.code == cert.authority
    if mine and _matches(cert.passcode_hash, secret):
        shown = _shown(conn, cert, verifier)
        if isinstance(shown, CertificateView):
            _set_lock(conn, code, 0, None)
            _attempt(conn, code, "shown", actor, verifier, channel)
            return shown
        _attempt(conn, code, "not_synced", actor, verifier, channel)
        return shown
    failed += 1
    locked_until = now + LOCK if failed >= MAX_WRONG else None
    _set_lock(conn, code, failed, locked_until)
    _attempt(conn, code, "wrong_passcode" if mine else "other_authority", actor, verifier, channel)
    if locked_until is not None:
        return _locked(locked_until, now)
    left = MAX_WRONG - failed
    return VerificationRefused(
        f"کد رمز نادرست است؛ {persian_digits(left)} بار دیگر می‌توانید تلاش کنید.",
        f"wrong passcode; {left} attempt(s) left before a one-hour lock", outcome="wrong_passcode")


def _locked(until: dt.datetime, now: dt.datetime) -> VerificationRefused:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return VerificationRefused(
        f"به دلیل {persian_digits(MAX_WRONG)} بار ورود نادرست کد رمز، این گواهی تا "
        f"{persian_digits(minutes)} دقیقه دیگر قفل است.",
        f"too many wrong passcodes; this certificate is locked for {minutes} more minute(s)",
        outcome="locked", status=423, locked_until=until)


def _matches(stored: str, secret: str) -> bool:
    try:
        return bool(_hasher.verify(stored, secret))
    except (VerificationError, InvalidHashError):
        return False


def _set_lock(conn: Connection, code: str, failed: int, until: dt.datetime | None) -> None:
    conn.execute(text("UPDATE certificate SET failed_attempts = :f, locked_until = :u"
                      " WHERE tracking_code = :t"), {"f": failed, "u": until, "t": code})


def _attempt(conn: Connection, code: str, outcome: str, actor: str, verifier: Authority | None,
             channel: str) -> None:
    conn.execute(text("INSERT INTO certificate_attempt (tracking_code, outcome, actor, authority, channel)"
                      " VALUES (:t, :o, :u, :a, :c)"),
                 {"t": code, "o": outcome, "u": actor, "a": verifier.code if verifier else None,
                  "c": channel})


def _shown(conn: Connection, cert: Any, verifier: Authority | None) -> Verification:
    row = conn.execute(text(
        "SELECT r.answer, r.hash, p.first_name, p.last_name, p.gender FROM inquiry_record r"
        " LEFT JOIN person p ON p.id = :pid WHERE r.tracking_code = :t"),
        {"t": cert.tracking_code, "pid": cert.person_id}).first()
    if row is None:
        return VerificationRefused(
            "متن این گواهی هنوز از شعبه به ستاد نرسیده است؛ کمی بعد دوباره بکوشید.",
            "the certificate's answer has not reached headquarters yet", outcome="not_synced",
            status=409)
    given = InquiryAnswer.from_json(json.loads(row.answer))
    given = replace(given, digest=letter_digest(given), record_hash=row.hash)
    if verifier is not None and verifier.group != "judicial":
        given = replace(given, judicial=None)  # a fund never sees addresses or phones
    who = Requester(f"{row.first_name or ''} {row.last_name or ''}".strip(), row.gender or "",
                    cert.requested_on or given.date)
    return CertificateView(given, who, cert.branch)


def certificate_letter_pdf(view: CertificateView) -> bytes:
    """The certificate as the branch printed it (without the passcode line)."""
    from desktop.printing.letters import render_inquiry_pdf

    return render_inquiry_pdf(view.answer, certificate=view.requester)


# --- natural persons: the personal box --------------------------------------------------------

@dataclass(frozen=True)
class BoxItem:
    tracking_code: str
    branch: str
    authority_code: str
    authority_name: str
    requested_on: dt.date | None
    state: str | None

    def as_json(self) -> dict[str, Any]:
        return {"tracking_code": self.tracking_code, "branch": self.branch,
                "authority": {"code": self.authority_code, "name": self.authority_name},
                "requested_on": format_jalali(self.requested_on) if self.requested_on else None,
                "state": self.state}


def personal_box(conn: Connection, *, national_code: str) -> list[BoxItem]:
    """Every certificate issued for the person at any branch (no passcode, no answer text)."""
    with _checked():
        nc = identifiers.national_code(national_code)
    rows = conn.execute(text(
        "SELECT c.tracking_code, c.branch, coalesce(c.authority, '') AS authority,"
        " coalesce(a.name, '') AS name, c.requested_on, r.state FROM certificate c"
        " JOIN person p ON p.id = c.person_id LEFT JOIN authority a ON a.code = c.authority"
        " LEFT JOIN inquiry_record r ON r.tracking_code = c.tracking_code"
        " WHERE p.national_code = :nc ORDER BY c.requested_on DESC NULLS LAST, c.tracking_code DESC"),
        {"nc": nc})
    return [BoxItem(*r) for r in rows]
