"""The argon2 hashers the application ships, kept before the test suite swaps in a cheap one."""

from __future__ import annotations

from argon2 import PasswordHasher

from desktop.services import certificates, users

# Taken at import, before tests/conftest.py replaces the module globals.
SHIPPED_HASHERS: dict[str, PasswordHasher] = {"users": users._hasher, "certificates": certificates._hasher}


def cheap_hasher() -> PasswordHasher:
    """argon2id at minimal cost: a hash or a verification takes ~1 ms instead of ~100 ms."""
    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
