"""Monthly workshop lists for a person, written as the demo loader and HQ imports write them
(there is no counter use case that files a monthly list), with the account computed from them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select

from desktop.models import DocumentLine, InsuranceDocument, Workshop
from desktop.services.account import recompute_account
from desktop.services.store import Store

RATE = 300


def add_monthly_lines(store: Store, person_id: uuid.UUID, workshop_code: str | None,
                      periods: Iterable[tuple[int, int, int, int]], *, job: str = "کارگر") -> list[uuid.UUID]:
    """One monthly-list document per (year, month, days, wage); returns the line ids in order."""
    ids = []
    with store.sessions() as session, session.begin():
        workshop_id = session.scalar(select(Workshop.id).where(Workshop.code == workshop_code)) \
            if workshop_code else None
        for year, month, days, wage in periods:
            document = InsuranceDocument(id=uuid.uuid4(), kind="monthly_list", workshop_id=workshop_id,
                                         year=year, month=month, branch_code=store.branch_code)
            line = DocumentLine(id=uuid.uuid4(), document_id=document.id, person_id=person_id,
                                insurance_number="0010210001", days=days, wage=wage, rate=RATE, job=job)
            session.add(document)
            session.flush()  # no ORM relationship orders the two inserts: the document first
            session.add(line)
            ids.append(line.id)
        session.flush()
        recompute_account(session, person_id)
    return ids


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one())


TABLES = ("correction_request", "ledger_entry", "audit_log", "outbox", "document_line", "insurance_document",
          "archive_item", "account_year", "account_lifetime")


def snapshot(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as conn:
        return {t: sorted(map(tuple, conn.exec_driver_sql(f"SELECT * FROM {t}").all()), key=repr)
                for t in TABLES}
