"""Branch tokens: 32 random bytes shown once, stored as their SHA-256 (hex).

A token is long and random, so one unsalted hash is enough: there is nothing to guess a
dictionary from, and the lookup stays a single indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Engine, text

from .errors import Unauthorized


def new_token() -> str:
    # The token is typed after `--token` on command lines (`init --hq`, `sync --hq`): one that
    # began with "-" (1 in 64 of them) would be read as an option there.
    while (token := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def branch_for(engine: Engine, authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("توکن شعبه فرستاده نشد.", "missing bearer token")
    with engine.connect() as conn:
        code = conn.execute(text("SELECT code FROM branch WHERE token_hash = :h AND active"),
                            {"h": token_hash(token.strip())}).scalar()
    if code is None:
        raise Unauthorized("توکن شعبه شناخته نیست.", "unknown branch token")
    return str(code)
