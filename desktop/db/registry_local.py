"""The local identity-registry service: its own SQLite file beside the store (dev, tests, demos)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from desktop.domain.registry import Marriage, RegistryIdentity

_SCHEMA = """
CREATE TABLE IF NOT EXISTS identity (
  key TEXT PRIMARY KEY, national_code TEXT UNIQUE, foreign_id TEXT UNIQUE,
  first_name TEXT NOT NULL, last_name TEXT NOT NULL, father_name TEXT NOT NULL,
  birth_date TEXT NOT NULL, gender TEXT NOT NULL, birth_certificate_number TEXT,
  place_of_issue TEXT, death_date TEXT, father_national_code TEXT, mother_national_code TEXT,
  birth_date_changed_on TEXT, earlier_certificate_annulled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_identity_father ON identity(father_national_code);
CREATE INDEX IF NOT EXISTS ix_identity_mother ON identity(mother_national_code);
CREATE TABLE IF NOT EXISTS marriage (
  national_code TEXT NOT NULL, spouse_national_code TEXT NOT NULL, date TEXT NOT NULL,
  ended TEXT, end_reason TEXT, PRIMARY KEY (national_code, spouse_national_code, date)
);
"""
_COLS = ("key", "national_code", "foreign_id", "first_name", "last_name", "father_name", "birth_date",
         "gender", "birth_certificate_number", "place_of_issue", "death_date", "father_national_code",
         "mother_national_code", "birth_date_changed_on", "earlier_certificate_annulled")
# The demo generator's bulk rows predate the annulment flag (it defaults to 0 there).
_BULK_COLS = _COLS[:-1]


def _d(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _s(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def registry_path_for(store_path: str | Path) -> Path:
    p = Path(store_path)
    return p.with_name(p.stem + ".registry" + (p.suffix or ".sqlite"))


class LocalRegistry:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        self._conn.executescript(_SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """A registry file made before the annulment flag existed gains its column (default 0)."""
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(identity)")}
        if "earlier_certificate_annulled" not in have:
            with self._conn:
                self._conn.execute("ALTER TABLE identity ADD COLUMN earlier_certificate_annulled "
                                   "INTEGER NOT NULL DEFAULT 0")

    def close(self) -> None:
        self._conn.close()

    def _marriages(self, national_code: str) -> tuple[Marriage, ...]:
        rows = self._conn.execute(
            "SELECT spouse_national_code, date, ended, end_reason FROM marriage WHERE national_code=? ORDER BY date",
            (national_code,),
        ).fetchall()
        # arg-type: `date` is NOT NULL, so _d gives a date there.
        return tuple(Marriage(r[0], _d(r[1]), _d(r[2]), r[3]) for r in rows)  # type: ignore[arg-type]

    def _identity(self, row: tuple[Any, ...]) -> RegistryIdentity:
        r = dict(zip(_COLS, row, strict=True))
        nc = r["national_code"]
        # arg-type: birth_date is NOT NULL, so _d gives a date there.
        return RegistryIdentity(
            first_name=r["first_name"], last_name=r["last_name"], father_name=r["father_name"],
            birth_date=_d(r["birth_date"]), gender=r["gender"], national_code=nc,  # type: ignore[arg-type]
            foreign_id=r["foreign_id"], birth_certificate_number=r["birth_certificate_number"],
            place_of_issue=r["place_of_issue"], death_date=_d(r["death_date"]),
            father_national_code=r["father_national_code"], mother_national_code=r["mother_national_code"],
            birth_date_changed_on=_d(r["birth_date_changed_on"]),
            earlier_certificate_annulled=bool(r["earlier_certificate_annulled"]),
            marriages=self._marriages(nc) if nc else (),
        )

    def lookup(self, *, national_code: str | None = None, foreign_id: str | None = None) -> RegistryIdentity | None:
        key = national_code or f"F{foreign_id}"
        row = self._conn.execute(f"SELECT {', '.join(_COLS)} FROM identity WHERE key=?", (key,)).fetchone()
        return self._identity(row) if row else None

    def children_of(self, national_code: str) -> list[RegistryIdentity]:
        rows = self._conn.execute(
            f"SELECT {', '.join(_COLS)} FROM identity WHERE father_national_code=? OR mother_national_code=? "
            "ORDER BY birth_date",
            (national_code, national_code),
        ).fetchall()
        return [self._identity(r) for r in rows]

    def add(self, identities: list[RegistryIdentity]) -> int:
        with self._conn:
            for ident in identities:
                self._conn.execute(
                    f"INSERT OR REPLACE INTO identity ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})",
                    (ident.key, ident.national_code, ident.foreign_id, ident.first_name, ident.last_name,
                     ident.father_name, _s(ident.birth_date), ident.gender, ident.birth_certificate_number,
                     ident.place_of_issue, _s(ident.death_date), ident.father_national_code,
                     ident.mother_national_code, _s(ident.birth_date_changed_on),
                     int(ident.earlier_certificate_annulled)),
                )
                self._add_marriages(ident)
        return len(identities)

    def _add_marriages(self, ident: RegistryIdentity) -> None:
        if not ident.national_code:
            return
        for m in ident.marriages:
            # A marriage is a fact about both people: record it from both sides.
            for a, b in ((ident.national_code, m.spouse_national_code), (m.spouse_national_code, ident.national_code)):
                self._conn.execute(
                    "INSERT OR REPLACE INTO marriage VALUES (?, ?, ?, ?, ?)",
                    (a, b, _s(m.date), _s(m.ended), m.end_reason),
                )

    def add_rows(self, identity_rows: list[tuple[Any, ...]], marriage_rows: list[tuple[Any, ...]]) -> None:
        """Bulk load for the demo generator: rows already in column order."""
        with self._conn:
            self._conn.executemany(
                f"INSERT OR REPLACE INTO identity ({', '.join(_BULK_COLS)}) "
                f"VALUES ({', '.join('?' * len(_BULK_COLS))})",
                identity_rows,
            )
            self._conn.executemany("INSERT OR REPLACE INTO marriage VALUES (?, ?, ?, ?, ?)", marriage_rows)
