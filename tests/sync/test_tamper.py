"""Tamper evidence anchored at headquarters: after a sync, an inquiry record edited and the chain
recomputed, and the newest record deleted, pass the local check of links but not HQ's copy —
verify names both; a rewritten audit log and a swapped certificate passcode hash are caught too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from desktop.domain.errors import DomainError
from desktop.models import AuditEntry, InquiryRecord
from desktop.services.audit_chain import GENESIS, audit_link
from desktop.services.certificates import issue_certificate, verify_certificate
from desktop.services.chain_anchor import verify_audit_chain
from desktop.services.hashchain import link_hash, verify_chain
from desktop.services.inquiry import answer_inquiry
from desktop.services.reference import add_authority
from desktop.services.sync import sync_now

from ..cli.conftest import run_cli
from ..support.hq_server import HqServer
from .kit import PW, Branch, enrol_new, join


@pytest.fixture
def branch(tmp_path: Path, hq_server: HqServer) -> Iterator[Branch]:
    b = join(tmp_path, hq_server, "1041")
    yield b
    b.close()


def _rechain_inquiries(branch: Branch) -> None:
    with branch.store.sessions() as s, s.begin():
        prev = GENESIS
        for row in s.scalars(select(InquiryRecord).order_by(InquiryRecord.seq)):
            row.prev_hash = prev
            row.hash = link_hash(prev, row)
            prev = row.hash


def test_an_edited_rechained_record_and_a_deleted_newest_one_are_named(branch: Branch, monkeypatch):
    add_authority(branch.store, branch.admin, "F1", "صندوق", "fund")
    nc = enrol_new(branch)
    codes = [answer_inquiry(branch.store, branch.admin, "F1", nc).tracking_code for _ in range(3)]
    sync_now(branch.store, None)
    assert verify_chain(branch.store, branch.admin).ok
    with branch.store.sessions() as s, s.begin():  # edit the first, delete the newest, re-chain
        first = s.scalar(select(InquiryRecord).where(InquiryRecord.tracking_code == codes[0]))
        assert first is not None
        first.state = "not_insured"
        s.execute(text("DELETE FROM inquiry_record WHERE tracking_code = :c"), {"c": codes[2]})
        s.execute(text("DELETE FROM audit_log WHERE action = 'inquiry.answer' AND subject_id = :c"),
                  {"c": codes[2]})
    _rechain_inquiries(branch)
    offline = verify_chain(branch.store, branch.admin, against_hq=False)
    assert offline.ok  # locally the forgery is consistent
    report = verify_chain(branch.store, branch.admin)
    assert report.hq == "compared" and not report.ok
    named = {(p.tracking_code, p.problem) for p in report.problems}
    assert (codes[0], "altered_since_sync") in named
    assert (codes[2], "deleted") in named
    monkeypatch.setenv("BRANCH_DESK_PASSWORD", PW)
    cli = run_cli(["inquiry-chain", "verify", "--db", str(branch.store.path), "--json"])
    assert cli.returncode == 3
    assert codes[0] in cli.stderr and codes[2] in cli.stderr and "hq: compared" in cli.stderr


def test_a_rewritten_audit_log_is_caught_against_hq(branch: Branch):
    enrol_new(branch)
    sync_now(branch.store, None)
    assert verify_audit_chain(branch.store, branch.admin).ok
    with branch.store.sessions() as s, s.begin():  # edit an old row and recompute every link
        prev = GENESIS
        for row in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            if row.action == "person.enrol":
                row.detail = "{}"
            row.prev_hash, row.hash = prev, audit_link(prev, row)
            prev = row.hash
    assert verify_audit_chain(branch.store, branch.admin, against_hq=False).ok
    report = verify_audit_chain(branch.store, branch.admin)
    assert report.hq == "compared"
    assert [p.problem for p in report.problems] == ["altered_since_sync"]


def test_a_swapped_certificate_passcode_hash_is_refused(branch: Branch):
    add_authority(branch.store, branch.admin, "F1", "صندوق", "fund")
    nc = enrol_new(branch)
    issued = issue_certificate(branch.store, branch.admin, nc, "F1")
    code = issued.answer.tracking_code
    sync_now(branch.store, None)
    forged = "1234567890"
    with branch.store.engine.begin() as conn:
        conn.execute(text("UPDATE certificate SET passcode_hash = :h WHERE tracking_code = :c"),
                     {"h": PasswordHasher().hash(forged), "c": code})
    with pytest.raises(DomainError) as refused:
        verify_certificate(branch.store, branch.admin, code, forged)
    assert refused.value.exit_code == 3 and "ستاد" in refused.value.fa
    assert "headquarters" in refused.value.en
