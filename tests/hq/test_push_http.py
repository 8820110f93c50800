"""Push over HTTP to a real `hq serve` on PostgreSQL: exactly once, conflicts, refusals."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from desktop.sync.wire import MAX_BATCH_CHANGES, ErrorBody, PushAck
from tests.support.hq_server import HqServer, add_branch, hq
from tests.support.hq_wire import batch, body, change, enrol, snapshot

PUSH = "/api/v1/sync/push"


@pytest.fixture
def tokens(hq_server: HqServer) -> dict[str, str]:
    return {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022")}


def count(dsn: str, sql: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return int(row[0])


def test_same_batch_twice_is_applied_once(hq_server: HqServer, tokens: dict[str, str]) -> None:
    people = [snapshot("1021", n) for n in range(1, 4)]
    first = batch("1021", 1, [enrol(p) for p in people])
    with hq_server.client(tokens["1021"]) as client:
        ack = PushAck.model_validate(client.post(PUSH, json=body(first)).json())
        again = PushAck.model_validate(client.post(PUSH, json=body(first)).json())
    assert (ack.status, ack.applied, ack.duplicates, ack.rejected) == ("applied", 3, 0, [])
    assert (again.status, again.applied, again.batch_seq) == ("already_applied", 0, 1)
    assert count(hq_server.dsn, "SELECT count(*) FROM person") == 3
    assert count(hq_server.dsn, "SELECT count(*) FROM received_change") == 3


def test_same_change_in_two_batches_counts_as_duplicate(hq_server: HqServer,
                                                        tokens: dict[str, str]) -> None:
    person = snapshot("1021", 7)
    one = enrol(person)
    with hq_server.client(tokens["1021"]) as client:
        client.post(PUSH, json=body(batch("1021", 1, [one])))
        # A store restored from a backup re-sends it under a new install epoch.
        ack = PushAck.model_validate(client.post(PUSH, json=body(
            batch("1021", 1, [one, enrol(snapshot("1021", 8))], epoch="epoch-0002"))).json())
    assert (ack.status, ack.applied, ack.duplicates) == ("applied", 1, 1)
    assert count(hq_server.dsn, "SELECT count(*) FROM person") == 2


def test_a_batch_overtaking_the_one_before_it_is_refused_until_that_one_is_applied(
        hq_server: HqServer, tokens: dict[str, str]) -> None:
    """Two batches in flight (wire.MAX_IN_FLIGHT): the later names the earlier, and HQ applies it
    only after — so a person's older snapshot never overwrites the newer one."""
    person = snapshot("1021", 11)
    renamed = person.model_copy(update={"last_name": "نام تازه"})
    first = batch("1021", 1, [enrol(person)])
    second = batch("1021", 2, [change("person", person.id, "person.edit", {}, renamed)])
    second = second.model_copy(update={"after_batch_seq": 1})
    with hq_server.client(tokens["1021"]) as client:
        early = client.post(PUSH, json=body(second))
        assert early.status_code == 409
        refusal = ErrorBody.model_validate(early.json())
        assert refusal.code == "earlier_batch_pending" and refusal.fa and "batch 1" in refusal.en
        assert count(hq_server.dsn, "SELECT count(*) FROM applied_batch") == 0  # nothing kept
        assert PushAck.model_validate(client.post(PUSH, json=body(first)).json()).applied == 1
        late = PushAck.model_validate(client.post(PUSH, json=body(second)).json())
    assert (late.status, late.applied) == ("applied", 1)
    assert count(hq_server.dsn, "SELECT count(*) FROM person WHERE last_name = 'نام تازه'") == 1


def test_one_national_code_at_two_branches_is_one_conflict(hq_server: HqServer,
                                                           tokens: dict[str, str]) -> None:
    nc = "0012345679"
    with hq_server.client(tokens["1021"]) as a, hq_server.client(tokens["1022"]) as b:
        a.post(PUSH, json=body(batch("1021", 1, [enrol(snapshot("1021", 1, nc=nc))])))
        ack = PushAck.model_validate(
            b.post(PUSH, json=body(batch("1022", 1, [enrol(snapshot("1022", 1, nc=nc))]))).json())
        # A later change of the same person does not open a second conflict.
        again = snapshot("1022", 2, nc=nc)
        b.post(PUSH, json=body(batch("1022", 2, [enrol(again)])))
        pulled_b = b.get("/api/v1/sync/changes").json()["changes"]
        pulled_a = a.get("/api/v1/sync/changes").json()["changes"]
    assert ack.applied == 1 and ack.rejected == []  # both persons kept; the conflict is listed
    listed = json.loads(hq("conflicts", "--pg", hq_server.dsn, "--json").stdout)
    assert [(c["kind"], c["national_code"], c["branches"]) for c in listed] == [
        ("national_code_enrolled_twice", nc, ["1021", "1022"])]
    assert [c["key"] for c in pulled_a if c["kind"] == "conflict"] == [listed[0]["id"]]
    assert [c["key"] for c in pulled_b if c["kind"] == "conflict"] == [listed[0]["id"]]
    person = json.loads(hq("person", "--pg", hq_server.dsn, "--national-code", nc, "--json").stdout)
    assert person["branch"] == "1021" and person["conflict_ids"] == [listed[0]["id"]]


def test_ssn_of_another_person_is_rejected_and_the_rest_applied(hq_server: HqServer,
                                                                tokens: dict[str, str]) -> None:
    taken = snapshot("1021", 1)
    thief = snapshot("1022", 1, ssn_serial=1021 * 100_000 + 1)
    fine = snapshot("1022", 2)
    with hq_server.client(tokens["1021"]) as a, hq_server.client(tokens["1022"]) as b:
        a.post(PUSH, json=body(batch("1021", 1, [enrol(taken)])))
        bad = enrol(thief)
        ack = PushAck.model_validate(
            b.post(PUSH, json=body(batch("1022", 1, [bad, enrol(fine)]))).json())
    assert ack.applied == 1 and [r.change_id for r in ack.rejected] == [bad.id]
    assert taken.ssn and taken.ssn in ack.rejected[0].reason_en
    assert "تامین اجتماعی" in ack.rejected[0].reason_fa
    assert count(hq_server.dsn, "SELECT count(*) FROM person") == 2


def test_unknown_operation_is_recorded_not_refused(hq_server: HqServer, tokens: dict[str, str]) -> None:
    novel = change("gadget", "g1", "gadget.invent", {"colour": "blue"})
    with hq_server.client(tokens["1021"]) as client:
        ack = PushAck.model_validate(client.post(PUSH, json=body(batch("1021", 1, [novel]))).json())
    assert (ack.applied, ack.rejected) == (1, [])
    assert count(hq_server.dsn, "SELECT count(*) FROM received_change WHERE op = 'gadget.invent'") == 1


def test_wrong_or_missing_token_is_401(hq_server: HqServer, tokens: dict[str, str]) -> None:
    doc = body(batch("1021", 1, []))
    with hq_server.client("not-a-token") as wrong, hq_server.client() as none:
        for response in (wrong.post(PUSH, json=doc), none.post(PUSH, json=doc),
                         none.get("/api/v1/sync/changes")):
            assert response.status_code == 401
            assert ErrorBody.model_validate(response.json()).code == "unauthorized"


def test_batch_naming_another_branch_is_403(hq_server: HqServer, tokens: dict[str, str]) -> None:
    with hq_server.client(tokens["1022"]) as client:
        response = client.post(PUSH, json=body(batch("1021", 1, [enrol(snapshot("1021", 1))])))
    assert response.status_code == 403
    error = ErrorBody.model_validate(response.json())
    assert "1022" in error.en and error.fa
    assert count(hq_server.dsn, "SELECT count(*) FROM applied_batch") == 0


@pytest.mark.parametrize(("doc", "status"), [
    ({"wire_version": 1}, 422),
    ({"wire_version": 1, "branch": "1021", "install_epoch": "epoch-0001", "batch_seq": 1,
      "changes": [], "surprise": True}, 422),
    ({"wire_version": 1, "branch": "1021", "install_epoch": "epoch-0001", "batch_seq": 0,
      "changes": []}, 422),
    ({"wire_version": 99, "branch": "1021", "install_epoch": "epoch-0001", "batch_seq": 1,
      "changes": []}, 400),
])
def test_bad_bodies_get_an_error_body(hq_server: HqServer, tokens: dict[str, str],
                                      doc: dict[str, object], status: int) -> None:
    with hq_server.client(tokens["1021"]) as client:
        response = client.post(PUSH, json=doc)
        garbage = client.post(PUSH, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == status
    assert ErrorBody.model_validate(response.json()).fa
    assert garbage.status_code == 422 and ErrorBody.model_validate(garbage.json()).code
    assert count(hq_server.dsn, "SELECT count(*) FROM applied_batch") == 0


def test_too_many_changes_is_413(hq_server: HqServer, tokens: dict[str, str]) -> None:
    doc = body(batch("1021", 1, []))
    doc["changes"] = [body(batch("1021", 1, [change("x", i, "x.y")]))["changes"][0]
                      for i in range(MAX_BATCH_CHANGES + 1)]
    with hq_server.client(tokens["1021"]) as client:
        response = client.post(PUSH, json=doc)
    assert response.status_code == 413
    assert ErrorBody.model_validate(response.json()).code == "too_large"


def test_person_lookup_by_national_code(hq_server: HqServer, tokens: dict[str, str]) -> None:
    person = snapshot("1021", 3)
    with hq_server.client(tokens["1021"]) as a, hq_server.client(tokens["1022"]) as b:
        a.post(PUSH, json=body(batch("1021", 1, [enrol(person)])))
        found = b.get(f"/api/v1/sync/persons/{person.national_code}")
        missing = b.get("/api/v1/sync/persons/0000000000")
    assert found.status_code == 200
    assert found.json()["branch"] == "1021" and found.json()["person"]["ssn"] == person.ssn
    assert missing.status_code == 404 and ErrorBody.model_validate(missing.json()).fa
    assert uuid.UUID(found.json()["person"]["id"]) == person.id


def test_an_ssn_taken_by_a_concurrent_push_rejects_only_that_change(hq_server: HqServer,
                                                                     tokens: dict[str, str]) -> None:
    """The checks read committed state; a rival transaction holding the same SSN uncommitted is
    caught by the unique key, and the batch falls back to one savepoint per change."""
    import threading

    rival = snapshot("1022", 9)
    mine = snapshot("1021", 1, ssn_serial=1022 * 100_000 + 9)
    others = [snapshot("1021", n) for n in range(2, 5)]
    doc = body(batch("1021", 1, [enrol(mine), *(enrol(p) for p in others)]))
    acks: list[PushAck] = []
    with psycopg.connect(hq_server.dsn) as conn:
        conn.execute("INSERT INTO person (id, national_code, ssn, first_name, last_name, father_name,"
                     " birth_date, benefit_birth_date, gender, enrolled_branch, enrolled_at, snapshot,"
                     " updated_from_seq) VALUES (%s, %s, %s, 'x', 'y', 'z', '1990-01-01', '1990-01-01',"
                     " 'male', '1022', now(), '{}', 1)", (rival.id, rival.national_code, rival.ssn))

        def send() -> None:
            with hq_server.client(tokens["1021"]) as client:
                acks.append(PushAck.model_validate(client.post(PUSH, json=doc).json()))

        sender = threading.Thread(target=send)
        sender.start()
        sender.join(1.0)  # the push now waits on the rival's uncommitted SSN
        conn.commit()
    sender.join(30)
    assert acks and acks[0].applied == 3
    assert [str(r.change_id) for r in acks[0].rejected] == [doc["changes"][0]["id"]]
    assert "already belongs to another person" in acks[0].rejected[0].reason_en  # re-read after the rival committed
    assert count(hq_server.dsn, "SELECT count(*) FROM person") == 4
