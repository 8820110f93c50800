"""Array literals sent as one text parameter arrive element for element, whatever a branch put in."""

from __future__ import annotations

import psycopg

from hq.apply import pg_array


def test_awkward_values_round_trip(pg_dsn: str) -> None:
    values = ["plain", 'quo"te', "back\\slash", "com,ma", "{brace}", "NULL", " spaced ", "", "کد ۱۲"]
    with psycopg.connect(pg_dsn) as conn:
        row = conn.execute("SELECT CAST(%s AS text[])", (pg_array(values),)).fetchone()
    assert row is not None and row[0] == values
