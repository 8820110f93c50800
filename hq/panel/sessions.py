"""Server-side sessions of the web panel and their CSRF tokens.

The browser holds only a random session id (32 bytes, in an HttpOnly, SameSite=Strict cookie);
HQ stores its SHA-256, so a copy of the table cannot be replayed as cookies. A session ends
after IDLE_MINUTES without a request, after ABSOLUTE_HOURS whatever happens, or at sign-out.

CSRF: each session has its own random token, put in a hidden field of every form and compared
(constant time) on every POST. The sign-in form, before any session exists, uses a double-submit
token instead: a random cookie and the same value in the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, text

IDLE_MINUTES = 20
ABSOLUTE_HOURS = 8
COOKIE = "bd_panel"
SIGN_IN_CSRF_COOKIE = "bd_panel_csrf"


@dataclass(frozen=True)
class PanelSession:
    user_id: int
    username: str
    authority_code: str
    csrf_token: str


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def begin(conn: Connection, user_id: int, address: str) -> str:
    """A new session for the user; returns the id for the cookie (shown to nobody else)."""
    session_id = new_token()
    conn.execute(text("INSERT INTO panel_session (id_hash, user_id, csrf_token, address)"
                      " VALUES (:h, :u, :c, :a)"),
                 {"h": _hash(session_id), "u": user_id, "c": new_token(), "a": address[:64]})
    return session_id


def current(conn: Connection, session_id: str | None) -> PanelSession | None:
    """The live session behind a cookie (and marks it used), or None: unknown, ended, idle too
    long, too old, or its account disabled."""
    if not session_id or len(session_id) > 128:
        return None
    row = conn.execute(text(
        "UPDATE panel_session s SET last_seen_at = now() FROM panel_user u"
        " WHERE s.id_hash = :h AND u.id = s.user_id AND u.active AND s.ended_at IS NULL"
        " AND s.last_seen_at > now() - make_interval(mins => :idle)"
        " AND s.created_at > now() - make_interval(hours => :absolute)"
        " RETURNING u.id, u.username, u.authority_code, s.csrf_token"),
        {"h": _hash(session_id), "idle": IDLE_MINUTES, "absolute": ABSOLUTE_HOURS}).first()
    if row is None:
        return None
    return PanelSession(int(row.id), str(row.username), str(row.authority_code), str(row.csrf_token))


def end(conn: Connection, session_id: str | None) -> None:
    if session_id:
        conn.execute(text("UPDATE panel_session SET ended_at = now()"
                          " WHERE id_hash = :h AND ended_at IS NULL"), {"h": _hash(session_id)})


def same_token(expected: str | None, presented: str | None) -> bool:
    """Constant-time comparison; a missing token on either side never matches."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())
