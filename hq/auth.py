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
    # A fixed prefix: a bare urlsafe token starts with "-" one time in 64, and an operator's
    # `--token -abc…` is then read as an option (seen as a flaky `init --hq` test).
    return "bdt_" + secrets.token_urlsafe(32)


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
