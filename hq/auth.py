"""Branch tokens: 32 random bytes shown once, stored as their SHA-256 (hex).

A token is long and random, so one unsalted hash is enough: there is nothing to guess a
dictionary from, and the lookup stays a single indexed equality.

Timing (issue 14): the presented token is never compared with a stored secret byte by byte. It
is hashed first, and the index lookup compares SHA-256 digests; how long that comparison takes
can at most reveal how many leading digest bytes of a guess match a stored digest, and choosing a
token to control its digest's prefix is a preimage attack on SHA-256 — so the lookup leaks nothing
that brings a guesser closer to a token. The digest found is then compared once more with
hmac.compare_digest (constant time), and wrong tokens are rate-limited per client address
(hq/guard.py BadTokenLimiter: 429 with Retry-After).
"""

from __future__ import annotations

import hashlib
import hmac
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
    presented = token_hash(token.strip())
    with engine.connect() as conn:
        row = conn.execute(text("SELECT code, token_hash FROM branch WHERE token_hash = :h AND active"),
                           {"h": presented}).first()
    code = row.code if row is not None and hmac.compare_digest(row.token_hash, presented) else None
    if code is None:
        raise Unauthorized("توکن شعبه شناخته نیست.", "unknown branch token")
    return str(code)
