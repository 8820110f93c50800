"""Panel accounts and sessions against a real PostgreSQL: argon2, lock-out after five wrong
passwords (recorded), every attempt recorded, sessions stored hashed and expiring."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from desktop.domain.errors import InvalidValue
from hq.db import make_engine
from hq.errors import NotFoundError, Refused
from hq.panel import accounts, sessions

PASSWORD = "a-long-password-1"


@pytest.fixture
def engine(hq_dsn: str):  # type: ignore[no-untyped-def]
    engine = make_engine(hq_dsn, pool_size=1)
    with engine.begin() as conn:
        conn.execute(text("""INSERT INTO authority (code, name, "group") VALUES ('F01', 'صندوق', 'fund')"""))
    yield engine
    engine.dispose()


def _user(engine, name: str = "clerk.one") -> accounts.PanelUser:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        return accounts.add_user(conn, authority_code="F01", name=name, password=PASSWORD,
                                 authority_exists=True)


def _attempts(dsn: str) -> list[tuple[str, str]]:
    with psycopg.connect(dsn) as conn:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT username, outcome FROM panel_sign_in ORDER BY id")]


def test_passwords_are_argon2_and_accounts_are_checked(engine, hq_dsn: str) -> None:  # type: ignore[no-untyped-def]
    user = _user(engine, "  Clerk.One ")
    assert user.username == "clerk.one"
    with psycopg.connect(hq_dsn) as conn:
        (stored,) = conn.execute("SELECT password_hash FROM panel_user").fetchone()  # type: ignore[misc]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with engine.begin() as conn, pytest.raises(Refused):
        accounts.add_user(conn, authority_code="F01", name="clerk.one", password=PASSWORD,
                          authority_exists=True)
    for name, password, exists, error in [("x", PASSWORD, True, InvalidValue),
                                          ("clerk.two", "short", True, InvalidValue),
                                          ("clerk.two", PASSWORD, False, NotFoundError)]:
        with engine.begin() as conn, pytest.raises(error) as refused:
            accounts.add_user(conn, authority_code="F01", name=name, password=password,
                              authority_exists=exists)
        assert refused.value.fa and refused.value.en


def test_five_wrong_passwords_lock_the_account_and_every_attempt_is_recorded(engine, hq_dsn: str) -> None:  # type: ignore[no-untyped-def]
    user = _user(engine)
    outcomes = []
    for _ in range(5):
        with engine.begin() as conn:
            outcomes.append(accounts.sign_in(conn, "clerk.one", "wrong-password", "10.0.0.9").outcome)
    assert outcomes == ["wrong_password"] * 4 + ["locked_now"]
    with engine.begin() as conn:  # locked: even the right password is not accepted
        locked = accounts.sign_in(conn, "clerk.one", PASSWORD, "10.0.0.9")
    assert locked.outcome == "locked" and locked.user is None and locked.locked_minutes >= 1
    fa, en = accounts.refusal_text(locked)
    assert "قفل" in fa and "locked" in en
    with engine.begin() as conn:  # the lock period passes
        conn.execute(text("UPDATE panel_user SET locked_until = now() - interval '1 second'"))
    with engine.begin() as conn:
        ok = accounts.sign_in(conn, "CLERK.ONE", PASSWORD, "10.0.0.9")
    assert ok.outcome == "signed_in" and ok.user == user
    with engine.begin() as conn:
        accounts.sign_in(conn, "nobody", PASSWORD, "10.0.0.9")
    assert [o for _, o in _attempts(hq_dsn)] == ["wrong_password"] * 4 + [
        "locked_now", "locked", "signed_in", "unknown_user"]
    # A wrong password and an unknown user read the same on the page.
    assert (accounts.refusal_text(accounts.SignIn("unknown_user"))
            == accounts.refusal_text(accounts.SignIn("wrong_password")))


def test_a_success_resets_the_count_of_failures(engine) -> None:  # type: ignore[no-untyped-def]
    _user(engine)
    for password in ["wrong-1", "wrong-2", "wrong-3", "wrong-4", PASSWORD, "wrong-5"]:
        with engine.begin() as conn:
            last = accounts.sign_in(conn, "clerk.one", password, "127.0.0.1")
    assert last.outcome == "wrong_password"


def test_sessions_are_stored_hashed_and_expire(engine, hq_dsn: str) -> None:  # type: ignore[no-untyped-def]
    user = _user(engine)
    with engine.begin() as conn:
        sid = sessions.begin(conn, user.id, "127.0.0.1")
        live = sessions.current(conn, sid)
    assert live is not None and live.authority_code == "F01" and len(live.csrf_token) >= 40
    with psycopg.connect(hq_dsn) as conn:
        stored = [r[0] for r in conn.execute("SELECT id_hash FROM panel_session")]
    assert sid not in stored and len(stored[0]) == 64
    with engine.begin() as conn:
        assert sessions.current(conn, sid + "x") is None and sessions.current(conn, None) is None
        conn.execute(text("UPDATE panel_session SET last_seen_at = now() - make_interval(mins => :m)"),
                     {"m": sessions.IDLE_MINUTES + 1})
        assert sessions.current(conn, sid) is None  # idle too long
        conn.execute(text("UPDATE panel_session SET last_seen_at = now(),"
                          " created_at = now() - make_interval(hours => :h)"),
                     {"h": sessions.ABSOLUTE_HOURS})
        assert sessions.current(conn, sid) is None  # too old, however busy
        sid2 = sessions.begin(conn, user.id, "127.0.0.1")
        sessions.end(conn, sid2)
        assert sessions.current(conn, sid2) is None  # signed out
    assert not sessions.same_token("abc", None) and not sessions.same_token(None, None)
    assert sessions.same_token("abc", "abc") and not sessions.same_token("abc", "abd")
