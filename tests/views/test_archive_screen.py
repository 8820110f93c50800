"""The archive screen (issue 12): find a person, add papers from files (several, dropped, or
refused), see them in the viewer with their versions, open it from the person file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication
from reportlab.pdfgen import canvas

from desktop.services.archive import papers_of
from desktop.services.enrolment import enrol
from desktop.views.archive.adding import AddPapersDialog
from desktop.views.archive.viewer import PaperViewer
from desktop.views.archive_screen import Screen
from desktop.views.context import ViewContext

from ..conftest import count_rows
from ..factories import questionnaire
from .helpers import type_text, wait_for_operations


def png_bytes(width: int = 300, height: int = 420, colour: str = "#336699") -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    raw = QByteArray()
    buffer = QBuffer(raw)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(raw.data())


def jpeg_bytes() -> bytes:
    image = QImage(200, 260, QImage.Format.Format_RGB32)
    image.fill(QColor("#aa5522"))
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    raw = QByteArray()
    buffer = QBuffer(raw)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG")
    return bytes(raw.data())


def pdf_bytes(pages: int = 2) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595, 842))
    for n in range(pages):
        c.setFont("Helvetica", 48)
        c.drawString(100, 700, f"Page {n + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


@pytest.fixture
def person(store, clerk, registered):
    ident = registered(first_name="مریم", last_name="کریمی", gender="female")
    result = enrol(store, clerk, questionnaire(ident["national_code"]))
    return result.person_id, ident["national_code"]


@pytest.fixture
def scans(tmp_path) -> dict[str, Path]:
    files = {"questionnaire.pdf": pdf_bytes(2), "photo.png": png_bytes(), "marriage.jpg": jpeg_bytes(),
             "notes.txt": b"not a scan at all", "fake.png": b"MZ\x90\x00 a program renamed"}
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def open_screen(qtbot, store, actor, person=None) -> Screen:
    screen = Screen(ViewContext(store, actor))
    qtbot.addWidget(screen)
    screen.resize(1200, 760)
    screen.show()
    if person is not None:
        screen.open_person(person, "مریم کریمی")
        wait_for_operations(qtbot)
    return screen


def reloaded(qtbot, screen: Screen, papers: int) -> None:
    """The dossier reloads from the change channel (a queued signal): wait until it shows."""
    qtbot.waitUntil(lambda: screen.dossier is not None and len(screen.dossier.papers) == papers, timeout=5000)
    wait_for_operations(qtbot)


def add_through_dialog(qtbot, screen: Screen, paths, kinds=None) -> AddPapersDialog:
    screen.add_files([str(p) for p in paths])
    dialog = screen.add_dialog
    assert dialog is not None
    for row, kind in enumerate(kinds or []):
        dialog.set_kind(row, kind)
    dialog.add_all()
    wait_for_operations(qtbot)
    wait_for_operations(qtbot)  # the dossier reloads from the change channel
    return dialog


def test_the_search_box_opens_the_persons_dossier(qtbot, store, clerk, person):
    screen = open_screen(qtbot, store, clerk)
    assert not screen.add_button.isEnabled()
    type_text(screen.picker.query, person[1])
    screen.picker.search_now()
    wait_for_operations(qtbot)
    assert screen.picker.model.rowCount() == 1
    screen.picker.choose_row(0)
    wait_for_operations(qtbot)
    assert screen.person_id == person[0]
    assert "مریم کریمی" in screen.heading.text()
    assert screen.add_button.isEnabled()
    assert "هنوز سندی" in screen.message.text()


def test_several_files_at_once_are_added_and_listed(qtbot, store, clerk, person, scans):
    screen = open_screen(qtbot, store, clerk, person[0])
    dialog = add_through_dialog(qtbot, screen, [scans["questionnaire.pdf"], scans["photo.png"],
                                                 scans["marriage.jpg"]])
    reloaded(qtbot, screen, 3)
    assert dialog.kind_at  # the kinds were guessed from the names
    kinds = sorted(p["paper_kind"] for p in papers_of(store, clerk, person[0]))
    assert kinds == ["marriage_certificate", "photo", "questionnaire"]
    assert screen.add_dialog is None  # all stored: the dialog closed
    assert len(screen.tree.items) == 3
    assert "۳ سند" in screen.message.text()


def test_refused_files_show_the_reason_and_store_nothing(qtbot, store, clerk, person, scans):
    screen = open_screen(qtbot, store, clerk, person[0])
    before = (count_rows(store, "archive_item"), count_rows(store, "archive_blob"), count_rows(store, "outbox"))
    dialog = add_through_dialog(qtbot, screen, [scans["notes.txt"]], kinds=["photo"])
    assert screen.add_dialog is dialog  # still open, the refused file listed with its reason
    assert "PDF" in dialog.refusal_at(0) and "پذیرفته نشد" in dialog.message.text()
    dialog.add_paths([scans["fake.png"]])  # a program renamed .png: its bytes say otherwise
    dialog.set_kind(1, "photo")
    dialog.add_all()
    wait_for_operations(qtbot)
    assert "محتوای فایل" in dialog.refusal_at(1)
    assert (count_rows(store, "archive_item"), count_rows(store, "archive_blob"),
            count_rows(store, "outbox")) == before
    dialog.reject()


def test_a_second_version_keeps_the_first(qtbot, store, clerk, person, scans, tmp_path):
    screen = open_screen(qtbot, store, clerk, person[0])
    add_through_dialog(qtbot, screen, [scans["photo.png"]])
    reloaded(qtbot, screen, 1)
    newer = tmp_path / "photo-2.png"
    newer.write_bytes(png_bytes(colour="#228833"))
    add_through_dialog(qtbot, screen, [newer])
    reloaded(qtbot, screen, 2)
    rows = papers_of(store, clerk, person[0])
    assert [(r["paper_kind"], r["version"]) for r in rows] == [("photo", 1), ("photo", 2)]
    assert len(screen.tree.items) == 1  # one paper, its newest version in the tree
    paper = screen.tree.current_paper()
    assert paper is not None and paper.version == 2
    assert screen.history.rowCount() == 2  # both versions in its history
    assert screen.history.item(1, 0).text() == "۱"
    screen.show_version(1)  # the first version is still there, and opens
    wait_for_operations(qtbot)
    qtbot.waitUntil(lambda: len(screen.viewer.pages) == 1, timeout=5000)
    assert screen.shown_paper is not None and screen.shown_paper.version == 1
    assert "نسخه ۱" in screen.paper_title.text()


def test_files_dropped_on_the_dossier_open_the_add_dialog(qtbot, store, clerk, person, scans):
    screen = open_screen(qtbot, store, clerk, person[0])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(scans["photo.png"])), QUrl.fromLocalFile(str(scans["marriage.jpg"]))])
    viewport = screen.tree.viewport()
    drop = QDropEvent(QPoint(20, 20).toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    screen.tree.dropEvent(drop)
    dialog = screen.add_dialog
    assert dialog is not None and len(dialog.candidates) == 2
    assert dialog.kind_at(0) == "photo" and dialog.kind_at(1) == "marriage_certificate"
    assert "افراد تبعی" in dialog.table.item(1, 2).text() or "تکفل" in dialog.table.item(1, 2).text()
    dialog.add_all()
    wait_for_operations(qtbot)
    wait_for_operations(qtbot)
    assert len(papers_of(store, clerk, person[0])) == 2
    assert viewport is not None


def test_the_viewer_zooms_rotates_and_fits(qtbot):
    viewer = PaperViewer()
    qtbot.addWidget(viewer)
    viewer.resize(600, 500)
    viewer.show()
    viewer.show_paper("image/png", png_bytes(300, 420), "photo.png")
    wait_for_operations(qtbot)
    assert len(viewer.pages) == 1 and viewer.fit
    fitted = viewer.current_scale()
    viewer.zoom_in()
    assert viewer.current_scale() == pytest.approx(fitted * 1.25)
    assert viewer.image.pixmap().width() == round(300 * fitted * 1.25)
    qtbot.keyClick(viewer.area, Qt.Key.Key_Minus)
    assert viewer.current_scale() == pytest.approx(fitted)
    wheel = QWheelEvent(QPointF(50, 50), QPointF(50, 50), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewer.area.viewport(), wheel)  # Ctrl+wheel zooms in
    assert viewer.current_scale() == pytest.approx(fitted * 1.25)
    viewer.zoom_out()
    viewer.rotate()
    assert viewer.rotation == 90
    assert viewer.image.pixmap().width() > viewer.image.pixmap().height()  # portrait turned
    viewer.fit_window()
    assert viewer.fit and viewer.image.pixmap().height() <= viewer.area.viewport().height()


def test_the_viewer_shows_a_pdf_page_by_page(qtbot):
    viewer = PaperViewer()
    qtbot.addWidget(viewer)
    viewer.resize(600, 500)
    viewer.show()
    viewer.show_paper("application/pdf", pdf_bytes(3), "q.pdf")
    wait_for_operations(qtbot)
    assert len(viewer.pages) == 3 and viewer.page == 0
    assert "۱ از ۳" in viewer.page_label.text() and not viewer.previous_button.isEnabled()
    viewer.next_page()
    viewer.next_page()
    assert viewer.page == 2 and not viewer.next_button.isEnabled()
    assert "۳ از ۳" in viewer.page_label.text()


def test_a_paper_that_cannot_be_decoded_says_so(qtbot):
    viewer = PaperViewer()
    qtbot.addWidget(viewer)
    viewer.show_paper("image/png", b"\x89PNG broken", "x.png")
    wait_for_operations(qtbot)
    assert not viewer.pages and "قابل نمایش نیست" in viewer.status.text()


def test_the_person_file_opens_the_archive_on_that_person(qtbot, store, clerk, person):
    from desktop.views.main_window import MainWindow
    from desktop.views.person_file import PersonFileDialog

    ctx = ViewContext(store, clerk)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    dialog = PersonFileDialog(ctx, person[0])
    qtbot.addWidget(dialog)
    wait_for_operations(qtbot)
    dialog.open_archive()
    wait_for_operations(qtbot)
    page = window.current_page()
    assert isinstance(page, Screen) and page.person_id == person[0]
    assert "مریم کریمی" in page.heading.text()
    QApplication.processEvents()


def test_the_checklist_highlights_missing_papers_and_offers_to_add_them(qtbot):
    from desktop.views.archive.checklist import ChecklistPanel
    from desktop.views.archive.source import ShownChecklist, ShownRequirement

    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    panel.show_checklist(ShownChecklist((
        ShownRequirement("questionnaire", "خود شخص", True, "1021-abc"),
        ShownRequirement("photo", "خود شخص", False),
        ShownRequirement("marriage_certificate", "همسر: زهرا کریمی", False))))
    assert [panel.is_highlighted(r) for r in range(3)] == [False, True, True]
    assert panel.table.item(1, 2).text() == "نیست" and panel.first_missing() == "photo"
    assert "۲ سند از ۳" in panel.summary.text()
    asked = []
    panel.add_for.connect(asked.append)
    panel.table.selectRow(2)
    panel.add_button.click()
    assert [need.kind for need in asked] == ["marriage_certificate"]


def test_the_dossier_shows_thumbnails_and_the_checklist_marks_what_is_missing(qtbot, store, clerk, person,
                                                                               scans):
    screen = open_screen(qtbot, store, clerk, person[0])
    missing = [need.kind for need in screen.checklist.missing()]
    assert missing == ["questionnaire", "photo"]  # enrolment asks for both; none archived yet
    assert all(screen.checklist.is_highlighted(r) for r in range(2))
    add_through_dialog(qtbot, screen, [scans["photo.png"], scans["questionnaire.pdf"]])
    reloaded(qtbot, screen, 2)
    qtbot.waitUntil(lambda: all(screen.tree.has_thumbnail(i) for i in screen.tree.items), timeout=10_000)
    assert screen.checklist.missing() == []
    assert not any(screen.checklist.is_highlighted(r) for r in range(screen.checklist.table.rowCount()))


def test_selecting_a_paper_opens_it_in_the_viewer(qtbot, store, clerk, person, scans):
    screen = open_screen(qtbot, store, clerk, person[0])
    add_through_dialog(qtbot, screen, [scans["questionnaire.pdf"]])
    reloaded(qtbot, screen, 1)
    screen.tree.select(next(iter(screen.tree.items)))
    wait_for_operations(qtbot)
    qtbot.waitUntil(lambda: len(screen.viewer.pages) == 2, timeout=10_000)
    assert "پرسشنامه" in screen.paper_title.text() and screen.history.rowCount() == 1


def test_the_dossier_is_exported_as_one_pdf(qtbot, store, clerk, person, scans, tmp_path):
    screen = open_screen(qtbot, store, clerk, person[0])
    add_through_dialog(qtbot, screen, [scans["questionnaire.pdf"], scans["photo.png"]])
    reloaded(qtbot, screen, 2)
    titles = [a.text() for a in screen.export_menu.actions() if a.text()]
    assert titles[0] == "همه پرونده" and any("فصل" in t for t in titles[1:])
    target = tmp_path / "out" / "dossier.pdf"
    target.parent.mkdir()
    screen.choose_export_path = lambda _suggested: str(target)
    screen.export(None)
    wait_for_operations(qtbot)
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert "ذخیره شد" in screen.message.text() and "صفحه" in screen.message.text()
    from desktop.services.pdf_preview import pdf_pages_png

    assert len(pdf_pages_png(data, dpi=20)) >= 4  # cover, 2 questionnaire pages, the photo
    chapter = tmp_path / "out" / "photo-chapter.pdf"
    screen.choose_export_path = lambda _suggested: str(chapter)
    screen.export(screen.dossier.chapters()[0][0])  # one chapter: enrolment (questionnaire, photo)
    wait_for_operations(qtbot)
    assert chapter.read_bytes().startswith(b"%PDF-")
    screen.choose_export_path = lambda _suggested: ""  # cancelled: nothing written, nothing said
    screen.message.setText("")
    screen.export("enrolment")
    assert screen.message.text() == ""


def test_verify_is_for_supervisors_shows_progress_and_can_be_cancelled(qtbot, store, users, person, scans,
                                                                      monkeypatch):
    import threading

    from desktop.services import archive
    from desktop.views.progress import ProgressDialog

    clerk_screen = open_screen(qtbot, store, users["clerk"], person[0])
    assert clerk_screen.verify_button.isHidden()
    add_through_dialog(qtbot, clerk_screen, [scans["photo.png"], scans["questionnaire.pdf"]])
    screen = open_screen(qtbot, store, users["supervisor"])
    assert not screen.verify_button.isHidden()
    screen.verify()
    wait_for_operations(qtbot)
    assert screen.last_verify is not None and screen.last_verify.ok and screen.last_verify.checked == 2
    assert "سالم" in screen.message.text()

    # A long check: the progress dialog's «انصراف» stops it between papers; no result is shown.
    real, started = archive.verify_archive, threading.Event()

    def slow(store_, actor_, progress=None, cancelled=None):
        started.set()
        for _ in range(1000):  # at most 10 s: a test that fails must not hang the suite
            if cancelled():
                break
            threading.Event().wait(0.01)
        return real(store_, actor_, progress, cancelled)

    monkeypatch.setattr(archive, "verify_archive", slow)
    screen.last_verify = None
    screen.verify()
    qtbot.waitUntil(started.is_set, timeout=5000)
    dialog = screen.findChildren(ProgressDialog)[-1]  # the newest (the first check's awaits deletion)
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    dialog.cancel_button.click()
    wait_for_operations(qtbot)
    assert screen.last_verify is None and "متوقف" in screen.message.text()
    assert screen.verify_button.isEnabled()


def test_without_a_scanner_the_screen_says_so(qtbot, store, clerk, person, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sane(name, *args, **kwargs):
        if name == "sane":
            raise ImportError("No module named 'sane'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sane)
    screen = open_screen(qtbot, store, clerk, person[0])
    screen.add_files([])
    dialog = screen.add_dialog
    dialog.scan()
    wait_for_operations(qtbot)
    assert "اسکنری پیدا نشد" in dialog.message.text() and not dialog.candidates
    assert dialog.scan_button.isEnabled()
    dialog.reject()


def test_verify_names_an_altered_and_a_missing_paper(qtbot, store, users, person, scans, monkeypatch):
    from desktop.views import archive_screen

    from ..services.archive_storage import alter_content, remove_content

    clerk_screen = open_screen(qtbot, store, users["clerk"], person[0])
    add_through_dialog(qtbot, clerk_screen, [scans["photo.png"], scans["questionnaire.pdf"]])
    reloaded(qtbot, clerk_screen, 2)
    photo, questionnaire = sorted(clerk_screen.dossier.papers, key=lambda p: p.kind)[:2]
    alter_content(store, photo.sha256)
    remove_content(store, questionnaire.sha256)
    told = []
    monkeypatch.setattr(archive_screen, "inform", lambda _parent, title, text, warning=False: told.append(
        (text, warning)))
    screen = open_screen(qtbot, store, users["supervisor"])
    screen.verify()
    wait_for_operations(qtbot)
    result = screen.last_verify
    assert result is not None and not result.ok
    assert dict(result.bad) == {photo.identifier: "altered", questionnaire.identifier: "missing"}
    assert told and told[0][1] and "تغییر کرده" in told[0][0] and "پیدا نشد" in told[0][0]
    assert photo.identifier in told[0][0].replace("\u2066", "").replace("\u2069", "")
    # The altered paper still opens in the dossier: the viewer says what is wrong, no traceback.
    screen.open_person(person[0], "مریم کریمی")
    wait_for_operations(qtbot)
    screen.tree.select(photo.identifier)
    wait_for_operations(qtbot)
    assert not screen.viewer.pages and "تغییر کرده" in screen.viewer.status.text()


def test_adding_from_the_checklist_files_the_paper_in_the_archive_that_must_hold_it(
        qtbot, store, clerk, registered, person, scans):
    from desktop.views.archive.source import ShownRequirement

    other = enrol(store, clerk, questionnaire(registered(first_name="زهرا", last_name="کریمی")["national_code"]))
    screen = open_screen(qtbot, store, clerk, person[0])
    screen.add_required(ShownRequirement("marriage_certificate", "زهرا کریمی (همسر)", False,
                                         person_id=other.person_id))
    dialog = screen.add_dialog
    assert dialog is not None and dialog.person_id == other.person_id
    assert dialog.default_kind == "marriage_certificate" and "زهرا کریمی" in dialog.windowTitle() + \
        "".join(label.text() for label in dialog.findChildren(type(screen.heading)))
    dialog.add_paths([scans["marriage.jpg"]])
    dialog.add_all()
    wait_for_operations(qtbot)
    assert [p["paper_kind"] for p in papers_of(store, clerk, other.person_id)] == ["marriage_certificate"]
    assert papers_of(store, clerk, person[0]) == []
