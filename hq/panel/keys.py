"""Authority API keys: 32 random bytes behind the prefix `bak_`, shown once, stored as SHA-256.

The same reasoning as branch tokens (hq/auth.py): a long random key needs no salt, the lookup is
one indexed equality on the digest, and the digest found is compared once more in constant time.
"""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import Connection, text

from ..auth import token_hash
from ..errors import Unauthorized

key_hash = token_hash  # the same digest as branch tokens: one definition

PREFIX = "bak_"


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def store_key(conn: Connection, authority_code: str) -> str:
    """A new key for the authority; returns it (the only time it is seen)."""
    key = new_key()
    conn.execute(text("INSERT INTO authority_key (authority, key_hash) VALUES (:a, :h)"),
                 {"a": authority_code, "h": key_hash(key)})
    return key


def bearer(authorization: str | None) -> str:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("کلید دسترسی مرجع فرستاده نشد.", "missing bearer API key")
    return key.strip()


def authority_for_key(conn: Connection, key: str) -> str:
    """The code of the active authority holding this key, or Unauthorized."""
    presented = key_hash(key)
    row = conn.execute(text(
        "SELECT k.authority, k.key_hash FROM authority_key k JOIN authority a ON a.code = k.authority"
        " WHERE k.key_hash = :h AND k.revoked_at IS NULL AND a.active"), {"h": presented}).first()
    if row is None or not hmac.compare_digest(row.key_hash, presented):
        raise Unauthorized("کلید دسترسی مرجع شناخته نیست.", "unknown authority API key")
    return str(row.authority)
