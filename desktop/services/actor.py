"""The signed-in user a service acts for."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: uuid.UUID
    username: str
    role: str
    full_name: str = ""
