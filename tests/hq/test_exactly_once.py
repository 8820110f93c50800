"""Seeded random replays, duplicates and restores from two branches: HQ ends with exactly the
union of what was sent, each change once."""

from __future__ import annotations

import random

import psycopg
import pytest

from desktop.sync.wire import OutgoingChange, PushAck
from tests.support.hq_server import HqServer, add_branch
from tests.support.hq_wire import batch, body, change, enrol, snapshot

PUSH = "/api/v1/sync/push"


def branch_changes(code: str, rng: random.Random, persons: int) -> list[OutgoingChange]:
    out: list[OutgoingChange] = []
    for n in range(1, persons + 1):
        person = snapshot(code, n)
        out.append(enrol(person))
        if rng.random() < 0.3:  # a later change of the same person carries a newer snapshot
            out.append(change("person", person.id, "personal.update", {"fields": ["last_name"]},
                              person.model_copy(update={"last_name": f"تازه {n}"})))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_replays_end_with_each_change_once(hq_server: HqServer, seed: int) -> None:
    rng = random.Random(seed)
    tokens = {code: add_branch(hq_server.dsn, code) for code in ("1021", "1022")}
    expected: dict[str, set[str]] = {}
    for code, token in tokens.items():
        changes = branch_changes(code, rng, 120)
        expected[code] = {str(c.id) for c in changes}
        sent: list[dict[str, object]] = []
        epoch, seq, i = "epoch-0001", 0, 0
        with hq_server.client(token) as client:
            while i < len(changes):
                if sent and rng.random() < 0.25:  # a retry of a batch HQ already applied
                    ack = PushAck.model_validate(client.post(PUSH, json=rng.choice(sent)).json())
                    assert ack.status == "already_applied"
                    continue
                if rng.random() < 0.1:  # restored from a backup: new epoch, re-sends older rows
                    epoch, seq = f"epoch-{rng.randrange(10**6):06d}", 0
                    i = max(0, i - rng.randrange(1, 30))
                size = rng.randrange(1, 40)
                seq += 1
                doc = body(batch(code, seq, changes[i:i + size], epoch=epoch))
                ack = PushAck.model_validate(client.post(PUSH, json=doc).json())
                assert ack.rejected == []
                sent.append(doc)
                i += size
    with psycopg.connect(hq_server.dsn) as conn:
        for code, ids in expected.items():
            got = [str(r[0]) for r in conn.execute(
                "SELECT id FROM received_change WHERE branch = %s", (code,))]
            assert len(got) == len(set(got)) and set(got) == ids
        persons = conn.execute("SELECT count(*), count(DISTINCT ssn) FROM person").fetchone()
        renamed = conn.execute("SELECT count(*) FROM person WHERE last_name LIKE 'تازه%%'").fetchone()
    assert persons == (240, 240)
    assert renamed is not None and renamed[0] > 0
