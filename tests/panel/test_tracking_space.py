"""One uniqueness space for tracking codes across the country: headquarters answers under 9999,
which no branch may be registered with, and a branch's record that claims it is refused."""

from __future__ import annotations

import pytest

from desktop.sync.wire import PushAck
from hq.branches import register
from hq.db import make_engine
from hq.errors import Refused
from tests.hq.test_records import record
from tests.support.hq_server import HqServer, add_branch
from tests.support.hq_wire import batch, body, change


def test_a_branch_record_in_headquarters_range_is_refused_and_the_rest_applied(hq_server: HqServer) -> None:
    token = add_branch(hq_server.dsn, "1021")
    own = record(1, "")
    claimed = {**record(2, str(own["hash"])), "tracking_code": "9999000000017"}
    with hq_server.client(token) as client:
        ack = PushAck.model_validate(client.post("/api/v1/sync/push", json=body(batch("1021", 1, [
            change("inquiry_record", own["tracking_code"], "inquiry.answer", own),
            change("inquiry_record", claimed["tracking_code"], "inquiry.answer", claimed)]))).json())
    assert ack.applied == 1 and len(ack.rejected) == 1
    assert "headquarters' range" in ack.rejected[0].reason_en and ack.rejected[0].reason_fa.strip()


def test_no_branch_can_be_registered_under_headquarters_prefix(hq_server: HqServer) -> None:
    engine = make_engine(hq_server.dsn, pool_size=1)
    try:
        with pytest.raises(Refused):
            register(engine, "9999", "ستاد")
    finally:
        engine.dispose()
