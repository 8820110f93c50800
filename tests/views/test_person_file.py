"""The person file window: tabs from the service, health rows by role, the timeline's geometry
and picture, and personal-information edits that insist on a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QTableWidget

from desktop.domain.jalali import format_jalali, from_jalali
from desktop.domain.text import persian_digits
from desktop.services.enrolment import enrol
from desktop.services.people import RecordRelationship
from desktop.services.person_file import FileRelationship, load_person_file
from desktop.services.records import add_relationship
from desktop.views.context import ViewContext
from desktop.views.person_file import PersonFileDialog
from desktop.views.timeline import MARGIN, RelationshipTimeline

from ..conftest import TODAY
from ..factories import questionnaire
from .helpers import type_text, wait_for_operations


@pytest.fixture
def person(store, clerk, registered, workshop):
    ident = registered(first_name="مریم", last_name="کریمی", gender="female")
    result = enrol(store, clerk, questionnaire(ident["national_code"], personal={
        "mobile": "09121234567", "blood_group": "O+", "special_disease": "دیابت"}))
    add_relationship(store, clerk, ident["national_code"],
                     {"kind": "mandatory", "start": "1390/07/01", "end": "1396/12/29", "workshop_code": workshop})
    add_relationship(store, clerk, ident["national_code"], {"kind": "self_employed", "start": "1397/01/01",
                                                            "end": "1401/06/31"})
    return result.person_id


def open_file(qtbot, store, actor, person_id) -> PersonFileDialog:
    dialog = PersonFileDialog(ViewContext(store, actor), person_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot)
    assert dialog.pfile is not None
    return dialog


def test_tabs_and_health_rows_follow_the_role(qtbot, store, users, person):
    clerk_view = open_file(qtbot, store, users["clerk"], person)
    assert clerk_view.tabs.count() == 9
    assert "blood_group" in clerk_view.personal_keys
    letters_view = open_file(qtbot, store, users["letter_staff"], person)
    assert "blood_group" not in letters_view.personal_keys and "mobile" in letters_view.personal_keys
    assert not letters_view.requery_button.isEnabled()  # letter staff may not update people


def _cells(dialog) -> set[str]:
    """Every text the file shows in its tables and labels, on every tab."""
    texts = {label.text() for label in dialog.findChildren(QLabel)}
    for t in dialog.findChildren(QTableWidget):
        texts |= {t.item(r, c).text() for r in range(t.rowCount()) for c in range(t.columnCount())
                  if t.item(r, c) is not None}
    # As read: an identifier's LTR isolate marks (views/rtl.py) are not part of its text.
    return {text.replace("\u2066", "").replace("\u2069", "") for text in texts}


def test_no_health_value_reaches_the_screen_of_a_role_without_person_health(qtbot, store, users, person):
    from desktop.services.records import update_personal_info

    update_personal_info(store, users["clerk"], person, {"blood_group": "A+"}, "آزمایش جدید")
    clerk_cells = _cells(open_file(qtbot, store, users["clerk"], person))
    assert {"A+", "O+", "دیابت"} <= clerk_cells  # shown (in written order: rtl.py), with its history
    letters_cells = _cells(open_file(qtbot, store, users["letter_staff"], person))
    assert not [t for t in letters_cells if "+" in t or "دیابت" in t or "گروه خون" in t]
    assert "اطلاعات سلامت برای نقش شما نمایش داده نمی‌شود." in letters_cells


def test_acquaintances_medical_history_and_dependants_count_show_health_only_by_role(qtbot, store, users, registered):
    ident = registered(first_name="حسن", last_name="نوری")
    result = enrol(store, users["clerk"], questionnaire(ident["national_code"], personal={
        "dependants_count": 4, "medical_history": "جراحی قلب", "special_disease": "هموفیلی",
        "acquaintances": [{"first_name": "رضا", "last_name": "احمدی", "national_code": "0012345679",
                           "address": "کرج", "mobile": "09351234567"}]}))
    for role, health in (("clerk", True), ("supervisor", True), ("admin", False), ("letter_staff", False)):
        dialog = open_file(qtbot, store, users[role], result.person_id)
        cells = _cells(dialog)
        assert {"رضا احمدی", "کرج", "۰۰۱۲۳۴۵۶۷۹", "۰۹۳۵۱۲۳۴۵۶۷", "۴"} <= cells, role
        assert ("جراحی قلب" in cells and "هموفیلی" in cells) is health, role
        assert not health or "medical_history" in dialog.personal_keys
        if not health:
            assert not [t for t in cells if "جراحی" in t or "هموفیلی" in t], role


def test_tables_show_the_typed_rows_as_before(qtbot, store, clerk, person):
    dialog = open_file(qtbot, store, clerk, person)
    cells = _cells(dialog)
    f = dialog.pfile
    assert persian_digits(f.person.ssn) in cells and "مریم" in cells
    assert "۱۳۹۰/۰۷/۰۱" in cells and "۱۳۹۶/۱۲/۲۹" in cells and "ادامه دارد" in cells  # relationship dates
    birth = f.person.birth_date
    assert birth is not None and format_jalali(birth, persian=True) in cells  # identity date, Jalali
    assert "زن" in cells  # gender code shown by its title


def test_timeline_draws_one_bar_per_relationship_right_to_left(qtbot, store, clerk, person, tmp_path: Path):
    dialog = open_file(qtbot, store, clerk, person)
    timeline = dialog.timeline
    assert isinstance(timeline, RelationshipTimeline)
    timeline.resize(900, timeline.sizeHint().height())
    rects = timeline.bar_rects()
    assert len(rects) == 3 == len(load_person_file(store, clerk, person).relationships)
    by_start = sorted(zip(timeline.bars, rects, strict=True), key=lambda br: br[0].start)
    xs = [r.right() for _, r in by_start]
    assert xs == sorted(xs, reverse=True)  # later starts sit further left: time runs right-to-left
    open_bar = next(r for b, r in by_start if b.end is None)
    assert open_bar.left() == pytest.approx(timeline.x_of(TODAY))  # open-ended bars reach today
    assert len({round(r.top()) for r in rects}) == 3  # one row each
    ticks = timeline.year_ticks()
    assert ticks[0][0] == 1390 and ticks[-1][0] == 1405 and ticks[0][1] > ticks[-1][1]
    image = timeline.grab()
    path = tmp_path / "timeline.png"
    assert image.save(str(path)) and path.stat().st_size > 2000
    colour = image.toImage().pixelColor(int(open_bar.center().x()), int(open_bar.center().y()))
    assert colour.saturation() > 40  # the bar is painted, not left blank


def test_geometry_of_a_single_known_bar(qtbot):
    record = RecordRelationship(type_code="voluntary", category="main", start=from_jalali(1400, 1, 1),
                                end=from_jalali(1401, 1, 1), insurance_number="0010210001", branch="1021")
    rel = FileRelationship(record, title="بیمه اختیاری", category="main", category_title="اصلی", active=False)
    timeline = RelationshipTimeline([rel], from_jalali(1401, 12, 29))
    qtbot.addWidget(timeline)
    timeline.resize(384 + 2 * MARGIN, 100)  # plot width 384 over the years 1400 and 1401
    (rect,) = timeline.bar_rects()
    assert rect.right() == pytest.approx(384 + MARGIN)  # 1 Farvardin 1400 is the right edge
    assert rect.width() == pytest.approx(384 * 365 / 730, abs=1)  # one of two years


def test_editing_personal_info_asks_a_reason(qtbot, store, clerk, person):
    dialog = open_file(qtbot, store, clerk, person)
    edit = dialog.personal_edit_dialog("mobile")
    qtbot.addWidget(edit)
    edit.show()
    edit.value.clear()
    type_text(edit.value, "۰۹۳۵۱۲۳۴۵۶۷")
    edit.accept()
    assert edit.isVisible() and "دلیل" in edit.message.text()
    assert load_person_file(store, clerk, person).personal.mobile == "09121234567"  # nothing written
    type_text(edit.reason, "شماره تازه")
    qtbot.keyClick(edit.reason, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert not edit.isVisible()
    pfile = load_person_file(store, clerk, person)
    assert pfile.personal.mobile == "09351234567"
    assert pfile.personal_changes[0].old == "09121234567"


def test_a_refused_value_stays_in_the_dialog_with_the_persian_reason(qtbot, store, clerk, person):
    dialog = open_file(qtbot, store, clerk, person)
    edit = dialog.personal_edit_dialog("mobile")
    qtbot.addWidget(edit)
    edit.show()
    edit.value.setText("0912")
    edit.reason.setText("اشتباه")
    edit.accept()
    wait_for_operations(qtbot)
    assert edit.isVisible() and edit.message.text() and "دلیل" not in edit.message.text()
    assert load_person_file(store, clerk, person).personal.mobile == "09121234567"


def test_requery_button_shows_registry_changes(qtbot, store, admin, clerk, person):
    from desktop.services.reference import add_registry_identities

    from ..factories import identity

    dialog = open_file(qtbot, store, clerk, person)
    nc = dialog.pfile.person.national_code
    add_registry_identities(store, admin, identity(national_code=nc, first_name="مریم", last_name="کریمی‌پور",
                                                   gender="female"))
    qtbot.mouseClick(dialog.requery_button, Qt.MouseButton.LeftButton)
    wait_for_operations(qtbot)
    qtbot.waitUntil(lambda: dialog.pfile.person.last_name == "کریمی‌پور")  # reloaded by the change
    assert "نام خانوادگی" in dialog.note.text()
    assert dialog.pfile.identity_changes[0].old == "کریمی"


def test_a_change_made_elsewhere_refreshes_the_open_file_without_polling(qtbot, store, clerk, person):
    """Another screen (here: the service called as that screen would) ends a relationship; the open
    file of that person reloads from the change channel, and the file of another person does not."""
    from desktop.services.records import update_personal_info

    dialog = open_file(qtbot, store, clerk, person)
    loads: list[object] = []
    original = dialog.show_file
    dialog.show_file = lambda f: (loads.append(f), original(f))  # type: ignore[method-assign]
    update_personal_info(store, clerk, person, {"mobile": "09351112233"}, "شماره تازه")
    qtbot.waitUntil(lambda: dialog.pfile.personal.mobile == "09351112233", timeout=5000)
    assert len(loads) == 1
    assert not [t for t in dialog.findChildren(QTimer) if t.isActive()]  # no polling timer either
