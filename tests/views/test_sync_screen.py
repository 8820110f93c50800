"""The sync screen and the status bar against a real `hq serve` (real PostgreSQL) and a branch
store joined to it: «همگام‌سازی اکنون» pushes, HQ down reads as offline with nothing lost and no
message box, HQ's refusal is listed for a supervisor and not for a clerk, cancel stops a round."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from desktop.services.sync import sync_now, sync_status
from desktop.services.users import create_user
from desktop.views.context import ViewContext
from desktop.views.main_window import MainWindow
from desktop.views.sync_screen import Screen

from ..support.hq_server import HqServer
from ..sync.kit import Branch, all_outbox_ids, enrol_new, fill, hq_received, join
from .helpers import wait_for_operations


@pytest.fixture
def branch(tmp_path: Path, hq_server: HqServer) -> Iterator[Branch]:
    b = join(tmp_path, hq_server, "1031")
    yield b
    b.close()


def actor(b: Branch, role: str):
    return create_user(b.store, b.admin, f"{role}1", f"کاربر {role}", role, "password123")


def screen_for(qtbot, b: Branch, who) -> Screen:
    screen = Screen(ViewContext(b.store, who))
    qtbot.addWidget(screen)
    screen.show()
    wait_for_operations(qtbot)
    return screen


def press_sync(qtbot, screen: Screen) -> None:
    screen.sync_button.click()
    wait_for_operations(qtbot, timeout=30_000)


def test_sync_now_from_the_screen_pushes_to_hq(qtbot, branch: Branch, hq_server: HqServer):
    made = enrol_new(branch)
    supervisor = actor(branch, "supervisor")
    screen = screen_for(qtbot, branch, supervisor)
    assert screen.facts["pending"].text() != "۰" and "هنوز همگام‌سازی نشده" in screen.facts["state"].text()
    press_sync(qtbot, screen)
    assert set(hq_received(hq_server.dsn, "1031")) == all_outbox_ids(branch.store)
    assert sync_status(branch.store, None).pending == 0
    # The facts are refreshed off the GUI thread after the round's change is announced: the
    # pending count and the state line land together, so wait for both.
    qtbot.waitUntil(lambda: screen.facts["pending"].text() == "۰"
                    and "برخط" in screen.facts["state"].text(), timeout=5000)
    assert "همگام‌سازی انجام شد" in screen.result.text()
    assert screen.rounds.rowCount() == 1 and screen.rounds.item(0, 1).text() == "موفق"
    assert "ساعت" in screen.rounds.item(0, 0).text()  # Jalali date and time, Persian digits
    assert "همین حالا" in screen.facts["last_success"].text()
    leases = screen.facts["leases"].text()
    assert "شماره تامین اجتماعی" in leases and not any(c in leases for c in "0123456789")
    assert made  # the enrolled national code went up with the rest


def test_hq_down_reads_offline_and_loses_nothing(qtbot, branch: Branch, hq_server: HqServer):
    enrol_new(branch)
    window = MainWindow(ViewContext(branch.store, branch.admin))
    window.periodic_sync.stop()  # this test drives the rounds itself
    qtbot.addWidget(window)
    window.show()
    window.show_screen("sync")
    screen = window.current_page()
    assert isinstance(screen, Screen)
    wait_for_operations(qtbot)
    before = sync_status(branch.store, None).pending
    hq_server.stop()
    press_sync(qtbot, screen)
    assert QApplication.activeModalWidget() is None  # no box stops the clerk
    assert "ستاد در دسترس نیست" in screen.result.text()
    qtbot.waitUntil(lambda: "برون‌خط" in screen.facts["state"].text(), timeout=5000)
    qtbot.waitUntil(lambda: "برون‌خط" in window.sync_label.text(), timeout=5000)
    assert sync_status(branch.store, None).pending == before  # nothing lost
    assert screen.rounds.item(0, 1).text() == "برون‌خط"
    assert screen.rounds.item(0, 5).text() == "ستاد در دسترس نبود؛ چیزی از دست نرفت"
    assert "could not be reached" in screen.rounds.item(0, 5).toolTip()  # the detail, for support
    assert screen.facts["last_error"].text() == "ستاد در دسترس نبود؛ چیزی از دست نرفت"
    hq_server.start()
    press_sync(qtbot, screen)
    qtbot.waitUntil(lambda: "برخط" in window.sync_label.text(), timeout=5000)
    assert sync_status(branch.store, None).pending == 0
    window.close()


def quarantine_one(b: Branch) -> None:
    """An inquiry record whose payload lost its hash: HQ refuses it (tests/sync/test_two_branches)."""
    fill(b)
    with b.store.engine.begin() as conn:
        row = conn.execute(text("SELECT seq, payload FROM outbox WHERE entity = 'inquiry_record'")).one()
        payload = json.loads(row.payload)
        del payload["hash"]
        conn.execute(text("UPDATE outbox SET payload = :p WHERE seq = :s"),
                     {"p": json.dumps(payload), "s": row.seq})
    assert sync_now(b.store, None).quarantined == 1


@pytest.mark.parametrize("role, sees", [("supervisor", True), ("admin", True), ("clerk", False),
                                        ("letter_staff", False)])
def test_quarantined_row_is_listed_only_for_roles_allowed(qtbot, branch: Branch, role: str, sees: bool):
    quarantine_one(branch)
    who = branch.admin if role == "admin" else actor(branch, role)
    screen = screen_for(qtbot, branch, who)
    assert screen.quarantine_box.isVisibleTo(screen) is sees
    assert screen.view is not None
    if sees:
        assert screen.quarantine.rowCount() == 1
        assert screen.quarantine.item(0, 1).text() == "سابقه استعلام"  # the entity in Persian
        assert "hash" in screen.quarantine.item(0, 4).toolTip()  # HQ's English reason
        assert screen.quarantine.item(0, 4).text()  # HQ's Persian reason
        assert screen.facts["quarantined"].text() == "۱"
    else:
        assert screen.view.quarantine is None and screen.quarantine.rowCount() == 0


def test_cancel_stops_the_round_and_keeps_everything(qtbot, branch: Branch, hq_server: HqServer):
    enrol_new(branch)
    screen = screen_for(qtbot, branch, actor(branch, "supervisor"))
    ids = all_outbox_ids(branch.store)
    screen.sync_now()
    assert screen.operation is not None
    screen.operation.cancel()  # as the progress dialog's cancel button does
    wait_for_operations(qtbot, timeout=30_000)
    assert "لغو شد" in screen.result.text()
    status = sync_status(branch.store, None)
    assert status.rounds[0].outcome == "cancelled"
    assert all_outbox_ids(branch.store) == ids  # nothing lost; what went up is acknowledged
    pushed = set(hq_received(hq_server.dsn, "1031"))
    assert pushed <= ids and status.pending == len(ids - pushed)
    press_sync(qtbot, screen)  # the next round finishes the work
    assert set(hq_received(hq_server.dsn, "1031")) == ids
