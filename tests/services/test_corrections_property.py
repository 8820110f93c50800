"""Property: whatever sequence of requests and decisions runs, the stored account (yearly rows and
lifetime total) equals the sum over the lines in effect, and the ledger verifies."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.errors import DomainError, Refused
from desktop.services.account import account_of
from desktop.services.corrections import approve_correction, reject_correction, request_correction
from desktop.services.enrolment import enrol
from desktop.services.ledger import verify_ledger
from desktop.services.reference import add_registry_identities, add_workshops
from desktop.services.store import open_store
from desktop.services.users import create_user, find_actor

from ..conftest import STORE_FILES, TODAY
from ..factories import identity, questionnaire
from .correction_kit import add_monthly_lines, snapshot

PERIODS = [(1402, 12, 29, 90), (1403, 1, 31, 100), (1403, 2, 31, 110), (1403, 7, 30, 120)]
CHANGES = st.fixed_dictionaries({}, optional={
    "days": st.integers(-2, 32), "wage": st.integers(-5, 10**6), "rate": st.sampled_from([0, 270, 300, 501]),
    "job": st.sampled_from(["", "کارگر", "تکنسین"]), "workshop_code": st.sampled_from(["1234567890", "2222222222",
                                                                                        "9999999999"])})
STEPS = st.lists(st.one_of(
    st.tuples(st.just("request"), st.integers(0, 20), CHANGES, st.booleans()),
    st.tuples(st.sampled_from(["approve", "reject"]), st.integers(0, 20), st.booleans()),
), min_size=1, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_account_totals_equal_the_lines_in_effect(store_template: Path, steps) -> None:
    folder = Path(tempfile.mkdtemp())
    for name in STORE_FILES:
        shutil.copyfile(store_template / name, folder / name)
    store = open_store(folder / STORE_FILES[0])
    store.clock = lambda: TODAY
    try:
        _run(store, steps)
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def _run(store, steps) -> None:
    admin = find_actor(store, "admin")
    clerk = create_user(store, admin, "clerk1", "کارمند", "clerk", "password123")
    boss = create_user(store, admin, "boss1", "سرپرست", "supervisor", "password123")
    add_workshops(store, admin, [{"code": "1234567890", "name": "یک", "address": "تهران"},
                                 {"code": "2222222222", "name": "دو", "address": "قم"}])
    person = identity()
    add_registry_identities(store, admin, person)
    pid = enrol(store, clerk, questionnaire(person["national_code"], relationship={
        "kind": "mandatory", "start": "1400/01/01", "workshop_code": "1234567890"})).person_id
    add_monthly_lines(store, pid, "1234567890", PERIODS)
    requests = []
    for step in steps:
        account = account_of(store, clerk, person_id=pid)
        lines = account.lines
        before = snapshot(store)
        try:
            if step[0] == "request":
                _, index, changes, as_boss = step
                line = lines[index % len(lines)]
                requests.append(request_correction(store, boss if as_boss else clerk, line.line_id, changes,
                                                   "دلیل").id)
            elif requests:
                verb, index, by_boss = step
                decide = approve_correction if verb == "approve" else reject_correction
                decide(store, boss if by_boss else clerk, requests[index % len(requests)], "دلیل تصمیم")
        except (DomainError, Refused):
            assert snapshot(store) == before  # a refusal writes nothing
        _check(store, clerk, pid)
    assert verify_ledger(store, boss).ok


def _check(store, clerk, pid) -> None:
    account = account_of(store, clerk, person_id=pid)
    effective = account.monthly
    assert account.lifetime.days == sum(x.days for x in effective)
    assert account.lifetime.wage_total == sum(x.wage for x in effective)
    assert account.lifetime.months == len({(x.year, x.month) for x in effective})
    by_year = {y.year: (y.days, y.wage_total) for y in account.yearly}
    expected = {}
    for x in effective:
        days, wage = expected.get(x.year, (0, 0))
        expected[x.year] = (days + x.days, wage + x.wage)
    assert by_year == expected
    # Exactly one line in effect per month: corrections replace, never add.
    assert len(effective) == len(PERIODS)
