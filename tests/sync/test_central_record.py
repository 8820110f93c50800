"""The counter asks headquarters about a national code this store does not know (issue 10): a
real `hq serve` answers "enrolled at branch X, SSN Y"; the person is brought into the second
branch from the central record — same SSN and numbers, an audit row, no outbox row, so nothing
is pushed back — and HQ down or a store never joined is a quiet answer, not an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models import AuditEntry, InsuranceNumber, OutboxEntry, Person
from desktop.services.central_record import (
    AlreadyHere,
    NotAtHeadquarters,
    ask_headquarters,
    bring_from_headquarters,
)
from desktop.services.enrolment_lookup import identity_preview
from desktop.services.sync import sync_now
from desktop.services.users import create_user, find_actor

from ..support.hq_server import HqServer
from .kit import enrol_new, hq_rows, join


def _outbox(store) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry)) or 0


def test_a_person_enrolled_elsewhere_is_shown_and_brought_in(tmp_path: Path, hq_server: HqServer):
    a, b = join(tmp_path, hq_server, "1071"), join(tmp_path, hq_server, "1072")
    try:
        nc = enrol_new(a, first_name="ترانه", last_name="صدری", gender="female")
        sync_now(a.store, None)
        with a.store.sessions() as s:
            person = s.scalar(select(Person).where(Person.national_code == nc))
            assert person is not None
            ssn_at_a = person.ssn
            numbers_at_a = dict(s.execute(select(InsuranceNumber.kind, InsuranceNumber.value)
                                          .where(InsuranceNumber.person_id == person.id)).all())

        record = ask_headquarters(b.store, b.admin, nc)
        assert (record.state, record.branch, record.ssn, record.full_name) == (
            "found", "1071", ssn_at_a, "ترانه صدری")
        assert "۱۰۷۱" in record.describe_fa() and ssn_at_a in record.describe_fa()
        assert ask_headquarters(b.store, b.admin, "0012345679").state == "not_found"

        create_user(b.store, b.admin, "clerk1", "کارمند", "clerk", "password123")
        clerk = find_actor(b.store, "clerk1")
        outbox_before = _outbox(b.store)
        brought = bring_from_headquarters(b.store, clerk, nc)
        assert (brought.ssn, brought.branch) == (ssn_at_a, "1071")
        assert _outbox(b.store) == outbox_before  # a pulled row: nothing to push back
        with b.store.sessions() as s:
            here = s.scalar(select(Person).where(Person.national_code == nc))
            assert here is not None and here.ssn == ssn_at_a and here.enrolled_branch == "1071"
            assert dict(s.execute(select(InsuranceNumber.kind, InsuranceNumber.value)
                                  .where(InsuranceNumber.person_id == here.id)).all()) == numbers_at_a
            audit = s.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
            assert audit is not None and audit.action == "person.bring_from_hq"
        # The enrolment's first step now knows the person: the same SSN, no new one.
        preview = identity_preview(b.store, clerk, national_code=nc)
        assert preview.ssn == ssn_at_a and preview.ssn_without_main

        with pytest.raises(AlreadyHere) as again:
            bring_from_headquarters(b.store, clerk, nc)
        assert again.value.fa and again.value.en

        sync_now(b.store, None)  # pushes what branch 1072 did itself (its new user) …
        echoed = hq_rows(hq_server.dsn, "SELECT op, entity_id FROM received_change"
                         " WHERE branch = %s AND (entity_id = %s OR op LIKE 'person.%%')",
                         "1072", str(here.id))
        assert echoed == []  # … never the person brought from HQ
        assert hq_rows(hq_server.dsn, "SELECT enrolled_branch FROM person WHERE national_code = %s",
                       nc) == [("1071",)]

        hq_server.stop()
        assert ask_headquarters(b.store, b.admin, "0012345679").state == "unreachable"
        with pytest.raises(NotAtHeadquarters) as offline:
            bring_from_headquarters(b.store, clerk, "0012345679")
        assert "ستاد در دسترس نیست" in offline.value.fa
    finally:
        a.close()
        b.close()


def test_a_store_never_joined_does_not_ask(store, admin):
    assert ask_headquarters(store, admin, "0012345679").state == "not_joined"
