"""A person enrolled at another branch is found at headquarters from the counter; offline and
unjoined stores get an answer, not an error. The periodic caller's backoff doubles up to the
interval."""

from __future__ import annotations

from pathlib import Path

from desktop.services.enrolment import enrol
from desktop.services.reference import add_registry_identities
from desktop.services.sync import central_person, sync_now
from desktop.sync.round import Backoff

from ..factories import identity, questionnaire
from ..support.hq_server import HqServer
from .kit import join


def test_a_person_enrolled_elsewhere_is_found_at_hq(tmp_path: Path, hq_server: HqServer):
    a, b = join(tmp_path, hq_server, "1061"), join(tmp_path, hq_server, "1062")
    try:
        person = identity(first_name="نگار", gender="female")
        add_registry_identities(a.store, a.admin, person)
        enrol(a.store, a.admin, questionnaire(
            person["national_code"], personal={"address": "کرج، کوچه نسترن", "phone": "02632223344"}))
        nc = person["national_code"]
        sync_now(a.store, None)
        found = central_person(b.store, b.admin, nc)
        assert found.state == "found" and found.person is not None
        assert found.person.branch == "1061" and found.person.person.first_name == "نگار"
        assert found.person.person.ssn
        # HQ holds the contact fields for judicial answers; another branch's counter never gets them.
        assert found.person.person.contact is None
        assert central_person(b.store, b.admin, "0012345679").state == "not_found"
        hq_server.stop()
        assert central_person(b.store, b.admin, nc).state == "unreachable"
    finally:
        a.close()
        b.close()


def test_an_unjoined_store_does_not_ask(store, admin):
    assert central_person(store, admin, "0012345679").state == "not_joined"


def test_backoff_doubles_up_to_the_interval_and_resets():
    backoff = Backoff(interval=300)
    assert backoff.next_delay() == 300
    delays = []
    for _ in range(11):
        backoff.failed()
        delays.append(backoff.next_delay())
    assert delays[:4] == [1, 2, 4, 8] and delays[-1] == 300 and max(delays) == 300
    backoff.succeeded()
    assert backoff.next_delay() == 300
