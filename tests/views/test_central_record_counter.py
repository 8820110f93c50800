"""The counter asks headquarters (issue 10): a national code enrolled at another branch is shown
on the enrolment screen's first step as "enrolled at branch X, SSN Y" — no fresh enrolment with
a new SSN — and «آوردن پرونده از ستاد» brings the person in, after which the usual path for a
known SSN takes over. With HQ down the counter carries on silently. Real `hq serve`, real
PostgreSQL, two real branch stores, the real screen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from desktop.domain.text import persian_digits
from desktop.models import Person
from desktop.services.reference import add_registry_identities
from desktop.services.sync import sync_now
from desktop.services.users import create_user
from desktop.views.theme import apply_theme

from ..factories import identity
from ..support.hq_server import HqServer
from ..support.screenshots import save
from ..sync.kit import Branch, join
from .helpers import type_text, wait_for_operations
from .test_enrolment_screen import key, make_screen

IDENTITY = 1


@pytest.fixture
def two(tmp_path: Path, hq_server: HqServer) -> Iterator[tuple[Branch, Branch]]:
    a, b = join(tmp_path, hq_server, "1051"), join(tmp_path, hq_server, "1052")
    yield a, b
    a.close()
    b.close()


def _enrolled_at(a: Branch, b: Branch, **over: str) -> tuple[str, str]:
    """A person enrolled at branch A and synced; B's registry copy knows the identity too."""
    from desktop.services.enrolment import enrol

    from ..factories import questionnaire

    person = identity(**over)
    add_registry_identities(a.store, a.admin, person)
    add_registry_identities(b.store, b.admin, person)
    ssn = enrol(a.store, a.admin, questionnaire(person["national_code"])).ssn
    sync_now(a.store, None)
    return person["national_code"], ssn


def _shot(screen, name: str, tmp_path: Path) -> None:
    """A grab beside the test; into BRANCH_DESK_SHOTS_DIR in the application's theme (right to
    left, its font) when that is set — the theme stays on the process's QApplication, so run
    this file alone then."""
    folder = os.environ.get("BRANCH_DESK_SHOTS_DIR")
    if folder:
        apply_theme(QApplication.instance())
    save(screen, Path(folder) / name if folder else tmp_path / name)


def test_enrolled_elsewhere_is_shown_and_brought_in(qtbot, two, hq_server: HqServer, tmp_path, monkeypatch):
    a, b = two
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box.text()) or 0)
    nc, ssn = _enrolled_at(a, b, first_name="پریسا", last_name="نوروزی", gender="female")
    clerk = create_user(b.store, b.admin, "clerk1", "کارمند یک", "clerk", "password123")
    screen = make_screen(qtbot, b.store, clerk)
    type_text(screen.number.number.edit, nc)
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    status = screen.flow.status.text()
    assert screen.flow.index() == 0, "a fresh enrolment (a second SSN) was offered"
    assert persian_digits("1051") in status and persian_digits(ssn) in status
    assert screen.number.bring.isVisibleTo(screen)
    _shot(screen, "enrolment-central-record.png", tmp_path)

    screen.number.bring.click()
    wait_for_operations(qtbot)
    with b.store.sessions() as s:
        brought = s.scalar(select(Person).where(Person.national_code == nc))
        assert brought is not None and brought.ssn == ssn and brought.enrolled_branch == "1051"
    assert not screen.number.bring.isVisibleTo(screen)
    assert screen.number.open_file.isVisibleTo(screen)  # the person's file, with the same SSN
    assert persian_digits(ssn) in screen.number.note.text()
    key(qtbot, Qt.Key.Key_Return)  # a main relationship here, with the SSN held (SPEC §2)
    wait_for_operations(qtbot)
    assert screen.flow.index() == IDENTITY
    assert boxes == []


def test_hq_down_the_counter_carries_on_silently(qtbot, two, hq_server: HqServer, monkeypatch):
    a, b = two
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box.text()) or 0)
    person = identity(first_name="کامران", last_name="یزدانی")
    add_registry_identities(b.store, b.admin, person)
    hq_server.stop()
    clerk = create_user(b.store, b.admin, "clerk1", "کارمند یک", "clerk", "password123")
    screen = make_screen(qtbot, b.store, clerk)
    type_text(screen.number.number.edit, person["national_code"])
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert screen.flow.index() == IDENTITY  # HQ unreachable: a new person, as before
    assert not screen.number.bring.isVisibleTo(screen) and boxes == []


def test_search_for_a_code_enrolled_elsewhere_offers_the_central_record(qtbot, two, tmp_path):
    from desktop.views.context import ViewContext
    from desktop.views.search_screen import Screen as SearchScreen

    a, b = two
    nc, ssn = _enrolled_at(a, b, first_name="بهرام", last_name="افشار")
    clerk = create_user(b.store, b.admin, "clerk1", "کارمند یک", "clerk", "password123")
    screen = SearchScreen(ViewContext(b.store, clerk))
    qtbot.addWidget(screen)
    screen.resize(1000, 500)
    screen.show()
    screen.query.setText(nc)
    screen.search_now()
    qtbot.waitUntil(lambda: screen.bring.isVisibleTo(screen), timeout=10_000)
    assert persian_digits("1051") in screen.status.text() and persian_digits(ssn) in screen.status.text()
    assert screen.model.rowCount() == 0
    _shot(screen, "search-central-record.png", tmp_path)
    screen.bring.click()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    wait_for_operations(qtbot)
    assert not screen.bring.isVisibleTo(screen)
