"""Hand-made hostile requests against a real `hq serve` (issue 14 item 4): each is refused with an
ErrorBody that gives a reason (or, for a change inside an acceptable batch, a Rejection with one),
no 5xx, and nothing written — every HQ table's row count is the same before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from desktop.sync.wire import MAX_BATCH_CHANGES, ErrorBody, PushAck
from hq.guard import MAX_BODY_BYTES

from ..support.hq_server import HqServer, add_branch
from ..support.hq_wire import batch, body, change, enrol, snapshot
from ..support.postgres import PostgresCluster
from .hostile_kit import dedicated_server, table_counts

PUSH = "/api/v1/sync/push"


@pytest.fixture
def tokens(hq_server: HqServer) -> dict[str, str]:
    return {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022")}


def _refused(response: httpx.Response, status: int) -> ErrorBody:
    assert response.status_code == status, response.text
    error = ErrorBody.model_validate(response.json())
    assert error.fa and error.en and error.code
    return error


def test_hostile_requests_are_refused_with_a_reason_and_write_nothing(hq_server: HqServer,
                                                                      tokens: dict[str, str]) -> None:
    mine = body(batch("1021", 1, [enrol(snapshot("1021", 1))]))
    future = {**mine, "wire_version": 99}
    theirs = body(batch("1022", 1, [enrol(snapshot("1022", 1))]))
    one = body(batch("1021", 2, [enrol(snapshot("1021", 5))]))
    huge = {**one, "changes": one["changes"] * (MAX_BATCH_CHANGES + 1)}  # the model refuses to build it
    before = table_counts(hq_server.dsn)
    with hq_server.client() as anonymous, hq_server.client("bdt_" + "x" * 43) as wrong, \
            hq_server.client(tokens["1021"]) as client:
        cases = [
            (wrong.post(PUSH, json=mine), 401, "token"),
            (anonymous.post(PUSH, json=mine), 401, "token"),
            (client.post(PUSH, json=theirs), 403, "1022"),  # a batch claiming another branch
            (client.post(PUSH, json=future), 400, "wire version 99"),
            (client.post(PUSH, json=huge), 413, str(MAX_BATCH_CHANGES)),
            (client.post(PUSH, content=b"[" + b" " * (MAX_BODY_BYTES + 1) + b"]",
                         headers={"Content-Type": "application/json"}), 413, "exceeds"),
            # No Content-Length (chunked): refused while reading, before it is all in memory.
            (client.post(PUSH, content=_chunks(MAX_BODY_BYTES + (1 << 20)),
                         headers={"Content-Type": "application/json"}), 413, "exceeds"),
            (client.post(PUSH, content=b'{"wire_version": 1, "branch": "1021"',
                         headers={"Content-Type": "application/json"}), 422, "schema"),
            (client.get("/api/v1/sync/changes", params={"after": "'; DROP TABLE person; --"}), 400,
             "cursor"),
            (client.get("/api/v1/sync/recovery/received", params={"after": "not-a-uuid"}), 400, "after"),
        ]
        for response, status, reason in cases:
            assert reason in _refused(response, status).en
    assert table_counts(hq_server.dsn) == before


def _chunks(total: int) -> Iterator[bytes]:
    piece = b" " * (1 << 20)
    yield b"["
    for _ in range(total // len(piece)):
        yield piece
    yield b"]"


def test_invalid_national_codes_are_rejected_with_a_reason_and_the_rest_applied(
        hq_server: HqServer, tokens: dict[str, str]) -> None:
    good = enrol(snapshot("1021", 1))
    bad_code = enrol(snapshot("1021", 2, nc="0012345678"))  # wrong check digit
    persian = enrol(snapshot("1021", 3, nc="۰۰۱۲۳۴۵۶۷۹"))  # not in canonical (ASCII) form
    equal = enrol(snapshot("1021", 4, nc="1111111111"))
    record = change("inquiry_record", "102100000019", "inquiry.answer", {"national_code": "12"})
    with hq_server.client(tokens["1021"]) as client:
        sent = body(batch("1021", 1, [good, bad_code, persian, equal, record]))
        ack = PushAck.model_validate(client.post(PUSH, json=sent).json())
        again = PushAck.model_validate(client.post(PUSH, json=sent).json())
    assert ack.applied == 1
    assert {r.change_id for r in ack.rejected} == {bad_code.id, persian.id, equal.id, record.id}
    assert all("national code" in r.reason_en and r.reason_fa for r in ack.rejected)
    assert again.status == "already_applied" and again.rejected == ack.rejected  # same answer
    counts = table_counts(hq_server.dsn)
    assert counts["person"] == 1 and counts["received_change"] == 1


def test_values_postgresql_cannot_store_are_rejected_and_the_rest_applied(
        hq_server: HqServer, tokens: dict[str, str]) -> None:
    """Found by the API fuzzer: a time zone offset pydantic accepts and PostgreSQL does not
    (beyond ±15:59) answered 500. Such a change is now rejected alone, with the reason."""
    good = enrol(snapshot("1021", 11))
    far_zone = dt.datetime(2026, 9, 6, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=20)))
    odd_time = enrol(snapshot("1021", 12)).model_copy(update={"at": far_zone})
    odd_enrolled = enrol(snapshot("1021", 13, enrolled_at=far_zone))
    with hq_server.client(tokens["1021"]) as client:
        ack = PushAck.model_validate(client.post(PUSH, json=body(
            batch("1021", 1, [good, odd_time, odd_enrolled]))).json())
    assert ack.applied == 1
    assert {r.change_id for r in ack.rejected} == {odd_time.id, odd_enrolled.id}
    assert all("cannot be stored" in r.reason_en and r.reason_fa for r in ack.rejected)
    counts = table_counts(hq_server.dsn)
    assert counts["person"] == 1 and counts["received_change"] == 1


@pytest.mark.parametrize(("path", "after"), [
    ("/api/v1/sync/recovery/records", "¹"), ("/api/v1/sync/recovery/records", "9" * 30),
    ("/api/v1/sync/changes", "¹:1"), ("/api/v1/sync/changes", "1:¹"),
    ("/api/v1/sync/changes", "1:" + "9" * 30)])
def test_page_markers_that_only_look_like_numbers_are_refused(
        hq_server: HqServer, tokens: dict[str, str], path: str, after: str) -> None:
    """Found by the API fuzzer: str.isdigit() accepts "¹", which int() refuses (a 500)."""
    with hq_server.client(tokens["1021"]) as client:
        response = client.get(path, params={"after": after})
    assert response.status_code in (400, 422), response.text  # 422: longer than the schema allows
    refusal = ErrorBody.model_validate(response.json())
    assert "after" in refusal.en and refusal.fa


def test_a_payload_overwriting_another_branchs_person_is_rejected(hq_server: HqServer,
                                                                 tokens: dict[str, str]) -> None:
    theirs = snapshot("1022", 7)
    with hq_server.client(tokens["1022"]) as other:
        assert PushAck.model_validate(other.post(PUSH, json=body(batch("1022", 1, [enrol(theirs)]))).json()).applied == 1
    before = table_counts(hq_server.dsn)
    stolen = [  # the same person id, claimed by 1021 in two ways
        theirs.model_copy(update={"last_name": "دزدیده", "enrolled_branch": "1021"}),
        theirs.model_copy(update={"last_name": "دزدیده"}),
    ]
    with hq_server.client(tokens["1021"]) as client:
        ack = PushAck.model_validate(client.post(PUSH, json=body(batch("1021", 1, [
            change("person", s.id, "person.update", {}, s) for s in stolen]))).json())
        central = client.get(f"/api/v1/sync/persons/{theirs.national_code}").json()
    assert ack.applied == 0 and len(ack.rejected) == 2
    assert all("1022" in r.reason_en for r in ack.rejected)
    assert central["person"]["last_name"] == theirs.last_name and central["branch"] == "1022"
    after = table_counts(hq_server.dsn)
    assert {t: n - before[t] for t, n in after.items() if n != before[t]} == {"applied_batch": 1}


def test_wrong_tokens_are_rate_limited_per_address(pg_cluster: PostgresCluster, hq_template: str) -> None:
    with dedicated_server(pg_cluster, hq_template, "--max-bad-tokens", "5") as server:
        token = add_branch(server.dsn, "1021")
        before = table_counts(server.dsn)
        with server.client("bdt_wrong") as wrong, server.client(token) as right:
            assert right.get("/api/v1/sync/changes").status_code == 200
            answers = [wrong.get("/api/v1/sync/changes") for _ in range(5)]
            assert [a.status_code for a in answers] == [401] * 5
            started = dt.datetime.now()
            locked = wrong.get("/api/v1/sync/changes")
            also_locked = right.get("/api/v1/sync/changes")  # even a right token: no oracle
        for response in (locked, also_locked):
            error = _refused(response, 429)
            assert 1 <= int(response.headers["Retry-After"]) <= 61 and "retry after" in error.en
        assert table_counts(server.dsn) == before
        assert (dt.datetime.now() - started).total_seconds() < 5  # refused at once, not slowed
