"""The panel's tests: accounts hashed at minimal argon2 cost in this process (tests/conftest.py
explains why); `hq serve` verifies with the parameters stored in each hash, so it is cheap too."""

from __future__ import annotations

from hq.panel import accounts
from tests.support.hashing import cheap_hasher

accounts._hasher = cheap_hasher()
