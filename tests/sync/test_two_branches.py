"""Two branch stores and a real headquarters (`hq serve` on localhost, real PostgreSQL): what each
branch writes arrives exactly once, one national code enrolled at both is one conflict both see,
leases renew at the low-water mark, pulled rows are never pushed back, and HQ's refusal goes to
the quarantine list without blocking the rest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from desktop.models import NumberBlock, OutboxEntry, Workshop
from desktop.services.sync import open_conflicts, quarantine_list, sync_now, sync_status
from desktop.sync.leases import LOW_WATER, numbers_left

from ..support.hq_server import HqServer
from .kit import (
    Branch,
    acked_ids,
    all_outbox_ids,
    duplicated_ssns,
    enrol_new,
    fill,
    hq_received,
    hq_rows,
    integrity,
    join,
)


@pytest.fixture
def two(tmp_path: Path, hq_server: HqServer) -> Iterator[tuple[Branch, Branch]]:
    a, b = join(tmp_path, hq_server, "1021"), join(tmp_path, hq_server, "1022")
    yield a, b
    a.close()
    b.close()


def test_both_branches_arrive_exactly_once_and_see_one_conflict(two, hq_server: HqServer):
    a, b = two
    dsn = hq_server.dsn
    made = {a.code: fill(a), b.code: fill(b)}
    shared = enrol_new(a, first_name="کاوه")
    enrol_new(b, national_code=shared, first_name="کاوه")  # the same person enrolled at both
    for branch in (a, b, a, b):  # twice each: the second rounds push nothing and pull the rest
        sync_now(branch.store, None)
    for branch in (a, b):
        received = hq_received(dsn, branch.code)
        assert len(received) == len(set(received))  # exactly once
        assert set(received) == acked_ids(branch.store) == all_outbox_ids(branch.store)
        assert sync_status(branch.store, None).pending == 0
        people = made[branch.code]
        for nc in (people["father"], people["wife"], people["son"]):
            assert hq_rows(dsn, "SELECT enrolled_branch FROM person WHERE national_code = %s", nc) \
                == [(branch.code,)]
        assert hq_rows(dsn, "SELECT count(*) FROM inquiry_record WHERE branch = %s", branch.code) == [(1,)]
        son_links = hq_rows(dsn, "SELECT r.kind, r.main_insured_ssn FROM relationship r JOIN person p"
                                 " ON p.id = r.person_id WHERE p.national_code = %s", people["son"])
        assert [k for k, _ in son_links] == ["son"] and son_links[0][1]
        assert integrity(branch.store) == "ok"
    assert duplicated_ssns(dsn) == []
    conflicts = hq_rows(dsn, "SELECT national_code, branches FROM conflict WHERE resolved_at IS NULL")
    assert [(nc, sorted(br)) for nc, br in conflicts] == [(shared, ["1021", "1022"])]
    for branch in (a, b):
        seen = open_conflicts(branch.store, branch.admin)
        assert [(c.national_code, c.branches) for c in seen] == [(shared, ("1021", "1022"))]


def test_pulled_reference_rows_are_applied_and_never_pushed_back(two):
    a, b = two
    made = fill(a)
    sync_now(a.store, None)
    with b.store.sessions() as s:
        before = s.scalar(select(OutboxEntry.seq).order_by(OutboxEntry.seq.desc()).limit(1))
    report = sync_now(b.store, None)
    assert report.pulled >= 2
    with b.store.sessions() as s:
        assert s.scalar(select(Workshop.name).where(Workshop.code == made["workshop"])) == "کارگاه 1021"
        after = s.scalar(select(OutboxEntry.seq).order_by(OutboxEntry.seq.desc()).limit(1))
    assert after == before  # applying pulled rows wrote no outbox row (no echo)
    again = sync_now(b.store, None)
    assert (again.pushed, again.pulled) == (0, 0)


def test_leases_renew_at_the_low_water_mark(two, hq_server: HqServer):
    a, _ = two
    with a.store.sessions() as s:
        blocks = s.scalars(select(NumberBlock).where(NumberBlock.kind == "ssn")).all()
        assert [b.lease_id is not None and b.source == "hq" for b in blocks] == [True]
        first = blocks[0]
    assert sync_now(a.store, None).leases_received == 0  # 1,000 left: nothing to ask
    with a.store.engine.begin() as conn:  # use the block up to one below the mark
        conn.execute(update(NumberBlock).where(NumberBlock.id == first.id)
                     .values(next=first.last - LOW_WATER + 2))
    report = sync_now(a.store, None)
    assert report.leases_received == 1
    assert report.lease.ssn_left == LOW_WATER - 1 + 1000
    with a.store.sessions() as s:
        leased = s.scalars(select(NumberBlock).where(NumberBlock.kind == "ssn", NumberBlock.id != first.id)).one()
        assert numbers_left(s, "ssn") == report.lease.ssn_left
    held = hq_rows(hq_server.dsn, "SELECT id, first, last FROM number_lease WHERE branch = '1021' AND kind = 'ssn'"
                                  " ORDER BY first")
    assert [(str(i), f, last) for i, f, last in held][-1] == (str(leased.lease_id), leased.first, leased.last)
    assert leased.first > first.last  # disjoint blocks


def test_a_change_hq_refuses_is_quarantined_and_the_rest_goes_through(two, hq_server: HqServer):
    a, _ = two
    made = fill(a)
    with a.store.engine.begin() as conn:  # an inquiry record whose payload lost its hash
        row = conn.execute(text("SELECT seq, payload FROM outbox WHERE entity = 'inquiry_record'")).one()
        payload = json.loads(row.payload)
        del payload["hash"]
        conn.execute(text("UPDATE outbox SET payload = :p WHERE seq = :s"),
                     {"p": json.dumps(payload), "s": row.seq})
    report = sync_now(a.store, None)
    assert report.quarantined == 1 and report.pending == 0
    listed = quarantine_list(a.store, a.admin)
    assert [(q.entity, q.outbox_seq) for q in listed] == [("inquiry_record", row.seq)]
    assert "hash" in listed[0].reason_en and listed[0].reason_fa
    assert hq_rows(hq_server.dsn, "SELECT count(*) FROM person WHERE national_code = %s",
                   made["father"]) == [(1,)]
    assert sync_status(a.store, None).quarantined == 1


def test_only_the_contact_fields_leave_the_branch_and_only_in_the_snapshot(two, hq_server: HqServer):
    """Address, phone and mobile travel in the person's snapshot (judicial authorities are
    answered at HQ); IBAN and health values never leave the branch, and no payload carries any."""
    from desktop.services.enrolment import enrol
    from desktop.services.reference import add_registry_identities
    from desktop.services.users import create_user

    from ..factories import identity, questionnaire

    a, _ = two
    clerk = create_user(a.store, a.admin, "clerk9", "کارمند", "clerk", "password123")
    person = identity()
    add_registry_identities(a.store, a.admin, person)
    secrets_ = {"address": "کوچه رازقی پلاک ۹۹", "mobile": "09127770011", "phone": "02188776655",
                "iban": "IR820540102680020817909002", "special_disease": "دیابت نوع یک",
                "medical_history": "جراحی قلب", "blood_group": "AB-"}
    enrol(a.store, clerk, questionnaire(person["national_code"], personal=secrets_))
    with a.store.engine.connect() as conn:  # the values are stored here …
        kept = conn.execute(text("SELECT address, iban, medical_history FROM personal_info")).all()
    assert (secrets_["address"], secrets_["iban"], secrets_["medical_history"]) in kept
    sync_now(a.store, None)  # … and only the contact fields are sent, in the snapshot
    payloads = hq_rows(hq_server.dsn, "SELECT payload::text FROM received_change WHERE branch = '1021'")
    snapshots = hq_rows(hq_server.dsn, "SELECT snapshot FROM person WHERE national_code = %s",
                        person["national_code"])
    assert len(payloads) >= 1 and len(snapshots) == 1
    snapshot = snapshots[0][0]
    assert snapshot["contact"] == {key: secrets_[key] for key in ("address", "phone", "mobile")}
    everything = " ".join(str(r[0]) for r in payloads) + json.dumps(snapshot, ensure_ascii=False)
    for key, value in secrets_.items():
        assert (value in everything) == (key in ("address", "phone", "mobile")), key
        assert not [r for r in payloads if value in str(r[0])], key
