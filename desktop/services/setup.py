"""First run: a new branch store with the administrator the set-up dialog names."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from desktop.domain import identifiers
from desktop.domain.errors import Conflict, InvalidValue
from desktop.domain.text import normalise_text
from desktop.models import AppUser

from .admin import DEFAULT_ADMIN, init_store
from .store import Store
from .unit import mutation
from .users import actor_of


def set_up_branch(path: str | Path, branch_code: str, branch_name: str, username: str,
                  full_name: str, password: str) -> Store:
    """Validate everything first, then create the store; refuse to overwrite an existing file."""
    path = Path(path)
    identifiers.branch_code(branch_code)  # raises InvalidValue in Persian
    username = normalise_text(username).lower()
    if not username or not username.isascii() or not username.replace(".", "").replace("_", "").isalnum():
        raise InvalidValue("نام کاربری باید از حروف و ارقام لاتین باشد.", "username must be Latin letters and digits",
                           field="username")
    if len(password) < 8:
        raise InvalidValue("گذرواژه باید دست‌کم ۸ نویسه باشد.", "password must be at least 8 characters",
                           field="password")
    if path.exists():
        raise Conflict(f"در «{path}» پیش‌تر فایلی هست؛ آن را باز کنید یا جای دیگری برگزینید.",
                       f"{path} already exists", field="path")
    store = init_store(path, branch_code, branch_name, admin_password=password,
                       admin_full_name=normalise_text(full_name) or "مدیر سامانه")
    if username != DEFAULT_ADMIN:
        with store.sessions() as s:
            admin = actor_of(s.scalar(select(AppUser).where(AppUser.username == DEFAULT_ADMIN)))
        with mutation(store, admin, "users.manage") as unit:
            user = unit.session.get(AppUser, admin.id)
            user.username = username
            unit.record("user.rename", "app_user", user.id, {"from": DEFAULT_ADMIN, "to": username})
    return store
