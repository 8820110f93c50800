"""Rows of the change log that branches pull (docs/sync.md "Pull"), written in the caller's
transaction so a change and its announcement commit together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert

from .models import change_log


@dataclass(frozen=True)
class LogRow:
    kind: str  # authority | workshop | lease | conflict
    key: str
    data: dict[str, Any]
    audience: str | None = None  # None: every branch
    origin_branch: str | None = None  # never sent back to this branch
    op: str = "upsert"


def announce(conn: Connection, rows: Iterable[LogRow]) -> None:
    values = [{"kind": r.kind, "key": r.key, "data": r.data, "audience": r.audience,
               "origin_branch": r.origin_branch, "op": r.op} for r in rows]
    if values:
        conn.execute(insert(change_log), values)
