"""The desktop's side of headquarters sync against a real `hq serve` (real PostgreSQL): a conflict
pulled from HQ appears in the person's file, the periodic runner backs off while HQ is down and
resets once it answers, and the status bar reads not joined / pending / online / offline."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.domain.text import persian_digits
from desktop.services.enrolment import enrol
from desktop.services.reference import add_registry_identities
from desktop.services.sync import sync_now, sync_status
from desktop.services.sync_settings import SYNC_INTERVAL
from desktop.sync.client import HqUnreachable
from desktop.sync.local import put_setting
from desktop.views.context import ViewContext
from desktop.views.main_window import MainWindow
from desktop.views.person_file import PersonFileDialog
from desktop.views.sync_runner import PeriodicSync
from desktop.views.sync_text import status_bar_text

from ..factories import identity, questionnaire
from ..support.hq_server import HqServer
from ..sync.kit import Branch, enrol_new, join
from .helpers import wait_for_operations


@pytest.fixture
def two(tmp_path: Path, hq_server: HqServer) -> Iterator[tuple[Branch, Branch]]:
    a, b = join(tmp_path, hq_server, "1031"), join(tmp_path, hq_server, "1032")
    yield a, b
    a.close()
    b.close()


def enrol_person(b: Branch, national_code: str) -> uuid.UUID:
    person = identity(national_code=national_code, first_name="کاوه", last_name="مرادی")
    add_registry_identities(b.store, b.admin, person)
    return enrol(b.store, b.admin, questionnaire(national_code)).person_id


def open_file(qtbot, b: Branch, person_id: uuid.UUID) -> PersonFileDialog:
    dialog = PersonFileDialog(ViewContext(b.store, b.admin), person_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot)
    assert dialog.pfile is not None
    return dialog


# --- the person's file -----------------------------------------------------------------------
def test_conflict_pulled_from_hq_shows_in_the_open_person_file(qtbot, two):
    a, b = two
    national_code = str(identity()["national_code"])
    enrol_person(a, national_code)
    at_b = enrol_person(b, national_code)  # the same person enrolled at the second branch
    sync_now(a.store, None)
    dialog = open_file(qtbot, b, at_b)
    assert dialog.conflict_line.isHidden()  # HQ has not spoken yet
    sync_now(b.store, None)  # pushes the second enrolment: HQ records the conflict, b pulls it
    qtbot.waitUntil(lambda: dialog.conflict_line.isVisibleTo(dialog), timeout=10_000)
    line = dialog.conflict_line.text()
    assert "ناسازگاری باز در ستاد" in line
    for code in ("۱۰۳۱", "۱۰۳۲"):  # both branch codes, each one isolated left-to-right run
        assert f"\u2066{code}\u2069" in line
    assert dialog.pfile is not None and dialog.pfile.person.national_code == national_code


def test_person_file_without_a_conflict_shows_no_line(qtbot, two):
    a, _ = two
    person_id = enrol_person(a, str(identity()["national_code"]))
    sync_now(a.store, None)
    dialog = open_file(qtbot, a, person_id)
    assert dialog.conflict_line.isHidden() and dialog.conflict_line.text() == ""


# --- the periodic runner's backoff ------------------------------------------------------------
def scheduled_delays(runner: PeriodicSync) -> list[int]:
    """Every delay the runner schedules its next round with, recorded instead of started: the
    test starts each round itself, so no timer can race it on a slow machine."""
    delays: list[int] = []
    runner.timer.start = delays.append  # type: ignore[method-assign]
    return delays


def one_round(qtbot, runner: PeriodicSync, delays: list[int]) -> int:
    count = len(delays)
    runner.run_now()
    qtbot.waitUntil(lambda: len(delays) > count and runner.operation is None, timeout=30_000)
    return delays[-1]


def test_runner_backs_off_while_hq_is_down_and_resets_when_it_answers(qtbot, two, hq_server: HqServer):
    a, _ = two
    with a.store.sessions() as s, s.begin():
        put_setting(s, SYNC_INTERVAL, "0.1")  # a 6 s interval caps the backoff
    a.store.reload_settings()
    enrol_new(a)
    owner = MainWindow(ViewContext(a.store, a.admin))
    owner.periodic_sync.stop()  # the window's own runner stays out of the way
    qtbot.addWidget(owner)
    runner = PeriodicSync(owner, a.store)
    delays = scheduled_delays(runner)
    assert runner.interval_ms() == 6_000
    hq_server.stop()
    offline = [one_round(qtbot, runner, delays) for _ in range(5)]
    assert offline == [1_000, 2_000, 4_000, 6_000, 6_000]  # doubling, capped at the interval
    assert runner.backoff.failures == 5
    assert sync_status(a.store, None).pending > 0  # nothing lost while offline
    hq_server.start()
    assert one_round(qtbot, runner, delays) == 6_000  # back to the interval
    assert runner.backoff.failures == 0
    assert sync_status(a.store, None).pending == 0
    outcomes = [r.outcome for r in sync_status(a.store, None).rounds]
    assert outcomes[:6] == ["ok"] + ["offline"] * 5
    runner.stop()


def test_default_interval_is_five_minutes(two):
    a, _ = two
    assert PeriodicSync(None, a.store).interval_ms() == 5 * 60_000  # type: ignore[arg-type]


# --- the status bar ---------------------------------------------------------------------------
def bar_text(qtbot, window: MainWindow, expected: str) -> str:
    """The status bar's sync text as read (the label is rich text: its colour tag removed)."""
    qtbot.waitUntil(lambda: expected in window.sync_label.text(), timeout=10_000)
    return re.sub(r"<[^>]+>", "", window.sync_label.text())


def test_status_bar_reads_pending_online_and_offline(qtbot, two, hq_server: HqServer):
    a, _ = two
    enrol_new(a)
    enrol_new(a)
    pending = sync_status(a.store, None).pending
    window = MainWindow(ViewContext(a.store, a.admin))
    window.periodic_sync.stop()  # the test drives the rounds
    qtbot.addWidget(window)
    window.show()
    text = bar_text(qtbot, window, "در انتظار")  # joined, never synced yet
    assert f"{persian_digits(pending)} تغییر در صف ارسال" in text
    assert not any(c in text for c in "0123456789")  # Persian digits only

    sync_now(a.store, None)
    text = bar_text(qtbot, window, "ستاد: برخط")
    assert "آخرین همگام‌سازی موفق: همین حالا" in text and "۰ تغییر در صف ارسال" in text

    enrol_new(a)  # a new change waits in the queue, shown at once through the change channel
    bar_text(qtbot, window, "۱ تغییر در صف ارسال")

    hq_server.stop()
    with pytest.raises(HqUnreachable):
        sync_now(a.store, None)
    text = bar_text(qtbot, window, "ستاد: برون‌خط")
    assert "آخرین همگام‌سازی موفق: همین حالا" in text  # the last success is still told
    assert "۱ تغییر در صف ارسال" in text
    hq_server.start()
    window.close()


def test_status_bar_of_a_store_not_joined(qtbot, store, admin):
    window = MainWindow(ViewContext(store, admin))
    window.periodic_sync.stop()
    qtbot.addWidget(window)
    window.show()
    assert "همگام‌سازی با ستاد هنوز راه‌اندازی نشده" in bar_text(qtbot, window, "راه‌اندازی نشده")
    window.close()


def test_last_success_ages_in_relative_words(two):
    a, _ = two
    sync_now(a.store, None)
    status = sync_status(a.store, None)
    assert status.last_success is not None
    later = status.last_success + dt.timedelta(minutes=3, seconds=10)
    assert "آخرین همگام‌سازی موفق: ۳ دقیقه پیش" in status_bar_text(status, now=later)
    later = status.last_success + dt.timedelta(hours=2)
    assert "۲ ساعت پیش" in status_bar_text(status, now=later)
    days = status_bar_text(status, now=status.last_success + dt.timedelta(days=3))
    assert "ساعت" in days and "پیش" not in days  # older than a day: the Jalali date and time
