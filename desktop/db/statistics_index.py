"""Daily counts behind the statistics (revision 0006): `statistics_day` holds, per figure,
branch, day and key, how many rows the figure counts — kept by triggers on every insert,
update and delete of the counted tables, so the dashboard sums at most a year of days instead
of counting hundreds of thousands of rows.

The day is the UTC calendar day of the row's recorded time (what the period bounds compare).
Bulk loaders set the insert triggers aside and call `rebuild` once at the end, as they do for
the search index; `recount_differences` is the check that the table agrees with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection


@dataclass(frozen=True)
class Figure:
    name: str
    table: str
    branch: str  # column, or '' for figures kept branch-wide
    at: str  # the recorded-time column
    key: str  # column, or '' for a plain count
    when: str  # SQL condition on the row (with {row}. for new/old), or ''
    columns: tuple[str, ...]  # a change to any of these moves the row between counts


FIGURES = (
    Figure("enrolments", "person", "enrolled_branch", "enrolled_at", "", "", ("enrolled_branch", "enrolled_at")),
    Figure("dependants", "relationship", "branch_code", "created_at", "type_code", "{row}.main_insured_id IS NOT NULL",
           ("branch_code", "created_at", "type_code", "main_insured_id")),
    Figure("corrections", "correction_request", "", "created_at", "status", "", ("created_at", "status")),
    Figure("inquiries", "inquiry_record", "", "at", "state", "{row}.requester_person_id IS NULL",
           ("at", "state", "requester_person_id")),
    Figure("certificates", "certificate", "", "created_at", "", "", ("created_at",)),
)

CREATE_TABLE = """
CREATE TABLE statistics_day (
    figure TEXT NOT NULL,
    branch TEXT NOT NULL,
    day TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (figure, branch, day, key)
) WITHOUT ROWID
"""


def _bump(f: Figure, row: str, delta: int) -> str:
    branch = f"{row}.{f.branch}" if f.branch else "''"
    key = f"{row}.{f.key}" if f.key else "''"
    where = f.when.format(row=row) if f.when else "1"
    return (f"INSERT INTO statistics_day (figure, branch, day, key, n) SELECT '{f.name}', {branch}, "
            f"coalesce(date({row}.{f.at}), ''), {key}, {delta} WHERE {where} "
            f"ON CONFLICT (figure, branch, day, key) DO UPDATE SET n = n + excluded.n;")


def triggers() -> list[str]:
    out = []
    for f in FIGURES:
        out.append(f"CREATE TRIGGER statistics_day_{f.name}_ai AFTER INSERT ON {f.table} BEGIN "
                   f"{_bump(f, 'new', 1)} END")
        out.append(f"CREATE TRIGGER statistics_day_{f.name}_ad AFTER DELETE ON {f.table} BEGIN "
                   f"{_bump(f, 'old', -1)} END")
        out.append(f"CREATE TRIGGER statistics_day_{f.name}_au AFTER UPDATE OF {', '.join(f.columns)} "
                   f"ON {f.table} BEGIN {_bump(f, 'old', -1)} {_bump(f, 'new', 1)} END")
    return out


def trigger_names() -> list[str]:
    return [f"statistics_day_{f.name}_{suffix}" for f in FIGURES for suffix in ("ai", "ad", "au")]


def _recount_sql(f: Figure) -> str:
    branch = f.branch or "''"
    key = f.key or "''"
    where = f"WHERE {f.when.format(row=f.table)}" if f.when else ""
    return (f"SELECT '{f.name}', {branch}, coalesce(date({f.at}), ''), {key}, COUNT(*) FROM {f.table} {where} "
            f"GROUP BY 2, 3, 4")


def rebuild(conn: Connection) -> None:
    """Count every figure afresh from the rows (after a bulk load that set the triggers aside)."""
    conn.exec_driver_sql("DELETE FROM statistics_day")
    for f in FIGURES:
        conn.exec_driver_sql(f"INSERT INTO statistics_day (figure, branch, day, key, n) {_recount_sql(f)}")


def recount_differences(conn: Connection) -> list[tuple[str, str, str, str, int, int]]:
    """(figure, branch, day, key, kept, counted) wherever the table and the rows disagree."""
    counted: dict[tuple[str, str, str, str], int] = {}
    for f in FIGURES:
        for figure, branch, day, key, n in conn.exec_driver_sql(_recount_sql(f)):
            counted[(figure, branch, day, key)] = n
    kept = {(figure, branch, day, key): n for figure, branch, day, key, n in conn.exec_driver_sql(
        "SELECT figure, branch, day, key, n FROM statistics_day WHERE n != 0")}
    return [(*k, kept.get(k, 0), counted.get(k, 0)) for k in sorted(set(counted) | set(kept))
            if kept.get(k, 0) != counted.get(k, 0)]
