"""Damaging stored papers behind the application's back, as a disk fault or a person would."""

from __future__ import annotations

import sqlite3

from desktop.services.store import Store


def _raw(store: Store, sql: str, sha256: str) -> None:
    conn = sqlite3.connect(store.path)  # foreign keys off: what a person with a SQLite tool does
    with conn:
        conn.execute(sql, (sha256,))
    conn.close()


def alter_content(store: Store, sha256: str) -> None:
    _raw(store, "UPDATE archive_blob SET data = CAST(data || x'00' AS BLOB) WHERE sha256 = ?", sha256)


def remove_content(store: Store, sha256: str) -> None:
    _raw(store, "DELETE FROM archive_blob WHERE sha256 = ?", sha256)
