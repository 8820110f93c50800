"""Inquiry records, certificates, relationships and chain heads pushed to HQ, and read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import psycopg

from desktop.sync.wire import (
    CertificateCopy,
    ChainCopy,
    ChainHead,
    ChainName,
    PushAck,
    RelationshipRecord,
)
from tests.support.hq_server import HqServer, add_branch
from tests.support.hq_wire import batch, body, change, enrol, snapshot

PUSH = "/api/v1/sync/push"


def record(seq: int, prev: str) -> dict[str, object]:
    answer = f'{{"n": {seq}}}'
    digest = hashlib.sha256(f"{prev}{answer}".encode()).hexdigest()
    return {"tracking_code": f"1021{seq:08d}", "seq": seq, "at": "2026-09-06T09:30:00",
            "authority": "J1", "national_code": "0012345679", "state": "found", "user": "letters",
            "answer": answer, "prev_hash": prev, "hash": digest}


def test_inquiry_records_and_chain_head_make_hqs_copy(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    first = record(1, "")
    second = record(2, str(first["hash"]))
    changes = [change("inquiry_record", r["tracking_code"], "inquiry.answer", r) for r in (first, second)]
    head = ChainHead(chain=ChainName.INQUIRY_RECORD, seq=2, hash=str(second["hash"]))
    with hq_server.client(token) as client:
        ack = PushAck.model_validate(client.post(PUSH, json=body(
            batch("1021", 1, changes, heads=[head]))).json())
        copy = ChainCopy.model_validate(client.get("/api/v1/sync/chains/inquiry_record").json())
        audit = ChainCopy.model_validate(client.get("/api/v1/sync/chains/audit_log").json())
        # The same record again (a restored store) is fine; a different one under its seq is not.
        forged = {**second, "answer": '{"n": 99}', "hash": "f" * 64}
        again = PushAck.model_validate(client.post(PUSH, json=body(batch("1021", 2, [
            change("inquiry_record", second["tracking_code"], "inquiry.answer", second),
            change("inquiry_record", second["tracking_code"], "inquiry.answer", forged)]))).json())
    assert (ack.applied, ack.rejected) == (2, [])
    assert copy.head == head
    assert [(link.seq, link.hash, link.key) for link in copy.links] == [
        (1, first["hash"], first["tracking_code"]), (2, second["hash"], second["tracking_code"])]
    assert audit.head is None and audit.links == []
    assert again.applied == 1 and len(again.rejected) == 1
    assert "seq 2" in again.rejected[0].reason_en


def test_certificate_copy_holds_the_passcode_hash(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    issued = change("certificate", uuid.uuid4(), "certificate.issue", {
        "tracking_code": "102100000007", "person_id": str(uuid.uuid4()), "authority": "F1",
        "passcode_hash": "$argon2id$v=19$abc", "requested_on": "2026-09-06"})
    with hq_server.client(token) as client:
        client.post(PUSH, json=body(batch("1021", 1, [issued])))
        found = client.get("/api/v1/sync/certificates/102100000007")
        missing = client.get("/api/v1/sync/certificates/999")
    assert CertificateCopy.model_validate(found.json()).passcode_hash == "$argon2id$v=19$abc"
    assert missing.status_code == 404


def test_a_change_missing_a_field_is_rejected_alone(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    broken = change("inquiry_record", "x", "inquiry.answer", {"tracking_code": "x"})
    fine = enrol(snapshot("1021", 1))
    with hq_server.client(token) as client:
        ack = PushAck.model_validate(client.post(PUSH, json=body(batch("1021", 1, [broken, fine]))).json())
    assert ack.applied == 1 and [r.change_id for r in ack.rejected] == [broken.id]
    assert "seq" in ack.rejected[0].reason_en and ack.rejected[0].reason_fa


def test_dependant_relationships_follow_the_snapshot(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    main = snapshot("1021", 1)
    rel = RelationshipRecord(id=uuid.uuid4(), kind="child", start=dt.date(2026, 1, 1),
                             insurance_number="0010210002", main_insured_ssn=main.ssn,
                             medical_link=True)
    child = snapshot("1021", 2, relationships=[rel], roles=["dependant"])
    ended = snapshot("1021", 2, person_id=child.id, roles=["dependant"], relationships=[
        rel.model_copy(update={"end": dt.date(2026, 6, 1), "end_reason": "marriage"})])
    with hq_server.client(token) as client:
        client.post(PUSH, json=body(batch("1021", 1, [
            enrol(main), change("relationship", rel.id, "dependant.add", {}, child)])))
        client.post(PUSH, json=body(batch("1021", 2, [
            change("relationship", rel.id, "dependant.end", {}, ended)])))
    with psycopg.connect(hq_server.dsn) as conn:
        rows = conn.execute('SELECT person_id, main_insured_ssn, "end", end_reason FROM relationship'
                            ).fetchall()
    assert rows == [(child.id, main.ssn, dt.date(2026, 6, 1), "marriage")]


def test_another_branchs_person_cannot_be_rewritten(hq_server: HqServer) -> None:
    tokens = {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022")}
    person = snapshot("1021", 1)
    hijack = person.model_copy(update={"enrolled_branch": "1022", "last_name": "دیگر"})
    with hq_server.client(tokens["1021"]) as a, hq_server.client(tokens["1022"]) as b:
        a.post(PUSH, json=body(batch("1021", 1, [enrol(person)])))
        ack = PushAck.model_validate(b.post(PUSH, json=body(batch("1022", 1, [enrol(hijack)]))).json())
    assert ack.applied == 0 and "1021" in ack.rejected[0].reason_en


def test_chain_heads_never_move_back(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    newer = ChainHead(chain=ChainName.AUDIT_LOG, seq=10, hash="a" * 64)
    rewound = ChainHead(chain=ChainName.AUDIT_LOG, seq=9, hash="b" * 64)
    rewritten = ChainHead(chain=ChainName.AUDIT_LOG, seq=10, hash="c" * 64)
    with hq_server.client(token) as client:
        for seq, head in enumerate((newer, rewound, rewritten), 1):
            client.post(PUSH, json=body(batch("1021", seq, [], heads=[head])))
        copy = ChainCopy.model_validate(client.get("/api/v1/sync/chains/audit_log").json())
    assert copy.head == newer


def test_an_inverted_starter_block_refuses_the_batch(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    doc = body(batch("1021", 1, [enrol(snapshot("1021", 1))]))
    doc["starter_blocks"] = [{"kind": "ssn", "first": 500, "last": 100}]
    with hq_server.client(token) as client:
        response = client.post(PUSH, json=doc)
    assert response.status_code == 400 and "first > last" in response.json()["en"]
    with psycopg.connect(hq_server.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM applied_batch").fetchone() == (0,)
