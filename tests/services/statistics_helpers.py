"""A store with a known mix for the statistics: people enrolled, dependants, inquiries of every
answer, a certificate and correction requests — some inside 1405/01, some in 1404/12."""

from __future__ import annotations

import datetime as dt

from desktop.domain.jalali import from_jalali
from desktop.models import CorrectionRequest, DocumentLine, InsuranceDocument, Person
from desktop.services.certificates import issue_certificate
from desktop.services.inquiry import answer_inquiry
from desktop.services.unit import mutation

from .inquiry_helpers import setup_cast

IN_PERIOD = dt.datetime.combine(from_jalali(1405, 1, 31), dt.time(23, 59, 59))  # the period's last second
BEFORE = dt.datetime.combine(from_jalali(1404, 12, 29), dt.time(23, 59, 59))  # just before it


def fill(store, admin, registered) -> None:
    """Everything recorded now, then dated: two enrolments, one wife, every inquiry answer twice
    (one of each in the period), one certificate and five corrections in the period."""
    cast = setup_cast(store, admin, registered)
    for nc in (cast.main, cast.stranger, cast.ended):
        answer_inquiry(store, admin, "F1", nc)
        answer_inquiry(store, admin, "J1", nc)
    answer_inquiry(store, admin, "F1", cast.main, "1400/01/01", "1401/01/01")
    issue_certificate(store, admin, cast.main, "F1")
    _corrections(store, admin, cast.main, ["requested", "requested", "approved", "rejected", "applied"])
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE person SET enrolled_at = ?", (IN_PERIOD,))
        conn.exec_driver_sql("UPDATE person SET enrolled_at = ? WHERE national_code = ?", (BEFORE, cast.ended))
        conn.exec_driver_sql("UPDATE relationship SET created_at = ?", (IN_PERIOD,))
        conn.exec_driver_sql("UPDATE inquiry_record SET at = ?", (IN_PERIOD,))
        conn.exec_driver_sql("UPDATE inquiry_record SET at = ? WHERE authority_id = "
                             "(SELECT id FROM authority WHERE code = 'J1')", (BEFORE,))
        conn.exec_driver_sql("UPDATE certificate SET created_at = ?", (IN_PERIOD,))
        conn.exec_driver_sql("UPDATE correction_request SET created_at = ?", (IN_PERIOD,))


def _corrections(store, admin, national_code: str, statuses: list[str]) -> None:
    """The ledger is another feature's: the rows it would write are written directly."""
    with mutation(store, admin, "person.update") as unit:
        s = unit.session
        person = s.query(Person).filter_by(national_code=national_code).one()
        doc = InsuranceDocument(kind="monthly_list", year=1404, month=1, branch_code=store.branch_code)
        s.add(doc)
        s.flush()
        line = DocumentLine(document_id=doc.id, person_id=person.id, insurance_number="0012345678", days=30,
                            wage=100_000_000, rate=300)
        s.add(line)
        s.flush()
        for status in statuses:
            s.add(CorrectionRequest(document_line_id=line.id, requesting_unit="واحد درآمد",
                                    components='{"days": 31}', reasons="آزمون", status=status))
