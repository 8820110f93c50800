"""The change feed a branch pulls (docs/sync.md "Pull"): gap-safe by transaction id.

Rows are ordered by (txid, seq) and a page only holds rows whose transaction is below the xmin of
the reading snapshot: every such transaction has ended, and any transaction still running — or
starting later — has a txid at or above xmin, so its rows sort after the cursor once they commit.
A sequence alone would not do: seq is taken at INSERT, and a transaction that took seq 5 can
commit after one that took seq 6 was already handed out.

One REPEATABLE READ snapshot serves the page and the cursor, so both see the same xmin.

The endpoint answers with `pull_body`: each row's `data` leaves as the jsonb's own text, spliced
into one orjson document, never parsed into dicts, built into PulledChange models and validated
again as the response model — for a new branch's 5,000-row pages of workshops that was most of
HQ's time per page. `pull` returns the same page as the wire model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Engine, text

from desktop.sync.wire import MAX_PULL_PAGE, PulledChange, PullPage

from .digits import is_whole
from .errors import HqError

_PAGE = text("""
SELECT txid::text AS txid, seq, kind, key, op, data::text AS data FROM change_log
WHERE (txid, seq) > (CAST(:txid AS xid8), :seq)
  AND txid < pg_snapshot_xmin(pg_current_snapshot())
  AND (audience IS NULL OR audience = :branch)
  AND origin_branch IS DISTINCT FROM :branch
ORDER BY txid, seq
LIMIT :limit
""")

# Where a page that found fewer rows than asked may leave the cursor: the newest finished row,
# whoever it was for, so an idle branch does not rescan other branches' rows every round.
_FINISHED_END = text("""
SELECT txid::text AS txid, seq FROM change_log
WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY txid DESC, seq DESC LIMIT 1
""")


class BadCursor(HqError):
    code = "bad_cursor"


def parse_cursor(after: str) -> tuple[str, int]:
    if not after:
        return "0", 0
    txid, sep, seq = after.partition(":")
    if not (sep and is_whole(txid, 19) and is_whole(seq)):
        raise BadCursor("نشانگر دریافت (after) نادرست است.",
                        f"after must be a cursor HQ handed out (txid:seq), not {after!r}",
                        field="after")
    return txid, int(seq)


@dataclass(frozen=True)
class _Page:
    rows: Sequence[Any]  # (txid, seq, kind, key, op, data as JSON text)
    cursor: str
    more: bool


def pull(engine: Engine, branch: str, after: str, limit: int) -> PullPage:
    page = _read(engine, branch, after, limit)
    changes = [PulledChange(kind=r.kind, key=r.key, op=r.op, data=orjson.loads(r.data))
               for r in page.rows]
    return PullPage(changes=changes, cursor=page.cursor, more=page.more)


def pull_body(engine: Engine, branch: str, after: str, limit: int) -> bytes:
    """The page as the PullPage JSON the endpoint sends (see the module's docstring)."""
    page = _read(engine, branch, after, limit)
    return orjson.dumps({
        "changes": [{"kind": r.kind, "key": r.key, "op": r.op, "data": orjson.Fragment(r.data)}
                    for r in page.rows],
        "cursor": page.cursor, "more": page.more})


def _read(engine: Engine, branch: str, after: str, limit: int) -> _Page:
    txid, seq = parse_cursor(after)
    limit = max(1, min(limit, MAX_PULL_PAGE))
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            rows = conn.execute(_PAGE, {"txid": txid, "seq": seq, "branch": branch,
                                        "limit": limit + 1}).all()
            more = len(rows) > limit
            rows = rows[:limit]
            cursor = f"{rows[-1].txid}:{rows[-1].seq}" if rows else after
            if not more:
                end = conn.execute(_FINISHED_END).first()
                if end is not None and (int(end.txid), end.seq) > (int(txid), seq):
                    cursor = f"{end.txid}:{end.seq}"
    return _Page(rows, cursor or "", more)
