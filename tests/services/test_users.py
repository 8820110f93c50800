"""Users: sign-in with lockout, the administrator's user management, role limits, authorities."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain.errors import InvalidValue, PermissionDenied
from desktop.models import utcnow
from desktop.services.authorities import add_authority, list_authorities
from desktop.services.status import pending_outbox
from desktop.services.users import (
    LoginFailed,
    create_user,
    deactivate_user,
    list_users,
    reset_password,
    sign_in,
    unlock_user,
)

from ..conftest import count_rows
from ..support.hashing import SHIPPED_HASHERS


def test_the_shipped_hashers_are_argon2id_at_full_cost():
    """The suite hashes cheaply in-process (tests/conftest.py); what ships is argon2id at
    argon2-cffi's RFC 9106 low-memory profile: 3 passes over 64 MiB, 4 lanes."""
    from argon2 import Type

    for name, hasher in SHIPPED_HASHERS.items():
        shipped = (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        assert shipped == (Type.ID, 3, 65536, 4), name


def test_sign_in_ok_and_wrong_password(store, users):
    actor = sign_in(store, "clerk1", "password123")
    assert actor.role == "clerk" and actor.full_name == "کاربر clerk"
    with pytest.raises(LoginFailed) as err:
        sign_in(store, "clerk1", "wrong-one")
    assert "نادرست" in err.value.fa
    with pytest.raises(LoginFailed):
        sign_in(store, "nobody", "password123")


def test_five_wrong_passwords_lock_for_fifteen_minutes(store, users):
    now = utcnow()
    for _ in range(4):
        with pytest.raises(LoginFailed) as err:
            sign_in(store, "clerk1", "bad-password", now=now)
        assert "قفل" not in err.value.fa
    with pytest.raises(LoginFailed) as err:
        sign_in(store, "clerk1", "bad-password", now=now)
    assert "۱۵ دقیقه قفل" in err.value.fa
    # Even the right password is refused inside the window …
    with pytest.raises(LoginFailed) as err:
        sign_in(store, "clerk1", "password123", now=now + dt.timedelta(minutes=14))
    assert "قفل است" in err.value.fa and "۱ دقیقه" in err.value.fa
    # … and accepted once it has passed.
    assert sign_in(store, "clerk1", "password123", now=now + dt.timedelta(minutes=15, seconds=1)).role == "clerk"


def test_a_good_password_resets_the_failure_count(store, users):
    for _ in range(4):
        with pytest.raises(LoginFailed):
            sign_in(store, "clerk1", "bad-password")
    sign_in(store, "clerk1", "password123")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            sign_in(store, "clerk1", "bad-password")
    assert sign_in(store, "clerk1", "password123").username == "clerk1"


def test_admin_unlocks_and_resets_password(store, admin, users):
    for _ in range(5):
        with pytest.raises(LoginFailed):
            sign_in(store, "clerk1", "bad-password")
    assert next(u for u in list_users(store, admin) if u.username == "clerk1").locked()
    unlock_user(store, admin, "clerk1")
    assert sign_in(store, "clerk1", "password123")
    reset_password(store, admin, "clerk1", "new-password-1")
    with pytest.raises(LoginFailed):
        sign_in(store, "clerk1", "password123")
    assert sign_in(store, "clerk1", "new-password-1").username == "clerk1"
    with pytest.raises(InvalidValue):
        reset_password(store, admin, "clerk1", "short")


def test_deactivated_user_cannot_sign_in(store, admin, users):
    before = count_rows(store, "audit_log")
    deactivate_user(store, admin, "clerk1")
    assert count_rows(store, "audit_log") == before + 1
    with pytest.raises(LoginFailed):
        sign_in(store, "clerk1", "password123")
    rows = {u.username: u for u in list_users(store, admin)}
    assert rows["clerk1"].active is False and rows["admin"].active is True
    assert rows["supervisor1"].role_title == "سرپرست"
    with pytest.raises(InvalidValue):
        deactivate_user(store, admin, "admin")


def test_clerk_may_not_manage_users_and_nothing_is_written(store, clerk):
    before = (count_rows(store, "app_user"), count_rows(store, "audit_log"), count_rows(store, "outbox"))
    with pytest.raises(PermissionDenied) as err:
        create_user(store, clerk, "newbie", "تازه‌کار", "clerk", "password123")
    assert "مدیریت کاربران" in err.value.fa
    for call in (lambda: list_users(store, clerk), lambda: reset_password(store, clerk, "admin", "password99"),
                 lambda: deactivate_user(store, clerk, "admin"), lambda: unlock_user(store, clerk, "admin")):
        with pytest.raises(PermissionDenied):
            call()
    assert (count_rows(store, "app_user"), count_rows(store, "audit_log"), count_rows(store, "outbox")) == before


def test_authorities_list_and_outbox_count(store, admin, clerk):
    pending = pending_outbox(store)
    add_authority(store, admin, "J1", "دادگستری تهران", "judicial")
    add_authority(store, admin, "F1", "صندوق بازنشستگی کشوری", "fund")
    rows = list_authorities(store, clerk)
    assert [(r.code, r.group) for r in rows] == [("F1", "fund"), ("J1", "judicial")]
    assert rows[1].group_title == "مراجع قضایی و شبه‌قضایی"
    assert [r.code for r in list_authorities(store, clerk, group="judicial")] == ["J1"]
    assert pending_outbox(store) == pending + 2
    with pytest.raises(PermissionDenied):
        add_authority(store, clerk, "J2", "دادگاه", "judicial")
