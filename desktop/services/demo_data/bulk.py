"""The bulk writer of the demo: chunked executemany on one raw DB-API connection, and the
monthly documents and account totals done inside SQLite (INSERT … SELECT), not row by row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from desktop.domain.jalali import from_jalali, jalali_ymd

# One store row for executemany: its column values in the table's column order.
Row = tuple[object, ...]

COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("id", "national_code", "foreign_id", "ssn", "first_name", "last_name", "father_name", "birth_date",
               "benefit_birth_date", "gender", "birth_certificate_number", "place_of_issue", "death_date",
               "identity_complete", "registry_checked_at", "enrolled_branch", "enrolled_at", "name_key"),
    "insurance_number": ("id", "person_id", "kind", "value", "branch_code", "issued_at", "retired_at"),
    "person_role": ("id", "person_id", "role", "since"),
    "personal_info": ("person_id", "address", "postal_code", "phone", "mobile", "iban", "education",
                      "military_status", "marital_status", "dependants_count", "special_disease", "blood_group",
                      "medical_history", "updated_at"),
    "employer": ("id", "kind", "person_id", "legal_name", "registration_number"),
    "workshop": ("id", "code", "name", "address", "employer_id", "branch_code"),
    "relationship": ("id", "person_id", "type_code", "start", "end", "end_reason", "insurance_number",
                     "branch_code", "workshop_id", "main_insured_id", "orientation", "medical_link", "note",
                     "created_at"),
}
# Parents before children, so the order is valid even with foreign keys on.
TABLE_ORDER = ("person", "employer", "workshop", "insurance_number", "person_role", "personal_info", "relationship")
RATE = 300  # per-mille: 30% (employee 7%, employer 20%, state 3%)


def insert_sql(table: str) -> str:
    cols = COLUMNS[table]
    quoted = ", ".join(f'"{c}"' for c in cols)
    return f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(cols))})"


class BulkCursor:
    """The raw cursor of a bulk load, with the store's triggers and secondary indexes set aside."""

    def __init__(self, cur: Any) -> None:
        self.cur = cur
        self._saved = _secondary_indexes(cur) + _insert_triggers(cur)

    def suspend(self) -> None:
        for name, sql in self._saved:
            kind = "TRIGGER" if sql.upper().startswith("CREATE TRIGGER") else "INDEX"
            self.cur.execute(f'DROP {kind} "{name}"')

    def restore(self) -> None:
        """Re-create them from sqlite_master's own text, so the schema is exactly as migrated."""
        for _, sql in self._saved:
            self.cur.execute(sql)
        self._saved = []


@contextmanager
def bulk_connection(engine: Any) -> Iterator[BulkCursor]:
    """A raw connection tuned for a bulk load, restored to the store's settings afterwards.

    journal in memory, synchronous=OFF and foreign_keys=OFF only for the load: a crash mid-way
    leaves a demo store to throw away, never a real one (the demo refuses to fill a store twice)."""
    engine.dispose()  # leaving WAL needs the only connection to the file
    raw = engine.raw_connection()
    bulk = BulkCursor(raw.cursor())
    cur = bulk.cur
    try:
        # A rollback journal in memory: no second copy of every page through the WAL.
        cur.execute("PRAGMA journal_mode=MEMORY")
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-786432")  # 768 MiB: the unique indexes stay in memory
        bulk.suspend()
        yield bulk
    finally:
        if cur.connection.in_transaction:  # an error mid-way: nothing of the half-done step stays
            cur.execute("ROLLBACK")
        bulk.restore()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
        raw.close()


def _insert_triggers(cur: Any) -> list[tuple[str, str]]:
    """Row-by-row insert triggers on the bulk tables (the search index's): the loader rebuilds
    their target once at the end instead, which is many times faster than a million firings."""
    marks = ", ".join("?" * len(COLUMNS))
    rows = cur.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
                       tuple(COLUMNS)).fetchall()
    return [(name, sql) for name, sql in rows if " AFTER INSERT " in " ".join(sql.upper().split())]


def _secondary_indexes(cur: Any) -> list[tuple[str, str]]:
    """Non-unique indexes of the bulk tables: built once by a sort at the end, not row by row."""
    tables = (*COLUMNS, "document_line", "insurance_document")
    marks = ", ".join("?" * len(tables))
    indexes: list[tuple[str, str]] = cur.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks}) ORDER BY name", tables).fetchall()
    return indexes


def write_rows(cur: Any, rows: dict[str, list[Row]]) -> int:
    written = 0
    for table in TABLE_ORDER:
        batch = rows.get(table)
        if batch:
            cur.executemany(insert_sql(table), batch)
            written += len(batch)
    return written


def documented_months(today: dt.date, count: int = 24) -> list[tuple[int, int, int, int]]:
    """The `count` whole Jalali months before this one: (year, month, first ordinal, last ordinal)."""
    y, m, _ = jalali_ymd(today)
    out = []
    for _ in range(count):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        first = from_jalali(y, m, 1)
        nxt = from_jalali(y + 1, 1, 1) if m == 12 else from_jalali(y, m + 1, 1)
        out.append((y, m, first.toordinal(), nxt.toordinal() - 1))
    return out[::-1]


def write_documents(cur: Any, months: list[tuple[int, int, int, int]], workshops: Iterable[tuple[str, int]],
                    employment: list[Row], branch: str, new_id: Any, line_prefix: str) -> None:
    """One monthly list per workshop per month; a line per person employed in that month.

    Wages rise 25% each Jalali year; days are the days of the month the person was employed."""
    cur.execute("CREATE TEMP TABLE demo_employment (serial INTEGER PRIMARY KEY, workshop_id TEXT, person_id TEXT,"
                " start_o INT, end_o INT, number TEXT, wage INT, job TEXT)")
    cur.executemany("INSERT INTO demo_employment (workshop_id, person_id, start_o, end_o, number, wage, job)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", employment)
    cur.execute("CREATE INDEX temp.ix_demo_employment_ws ON demo_employment (workshop_id)")
    cur.execute("CREATE TEMP TABLE demo_doc (serial INTEGER PRIMARY KEY, id TEXT, workshop_id TEXT, year INT,"
                " month INT, p_start INT, p_end INT, mdays INT, raise INT, created TEXT)")
    first_year = months[0][0]
    workshops = list(workshops)
    docs: list[tuple[Any, ...]] = []
    for y, m, first, last in months:
        created = f"{dt.date.fromordinal(last + 5).isoformat()} 10:00:00.000000"
        raise_pct = 25 * (y - first_year)
        docs.extend((new_id(0xD0C), ws, y, m, first, last, last - first + 1, raise_pct, created)
                    for ws, founded in workshops if founded <= last)
    cur.executemany("INSERT INTO demo_doc (id, workshop_id, year, month, p_start, p_end, mdays, raise, created)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", docs)
    cur.execute("INSERT INTO insurance_document (id, kind, workshop_id, year, month, branch_code, corrects_id,"
                " created_at) SELECT id, 'monthly_list', workshop_id, year, month, ?, NULL, created"
                " FROM demo_doc ORDER BY serial", (branch,))
    # CROSS JOIN keeps documents as the outer loop, so line ids come out in ascending order.
    cur.execute(
        "INSERT INTO document_line (id, document_id, person_id, insurance_number, days, wage, rate, job,"
        " supersedes_id) SELECT ? || printf('8%015x', (d.serial << 24) | e.serial), d.id, e.person_id, e.number,"
        " min(d.p_end, e.end_o) - max(d.p_start, e.start_o) + 1,"
        " e.wage * (100 + d.raise) / 100 * (min(d.p_end, e.end_o) - max(d.p_start, e.start_o) + 1) / d.mdays,"
        f" {RATE}, e.job, NULL FROM demo_doc AS d CROSS JOIN demo_employment AS e"
        " ON e.workshop_id = d.workshop_id AND e.start_o <= d.p_end AND e.end_o >= d.p_start",
        (line_prefix,),
    )
    cur.execute("DROP TABLE temp.demo_doc")
    cur.execute("DROP TABLE temp.demo_employment")


def write_accounts(cur: Any) -> None:
    """Yearly and lifetime totals (average wage: per month insured).

    Read from the lines directly rather than through the `account_month` view: a store just
    filled has no corrections, so every line is effective and the view's per-line NOT EXISTS
    probe would only cost time (it is what services use once corrections exist)."""
    # Only the people this fill made: a store filled again keeps the totals it already has
    # (and the corrections behind them).
    cur.execute("CREATE TEMP TABLE demo_year AS SELECT l.person_id AS person_id, d.year AS year,"
                " SUM(l.days) AS days, SUM(l.wage) AS wage_total, COUNT(DISTINCT d.month) AS months"
                " FROM document_line AS l JOIN insurance_document AS d ON d.id = l.document_id"
                " WHERE l.person_id NOT IN (SELECT person_id FROM account_lifetime)"
                " GROUP BY l.person_id, d.year")
    cur.execute("INSERT INTO account_year (person_id, year, days, wage_total, average_wage)"
                " SELECT person_id, year, days, wage_total, wage_total / months FROM demo_year")
    cur.execute("INSERT INTO account_lifetime (person_id, days, wage_total, months)"
                " SELECT person_id, SUM(days), SUM(wage_total), SUM(months) FROM demo_year GROUP BY person_id")
    cur.execute("DROP TABLE temp.demo_year")
