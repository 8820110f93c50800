"""Drafts: per user, role-checked, survive the store being closed and reopened (a crash)."""

from __future__ import annotations

import pytest

from desktop.domain.errors import InvalidValue, NotFound, PermissionDenied
from desktop.services.drafts import discard_draft, list_drafts, load_draft, save_draft
from desktop.services.store import open_store

from ..conftest import count_rows


def test_save_list_load_discard(store, clerk):
    first = save_draft(store, clerk, "enrolment", {"national_code": "0012345679"}, title="۰۰۱۲۳۴۵۶۷۹")
    again = save_draft(store, clerk, "enrolment", {"national_code": "0012345679", "mobile": "0912"},
                       title="t", draft_id=first)
    assert again == first
    drafts = list_drafts(store, clerk, "enrolment")
    assert [d.id for d in drafts] == [first] and drafts[0].title == "t"
    assert load_draft(store, clerk, first) == {"national_code": "0012345679", "mobile": "0912"}
    assert list_drafts(store, clerk, "dependant") == []
    discard_draft(store, clerk, first)
    assert list_drafts(store, clerk, "enrolment") == []
    with pytest.raises(NotFound):
        load_draft(store, clerk, first)


def test_drafts_write_no_audit_or_outbox(store, clerk):
    before = count_rows(store, "audit_log"), count_rows(store, "outbox")
    save_draft(store, clerk, "dependant", {"relation": "son"})
    assert (count_rows(store, "audit_log"), count_rows(store, "outbox")) == before


def test_another_user_neither_sees_nor_loads_nor_overwrites(store, users):
    mine = save_draft(store, users["clerk"], "enrolment", {"a": 1})
    other = users["supervisor"]
    assert list_drafts(store, other, "enrolment") == []
    with pytest.raises(NotFound):
        load_draft(store, other, mine)
    with pytest.raises(NotFound):
        discard_draft(store, other, mine)
    theirs = save_draft(store, other, "enrolment", {"b": 2}, draft_id=mine)
    assert theirs != mine
    assert load_draft(store, users["clerk"], mine) == {"a": 1}


def test_role_and_kind_are_checked(store, users):
    with pytest.raises(PermissionDenied):
        save_draft(store, users["letter_staff"], "enrolment", {"a": 1})
    with pytest.raises(InvalidValue):
        save_draft(store, users["clerk"], "letters", {"a": 1})


def test_a_draft_survives_closing_the_store(store, clerk):
    draft = save_draft(store, clerk, "enrolment", {"address": "تهران، خیابان ولیعصر"})
    path = store.path
    store.engine.dispose()
    reopened = open_store(path)
    try:
        assert load_draft(reopened, clerk, draft) == {"address": "تهران، خیابان ولیعصر"}
    finally:
        reopened.close()
