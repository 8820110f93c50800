"""Applying pulled pages set-wise (desktop/sync/pull.py): the same result as one change at a
time — new codes inserted, later changes of a code update it in the page's order, a field HQ did
not send is kept, a deleted authority is retired, a deleted workshop kept — with the cursor in the
same transaction, nothing echoed into the outbox, and a page applied twice changing nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from desktop.models import Authority, OutboxEntry, Workshop
from desktop.services.store import Store
from desktop.sync import wire
from desktop.sync.local import sync_state
from desktop.sync.pull import apply_page


def _change(kind: str, key: str, op: str = "upsert", **data: Any) -> wire.PulledChange:
    return wire.PulledChange(kind=kind, key=key, op=op, data=data)  # type: ignore[arg-type]


def _apply(store: Store, after: str, cursor: str, *changes: wire.PulledChange) -> int | None:
    page = wire.PullPage(changes=list(changes), cursor=cursor, more=False)
    with store.sessions() as s, s.begin():
        return apply_page(s, after, page)


def _authorities(store: Store) -> dict[str, tuple[str, str, bool]]:
    with store.sessions() as s:
        return {a.code: (a.name, a.group, a.active) for a in s.scalars(
            select(Authority).where(Authority.code.like("P%")))}


def _workshops(store: Store) -> dict[str, tuple[str, str, str]]:
    with store.sessions() as s:
        return {w.code: (w.name, w.address, w.branch_code) for w in s.scalars(
            select(Workshop).where(Workshop.code.like("77%")))}


def _outbox(store: Store) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry)) or 0


def test_a_page_of_reference_data_is_applied_in_order_with_its_cursor(store: Store):
    outbox = _outbox(store)
    page = (
        _change("authority", "P0001", name="صندوق یک", group="fund"),
        _change("authority", "P0002", name="دادگاه دو", group="judicial"),
        _change("authority", "P0001", name="صندوق یکم"),  # group not sent: kept
        _change("workshop", "7700000001", name="کارگاه الف", address="تهران", branch_code="1021"),
        _change("workshop", "7700000002"),  # nothing but the code: named by it
        _change("workshop", "7700000001", address="کرج"),  # name not sent: kept
        _change("authority", "P0002", op="delete"),
        _change("authority", "P0003", name="صندوق سه", group="fund", active=False),
        _change("authority", "P0003", name="صندوق سه", group="fund"),  # active again
        _change("workshop", "7700000002", op="delete"),  # kept: relationships may name it
    )
    assert _apply(store, "", "7:10", *page) == len(page)
    assert _authorities(store) == {"P0001": ("صندوق یکم", "fund", True),
                                   "P0002": ("دادگاه دو", "judicial", False),
                                   "P0003": ("صندوق سه", "fund", True)}
    assert _workshops(store) == {"7700000001": ("کارگاه الف", "کرج", "1021"),
                                 "7700000002": ("7700000002", "", "")}
    with store.sessions() as s:
        assert sync_state(s).pull_cursor == "7:10"
    assert _outbox(store) == outbox  # pulled rows are never pushed back

    # The same page again (after a crash before the answer was read) is refused by its cursor …
    assert _apply(store, "", "7:10", *page) is None
    # … and a later page touching the same codes updates them, never duplicates.
    assert _apply(store, "7:10", "9:2", _change("workshop", "7700000001", name="کارگاه ب"),
                  _change("authority", "P0002", name="دادگاه دوم", group="judicial")) == 2
    assert _workshops(store)["7700000001"] == ("کارگاه ب", "کرج", "1021")
    assert _authorities(store)["P0002"] == ("دادگاه دوم", "judicial", True)


def test_a_delete_of_an_authority_the_store_never_had_adds_nothing(store: Store):
    assert _apply(store, "", "3:1", _change("authority", "P0404", op="delete")) == 1
    assert _authorities(store) == {}


def test_a_large_page_is_applied_whole(store: Store):
    shops = [_change("workshop", f"77{n:08d}", name=f"کارگاه {n}", address="قم") for n in range(6000)]
    assert _apply(store, "", "11:6000", *shops) == 6000
    assert len(_workshops(store)) == 6000
