"""The authorities' panel: API keys, central answers, certificate verification and its lock.

Central answers get tracking codes from their own sequence under the prefix 9999 (PANEL_PREFIX in
hq/panel/tracking.py). Branch codes 9900–9999 are never given to a branch (hq/branches.py), so a
branch's tracking codes (its own code + serial) and headquarters' never meet: one uniqueness space
across the country, checked here by the CHECK on panel_answer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = """
ALTER TABLE authority ADD COLUMN active boolean NOT NULL DEFAULT true;

-- An authority's systems call the JSON API with a key shown once; only its SHA-256 is kept.
CREATE TABLE authority_key (
    id bigserial PRIMARY KEY,
    authority text NOT NULL REFERENCES authority (code),
    key_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX authority_key_authority ON authority_key (authority);

CREATE SEQUENCE panel_tracking_serial AS bigint MINVALUE 1 START 1;

-- Every answer given at headquarters (SPEC §4.6): who, when, what was asked, which answer.
CREATE TABLE panel_answer (
    tracking_code text PRIMARY KEY CHECK (tracking_code LIKE '9999%'),
    authority text NOT NULL REFERENCES authority (code),
    actor text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('api', 'panel')),
    national_code text NOT NULL,
    from_date date,
    to_date date,
    state text NOT NULL CHECK (state IN ('not_found', 'not_active', 'in_period', 'active')),
    answer text NOT NULL,
    digest text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
-- An authority's history, newest first.
CREATE INDEX panel_answer_authority_at ON panel_answer (authority, at DESC);

-- Verification at headquarters: five wrong passcodes lock the certificate for an hour.
ALTER TABLE certificate ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE certificate ADD COLUMN locked_until timestamptz;

CREATE TABLE certificate_attempt (
    id bigserial PRIMARY KEY,
    tracking_code text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    outcome text NOT NULL,
    actor text NOT NULL,
    authority text,
    channel text NOT NULL
);
CREATE INDEX certificate_attempt_code ON certificate_attempt (tracking_code, at);
-- The personal box: a person's certificates from every branch.
CREATE INDEX certificate_person ON certificate (person_id);
"""


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    op.execute("""
DROP INDEX IF EXISTS certificate_person;
DROP TABLE certificate_attempt;
ALTER TABLE certificate DROP COLUMN locked_until;
ALTER TABLE certificate DROP COLUMN failed_attempts;
DROP TABLE panel_answer;
DROP SEQUENCE panel_tracking_serial;
DROP TABLE authority_key;
ALTER TABLE authority DROP COLUMN active;
""")
