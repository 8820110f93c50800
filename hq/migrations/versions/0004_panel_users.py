"""The authorities' web panel: staff accounts, every sign-in attempt, server-side sessions.

- panel_user: an account belongs to one outside authority; the authority's group (fund or
  judicial) is read from the authority row at every request, never stored twice nor taken from
  the browser. Passwords are argon2id hashes. `failed_sign_ins` counts consecutive failures;
  the fifth locks the account until `locked_until`.
- panel_sign_in: every attempt, successful or not, with the address it came from.
- panel_session: the browser holds a random id; HQ keeps only its SHA-256, the session's CSRF
  token, and when it began and was last used (idle and absolute expiry are checked on read).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = r"""
CREATE TABLE panel_user (
    id bigserial PRIMARY KEY,
    authority_code text NOT NULL REFERENCES authority (code),
    username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2%'),
    active boolean NOT NULL DEFAULT true,
    failed_sign_ins integer NOT NULL DEFAULT 0 CHECK (failed_sign_ins >= 0),
    locked_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX panel_user_authority ON panel_user (authority_code);

CREATE TABLE panel_sign_in (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    username text NOT NULL,
    user_id bigint REFERENCES panel_user (id),
    address text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN
        ('signed_in', 'wrong_password', 'unknown_user', 'locked', 'disabled', 'locked_now'))
);
CREATE INDEX panel_sign_in_user ON panel_sign_in (user_id, at);

CREATE TABLE panel_session (
    id_hash text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    user_id bigint NOT NULL REFERENCES panel_user (id),
    csrf_token text NOT NULL,
    address text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz
);
CREATE INDEX panel_session_user ON panel_session (user_id);
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute("DROP TABLE panel_session; DROP TABLE panel_sign_in; DROP TABLE panel_user;")
