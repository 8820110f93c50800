"""The change feed: gap-safe under out-of-order commits, no echo, reference data republished."""

from __future__ import annotations

import psycopg

from desktop.sync.wire import ErrorBody, PullPage, PushAck
from tests.support.hq_server import HqServer, add_branch
from tests.support.hq_wire import batch, body, change

CHANGES = "/api/v1/sync/changes"


def page(server: HqServer, token: str, after: str = "", limit: int | None = None) -> PullPage:
    params = {"after": after} | ({"limit": str(limit)} if limit else {})
    with server.client(token) as client:
        response = client.get(CHANGES, params=params)
    assert response.status_code == 200, response.text
    return PullPage.model_validate(response.json())


def log_row(conn: psycopg.Connection[tuple[object, ...]], code: str) -> None:
    conn.execute("INSERT INTO change_log (kind, key, op, data)"
                 " VALUES ('workshop', %s, 'upsert', jsonb_build_object('code', %s::text))", (code, code))


def test_a_late_commit_is_never_skipped(hq_server: HqServer) -> None:
    """Transaction A writes first and commits last; a pull between the commits must not hand out
    B's row with a cursor past A's, and the pull after A commits returns A's row."""
    token = add_branch(hq_server.dsn, "1021")
    with psycopg.connect(hq_server.dsn) as a, psycopg.connect(hq_server.dsn) as b:
        log_row(a, "W-A")  # takes seq 1 and the older txid; stays open
        log_row(b, "W-B")  # seq 2, a newer txid
        b.commit()
        between = page(hq_server, token)
        a.commit()
    after = page(hq_server, token, between.cursor)
    assert between.changes == []  # B is held back while A (older) is still running
    assert [c.key for c in after.changes] == ["W-A", "W-B"]
    assert page(hq_server, token, after.cursor).changes == []


def test_a_sequence_cursor_would_have_skipped_it(hq_server: HqServer) -> None:
    """The same interleaving read by seq alone: the proof that the txid rule is what saves A."""
    with psycopg.connect(hq_server.dsn) as a, psycopg.connect(hq_server.dsn) as b, \
            psycopg.connect(hq_server.dsn, autocommit=True) as reader:
        log_row(a, "W-A")
        log_row(b, "W-B")
        b.commit()
        naive = reader.execute("SELECT max(seq) FROM change_log").fetchone()
        a.commit()
        missed = reader.execute("SELECT key FROM change_log WHERE seq > %s", naive).fetchall()
    assert missed == []  # a seq cursor taken between the commits never sees W-A


def test_pages_follow_the_cursor(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    with psycopg.connect(hq_server.dsn) as conn:
        for n in range(25):
            log_row(conn, f"W{n:02d}")
    seen: list[str] = []
    cursor, more = "", True
    while more:
        p = page(hq_server, token, cursor, limit=10)
        seen += [c.key for c in p.changes]
        cursor, more = p.cursor, p.more
    assert seen == [f"W{n:02d}" for n in range(25)]


def test_workshop_added_at_one_branch_reaches_the_others_not_itself(hq_server: HqServer) -> None:
    tokens = {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022", "1023")}
    added = change("workshop", "w1", "workshop.add", {"code": "1234567", "name": "کارگاه نمونه",
                                                      "address": "تهران"})
    with hq_server.client(tokens["1021"]) as client:
        ack = client.post("/api/v1/sync/push", json=body(batch("1021", 1, [added])))
    assert PushAck.model_validate(ack.json()).applied == 1
    assert page(hq_server, tokens["1021"]).changes == []  # no echo
    for code in ("1022", "1023"):
        got = page(hq_server, tokens[code]).changes
        assert [(c.kind, c.key, c.data["name"]) for c in got] == [("workshop", "1234567", "کارگاه نمونه")]


def test_conflicts_and_leases_go_only_to_their_branches(hq_server: HqServer) -> None:
    tokens = {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022")}
    with hq_server.client(tokens["1021"]) as client:
        client.post("/api/v1/sync/leases", json={"request_id": "6f1f5d7e-8c2a-4b7e-9a53-1d2f3c4b5a69",
                                                 "kind": "ssn", "install_epoch": "epoch-0001"})
    mine = page(hq_server, tokens["1021"]).changes
    assert [(c.kind, c.data["first"]) for c in mine] == [("lease", 1021 * 100_000 + 1)]
    assert page(hq_server, tokens["1022"]).changes == []


def test_idle_pull_keeps_the_cursor_moving_past_other_branches_rows(hq_server: HqServer) -> None:
    tokens = {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022")}
    with psycopg.connect(hq_server.dsn) as conn:
        conn.execute("INSERT INTO change_log (audience, kind, key, op, data)"
                     " VALUES ('1022', 'lease', 'x', 'upsert', '{}')")
    first = page(hq_server, tokens["1021"])
    assert first.changes == [] and first.cursor  # moved past 1022's row, nothing handed out
    assert page(hq_server, tokens["1021"], first.cursor).cursor == first.cursor


def test_a_cursor_hq_never_gave_is_refused(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    with hq_server.client(token) as client:
        response = client.get(CHANGES, params={"after": "yesterday"})
        too_many = client.get(CHANGES, params={"limit": "100000"})
    assert response.status_code == 400
    assert ErrorBody.model_validate(response.json()).code == "bad_cursor"
    assert too_many.status_code == 422 and ErrorBody.model_validate(too_many.json()).fa
