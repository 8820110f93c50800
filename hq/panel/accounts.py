"""Authority staff accounts of the web panel: argon2 passwords, lock-out, every attempt recorded.

An account belongs to one outside authority (`authority_code`); which group it asks as (fund or
judicial) is the authority's, read from the authority row — never from the request.

Lock-out: the MAX_FAILURES-th consecutive wrong password locks the account for LOCK_MINUTES.
While locked, the password is not even checked (a guesser learns nothing from a right guess),
and the attempt is recorded as 'locked'. An unknown username costs one argon2 verification as
well, so timing does not tell which usernames exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, text

from desktop.domain.errors import InvalidValue
from desktop.domain.text import persian_digits

from ..errors import NotFoundError, Refused

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

_hasher = PasswordHasher()  # argon2id, the library's (RFC 9106 low-memory) defaults
# Verified against when the username is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("not a password of anyone")

Outcome = Literal["signed_in", "wrong_password", "unknown_user", "locked", "disabled", "locked_now"]


@dataclass(frozen=True)
class PanelUser:
    id: int
    username: str
    authority_code: str


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt; `user` only when it succeeded."""

    outcome: Outcome
    user: PanelUser | None = None
    locked_minutes: int = 0


def username(raw: str | None) -> str:
    name = (raw or "").strip().lower()
    if not _USERNAME.match(name):
        raise InvalidValue(
            "نام کاربری باید ۳ تا ۶۴ نویسه از حروف لاتین کوچک، رقم، نقطه، خط تیره یا زیرخط باشد.",
            "a username is 3-64 characters: lowercase latin letters, digits, '.', '-' or '_'",
            field="username")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidValue(f"گذرواژه باید دست‌کم {persian_digits(MIN_PASSWORD)} نویسه باشد.",
                           f"the password must be at least {MIN_PASSWORD} characters",
                           field="password")
    return password


def add_user(conn: Connection, *, authority_code: str, name: str, password: str,
             authority_exists: bool) -> PanelUser:
    """A new account of an existing authority (the caller looked the authority up)."""
    name = username(name)
    check_password(password)
    if not authority_exists:
        raise NotFoundError(f"مرجعی با کد «{persian_digits(authority_code)}» ثبت نشده است.",
                            f"no authority with code {authority_code!r} (hq authority add first)")
    taken = conn.execute(text("SELECT 1 FROM panel_user WHERE username = :u"), {"u": name}).first()
    if taken is not None:
        raise Refused(f"نام کاربری «{name}» پیش‌تر ثبت شده است.", f"username {name!r} is taken")
    row = conn.execute(text(
        "INSERT INTO panel_user (authority_code, username, password_hash)"
        " VALUES (:a, :u, :h) RETURNING id"),
        {"a": authority_code, "u": name, "h": _hasher.hash(password)}).one()
    return PanelUser(int(row.id), name, authority_code)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _record(conn: Connection, name: str, user_id: int | None, address: str, outcome: Outcome) -> None:
    conn.execute(text("INSERT INTO panel_sign_in (username, user_id, address, outcome)"
                      " VALUES (:u, :id, :a, :o)"),
                 {"u": name[:64], "id": user_id, "a": address[:64], "o": outcome})


def sign_in(conn: Connection, raw_username: str, password: str, address: str) -> SignIn:
    """Check one attempt and record it (in the caller's transaction, which must commit even when
    the attempt failed: the failure count and the record are the point)."""
    name = (raw_username or "").strip().lower()[:64]
    row = conn.execute(text(
        "SELECT id, username, authority_code, password_hash, active, failed_sign_ins,"
        " locked_until > now() AS locked,"
        " ceil(extract(epoch FROM locked_until - now()) / 60) AS minutes_left"
        " FROM panel_user WHERE username = :u FOR UPDATE"), {"u": name}).first()
    if row is None:
        _verify(_DUMMY_HASH, password)
        _record(conn, name, None, address, "unknown_user")
        return SignIn("unknown_user")
    if row.locked:
        _record(conn, name, row.id, address, "locked")
        return SignIn("locked", locked_minutes=max(1, int(row.minutes_left or 1)))
    if not _verify(row.password_hash, password):
        failures = row.failed_sign_ins + 1
        if failures >= MAX_FAILURES:
            conn.execute(text(
                "UPDATE panel_user SET failed_sign_ins = 0,"
                " locked_until = now() + make_interval(mins => :m) WHERE id = :id"),
                {"m": LOCK_MINUTES, "id": row.id})
            _record(conn, name, row.id, address, "locked_now")
            return SignIn("locked_now", locked_minutes=LOCK_MINUTES)
        conn.execute(text("UPDATE panel_user SET failed_sign_ins = :f WHERE id = :id"),
                     {"f": failures, "id": row.id})
        _record(conn, name, row.id, address, "wrong_password")
        return SignIn("wrong_password")
    if not row.active:
        _record(conn, name, row.id, address, "disabled")
        return SignIn("disabled")
    conn.execute(text("UPDATE panel_user SET failed_sign_ins = 0, locked_until = NULL WHERE id = :id"),
                 {"id": row.id})
    _record(conn, name, row.id, address, "signed_in")
    return SignIn("signed_in", PanelUser(int(row.id), str(row.username), str(row.authority_code)))


def refusal_text(attempt: SignIn) -> tuple[str, str]:
    """What the sign-in page says (Persian, English). A wrong password and an unknown username
    read the same, so the page does not confirm which usernames exist."""
    if attempt.outcome in ("locked", "locked_now"):
        minutes = persian_digits(attempt.locked_minutes)
        return (f"به دلیل {persian_digits(MAX_FAILURES)} بار ورود نادرست، حساب کاربری تا "
                f"{minutes} دقیقه دیگر قفل است.",
                f"the account is locked for {attempt.locked_minutes} more minutes after "
                f"{MAX_FAILURES} failed sign-ins")
    if attempt.outcome == "disabled":
        return "این حساب کاربری غیرفعال شده است.", "this account is disabled"
    return "نام کاربری یا گذرواژه نادرست است.", "wrong username or password"
