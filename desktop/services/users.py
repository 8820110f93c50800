"""Users and roles: argon2 passwords, five wrong passwords lock the account for 15 minutes."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.errors import DomainError, InvalidValue, NotFound
from desktop.domain.roles import ROLES
from desktop.domain.text import normalise_text, persian_digits
from desktop.models import AppUser, AuditEntry, utcnow

from .actor import Actor
from .audit_chain import add_audit
from .store import Store
from .unit import mutation, reading

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 8
_hasher = PasswordHasher()


def actor_of(user: AppUser) -> Actor:
    return Actor(user.id, user.username, user.role, user.full_name)


def _check_new_user(username: str, role: str, password: str) -> None:
    if not username or not username.isascii() or not username.replace(".", "").replace("_", "").isalnum():
        raise InvalidValue("نام کاربری باید از حروف و ارقام لاتین باشد.", "username must be Latin letters and digits", field="username")
    if role not in ROLES:
        raise InvalidValue(f"نقش «{role}» شناخته نیست.", f"unknown role {role!r}", field="role")
    check_password(password)


def check_password(password: str) -> str:
    """A new password: at least MIN_PASSWORD characters, nothing a keyboard cannot type."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidValue("گذرواژه باید دست‌کم ۸ نویسه باشد.", "password must be at least 8 characters", field="password")
    if len(password) > 1024 or any(ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF for ch in password):
        raise InvalidValue("گذرواژه نویسه‌های نامجاز دارد یا بیش از حد بلند است.",
                           "password has control characters or is too long", field="password")
    return password


def insert_user(session: Session, username: str, full_name: str, role: str, password: str) -> AppUser:
    username = normalise_text(username).lower()
    _check_new_user(username, role, password)
    if session.scalar(select(AppUser.id).where(AppUser.username == username)):
        raise InvalidValue(f"نام کاربری «{username}» تکراری است.", f"username {username!r} exists", field="username")
    user = AppUser(username=username, full_name=normalise_text(full_name), role=role, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def create_user(store: Store, actor: Actor, username: str, full_name: str, role: str, password: str) -> Actor:
    with mutation(store, actor, "users.manage") as unit:
        user = insert_user(unit.session, username, full_name, role, password)
        unit.record("user.create", "app_user", user.id, {"username": user.username, "role": role})
        return actor_of(user)


def find_actor(store: Store, username: str) -> Actor:
    """For the CLI's `--user`: act as that store user (role rules apply as in the GUI)."""
    with store.sessions() as s:
        user = s.scalar(select(AppUser).where(AppUser.username == username.lower(), AppUser.active.is_(True)))
        if user is None:
            raise NotFound(f"کاربر «{username}» در این شعبه نیست.", f"no active user {username!r} in this store")
        return actor_of(user)


class LoginFailed(DomainError):
    """Unknown, deactivated or locked user, or a wrong password: not permitted (CLI exit 4)."""

    exit_code = 4


def sign_in(store: Store, username: str, password: str, *, now: dt.datetime | None = None,
            audit_success: bool = True) -> Actor:
    """Verify a password; count failures; lock after five for fifteen minutes.

    The sign-in window and the CLI share this, so wrong passwords typed in either count toward
    the same lock-out. The CLI passes `audit_success=False`: a command's own audit rows name
    its user, and a command that is then refused must leave the store as it was.
    `now` (naive UTC) is only for tests of the fifteen-minute window.
    """
    now = now or utcnow()
    with store.sessions() as s, s.begin():
        user = s.scalar(select(AppUser).where(AppUser.username == normalise_text(username).lower()))
        if user is None or not user.active:
            raise LoginFailed("نام کاربری یا گذرواژه نادرست است.", "wrong username or password")
        if user.locked_until and user.locked_until > now:
            minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
            raise LoginFailed(
                f"این حساب به دلیل ورودهای نادرست پیاپی قفل است؛ {persian_digits(minutes)} دقیقه دیگر "
                "دوباره تلاش کنید.",
                f"account locked for {minutes} more minute(s)",
            )
        if _verified(user.password_hash, password):
            if user.failed_logins or user.locked_until:
                user.failed_logins, user.locked_until = 0, None
            if audit_success:
                _audit_login(s, user, "login.ok")
            return actor_of(user)
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
            _audit_login(s, user, "login.locked")
        else:
            _audit_login(s, user, "login.failed")
    if user.locked_until and user.locked_until > now:
        raise LoginFailed("پنج بار گذرواژه نادرست وارد شد؛ حساب ۱۵ دقیقه قفل شد.", "five wrong passwords: locked for 15 minutes")
    raise LoginFailed("نام کاربری یا گذرواژه نادرست است.", "wrong username or password")


def _verified(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _audit_login(session: Session, user: AppUser, action: str) -> None:
    add_audit(session, AuditEntry(user_id=user.id, action=action, subject_type="app_user", subject_id=str(user.id),
                                  detail="{}"))



@dataclass(frozen=True)
class UserRow:
    """A user as the administration screen lists it."""

    id: uuid.UUID
    username: str
    full_name: str
    role: str
    role_title: str
    active: bool
    locked_until: dt.datetime | None

    def locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


def list_users(store: Store, actor: Actor) -> list[UserRow]:
    with reading(store, actor, "users.manage") as s:
        users = s.scalars(select(AppUser).order_by(AppUser.active.desc(), AppUser.username))
        return [UserRow(u.id, u.username, u.full_name, u.role, ROLES.get(u.role, u.role), u.active,
                        u.locked_until) for u in users]


def _user(session: Session, username: str) -> AppUser:
    user = session.scalar(select(AppUser).where(AppUser.username == normalise_text(username).lower()))
    if user is None:
        raise NotFound(f"کاربر «{username}» در این شعبه نیست.", f"no user {username!r} in this store")
    return user


def reset_password(store: Store, actor: Actor, username: str, new_password: str) -> None:
    """A new password also clears a lockout: the administrator has spoken to the user."""
    check_password(new_password)
    with mutation(store, actor, "users.manage") as unit:
        user = _user(unit.session, username)
        user.password_hash = _hasher.hash(new_password)
        user.failed_logins, user.locked_until = 0, None
        unit.record("user.password_reset", "app_user", user.id, {"username": user.username})


def deactivate_user(store: Store, actor: Actor, username: str) -> None:
    with mutation(store, actor, "users.manage") as unit:
        user = _user(unit.session, username)
        if user.id == actor.id:
            raise InvalidValue("نمی‌توانید حساب خودتان را غیرفعال کنید.", "you cannot deactivate yourself", field="username")
        if not user.active:
            raise InvalidValue(f"کاربر «{user.username}» پیش‌تر غیرفعال شده است.", "user already inactive", field="username")
        user.active = False
        unit.record("user.deactivate", "app_user", user.id, {"username": user.username})


def unlock_user(store: Store, actor: Actor, username: str) -> None:
    with mutation(store, actor, "users.manage") as unit:
        user = _user(unit.session, username)
        user.failed_logins, user.locked_until = 0, None
        unit.record("user.unlock", "app_user", user.id, {"username": user.username})
