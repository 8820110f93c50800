"""Authorities after they are added: the administrator corrects name or group, deactivates and
reactivates — each an audit row and an outbox row in its own transaction; a deactivated authority
gets no new inquiry or certificate, while what was answered for it still names it."""

from __future__ import annotations

import json

import pytest

from desktop.domain.errors import InvalidValue, NotFound, PermissionDenied
from desktop.services.authorities import (
    deactivate_authority,
    edit_authority,
    list_authorities,
    reactivate_authority,
)
from desktop.services.certificates import issue_certificate
from desktop.services.inquiry import answer_inquiry
from desktop.services.person_file import load_person_file
from desktop.services.records import enrolled_person

from ..conftest import count_rows
from .inquiry_helpers import setup_cast


@pytest.fixture
def cast(store, admin, registered):
    return setup_cast(store, admin, registered)


def _written(store) -> tuple[int, int]:
    return count_rows(store, "audit_log"), count_rows(store, "outbox")


def _last_outbox(store) -> tuple[str, dict]:
    with store.engine.connect() as conn:
        op, payload = conn.exec_driver_sql("SELECT op, payload FROM outbox ORDER BY rowid DESC LIMIT 1").one()
    return op, json.loads(payload)


def _row(store, actor, code):
    return next(a for a in list_authorities(store, actor) if a.code == code)


def test_edit_changes_name_and_group_with_audit_and_outbox(store, admin, cast):
    before = _written(store)
    changed = edit_authority(store, admin, "F1", name="صندوق بازنشستگی کشوری (ستاد)", group="judicial")
    assert changed == ["name", "group"]
    row = _row(store, admin, "F1")
    assert (row.name, row.group, row.active) == ("صندوق بازنشستگی کشوری (ستاد)", "judicial", True)
    assert _written(store) == (before[0] + 1, before[1] + 1)
    op, payload = _last_outbox(store)
    assert op == "authority.edit" and payload["old"] == {"name": "صندوق بازنشستگی کشوری", "group": "fund"}
    # The same values again: nothing changed, nothing written.
    assert edit_authority(store, admin, "F1", name="صندوق بازنشستگی کشوری (ستاد)", group="judicial") == []
    assert _written(store) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(("code", "name", "group", "error", "field"), [
    ("F1", "   ", "fund", InvalidValue, "name"),
    ("F1", "صندوق", "court", InvalidValue, "group"),
    ("Z9", "صندوق", "fund", NotFound, "code"),
    ("F1", "ص" * 201, "fund", InvalidValue, "name"),
])
def test_a_bad_edit_is_refused_in_persian_and_writes_nothing(store, admin, cast, code, name, group, error, field):
    before = _written(store)
    with pytest.raises(error) as refused:
        edit_authority(store, admin, code, name=name, group=group)
    assert refused.value.fa and refused.value.en and refused.value.field == field
    assert _written(store) == before
    assert _row(store, admin, "F1").name == "صندوق بازنشستگی کشوری"


def test_only_the_administrator_changes_authorities(store, users, cast):
    before = _written(store)
    for role in ("clerk", "supervisor", "letter_staff"):
        for call in (lambda a: edit_authority(store, a, "F1", name="x", group="fund"),
                     lambda a: deactivate_authority(store, a, "F1"),
                     lambda a: reactivate_authority(store, a, "F1")):
            with pytest.raises(PermissionDenied):
                call(users[role])
    assert _written(store) == before and _row(store, users["admin"], "F1").active


def test_a_deactivated_authority_gets_no_new_inquiry_or_certificate(store, admin, clerk, users, cast):
    letters = users["letter_staff"]
    old = answer_inquiry(store, letters, "F1", cast.main)
    before = _written(store)
    row = deactivate_authority(store, admin, "F1")
    assert not row.active and _written(store) == (before[0] + 1, before[1] + 1)
    assert _last_outbox(store) == ("authority.deactivate", {"code": "F1", "active": False, "branch": "1021"})
    inquiries = count_rows(store, "inquiry_record")
    with pytest.raises(InvalidValue) as refused:
        answer_inquiry(store, letters, "F1", cast.main)
    assert "صندوق بازنشستگی کشوری" in refused.value.fa and "inactive" in refused.value.en
    with pytest.raises(InvalidValue):
        issue_certificate(store, clerk, cast.main, "F1")
    assert count_rows(store, "inquiry_record") == inquiries  # refused before anything was written
    # The old answer still names it, in the person's file.
    with store.sessions() as s:
        person_id = enrolled_person(s, national_code=cast.main).id
    inquiries_shown = load_person_file(store, clerk, person_id).inquiries
    assert [(i.tracking_code, i.authority) for i in inquiries_shown] == [(old.tracking_code, "صندوق بازنشستگی کشوری")]
    with pytest.raises(InvalidValue) as twice:
        deactivate_authority(store, admin, "F1")
    assert "غیرفعال" in twice.value.fa
    # Reactivated, it answers again.
    assert reactivate_authority(store, admin, "F1").active
    assert _last_outbox(store)[0] == "authority.reactivate"
    assert answer_inquiry(store, letters, "F1", cast.main).tracking_code != old.tracking_code
    with pytest.raises(InvalidValue):
        reactivate_authority(store, admin, "F1")
