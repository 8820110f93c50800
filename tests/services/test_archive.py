"""The archive's services on a real store: versions, refusals, one copy per content, verify,
the dossier, the checklist and the dossier PDF."""

from __future__ import annotations

import io
import os
import uuid

import pytest
from pypdf import PdfReader

from desktop.db.paper_files import PaperFiles
from desktop.domain.errors import InvalidValue, NotFound, PermissionDenied, Refused
from desktop.models import Person
from desktop.services import archive
from desktop.services.dependants import add_dependant
from desktop.services.enrolment import enrol
from desktop.services.unit import mutation

from ..archive_files import image_bytes, pdf_bytes
from ..conftest import count_rows
from ..factories import questionnaire
from .archive_storage import alter_content, remove_content

TABLES = ("archive_item", "archive_blob", "audit_log", "outbox")


def counts(store) -> dict[str, int]:
    return {t: count_rows(store, t) for t in TABLES}


@pytest.fixture
def person(store, clerk, registered) -> uuid.UUID:
    ident = registered(first_name="مریم", last_name="کریمی", gender="female")
    return enrol(store, clerk, questionnaire(ident["national_code"])).person_id


def test_a_second_version_keeps_the_first(store, clerk, person):
    first = archive.add_paper_result(store, clerk, person, "photo", "photo.png", image_bytes(shade=10))
    second = archive.add_paper_result(store, clerk, person, "photo", "photo2.png", image_bytes(shade=20))
    assert (first.version, second.version) == (1, 2) and first.identifier != second.identifier
    assert first.as_json() == {"identifier": first.identifier, "version": 1, "sha256": first.sha256}
    found = archive.dossier(store, clerk, person)
    [item] = [i for i in found.items() if i.kind == "photo"]
    assert item.identifier == second.identifier and [v.identifier for v in item.previous] == [first.identifier]
    assert [v.version for v in item.versions] == [2, 1]
    assert item.scanned_by == "کاربر clerk" and item.scanned_on.count("/") == 2 and item.size > 0
    assert found.chapter("enrolment").title == "نامنویسی"
    # Both versions' bytes are still there, unchanged.
    assert archive.paper_bytes(store, clerk, first.identifier).data == image_bytes(shade=10)
    assert archive.paper_bytes(store, clerk, second.identifier).data == image_bytes(shade=20)


def test_the_same_file_twice_is_one_copy(store, clerk, person):
    data = pdf_bytes(label="same")
    before = counts(store)
    a = archive.add_paper_result(store, clerk, person, "questionnaire", "q.pdf", data)
    b = archive.add_paper_result(store, clerk, person, "residence_permit", "r.pdf", data)
    after = counts(store)
    assert a.sha256 == b.sha256 and a.new_content and not b.new_content
    assert after["archive_item"] - before["archive_item"] == 2
    assert after["archive_blob"] - before["archive_blob"] == 1


def test_adding_writes_audit_and_outbox_with_the_hash_never_the_bytes(store, clerk, person):
    data = image_bytes("JPEG", shade=77)
    before = counts(store)
    added = archive.add_paper_result(store, clerk, person, "photo", "p.jpg", data)
    after = counts(store)
    assert after["audit_log"] - before["audit_log"] == 1 and after["outbox"] - before["outbox"] == 1
    with store.engine.connect() as conn:
        payload = conn.exec_driver_sql("SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1").scalar_one()
    assert added.sha256 in payload and added.identifier in payload and len(payload) < 2000


@pytest.mark.parametrize(("name", "data", "media", "why"), [
    ("empty.pdf", b"", None, "خالی"),
    ("big.pdf", b"%PDF-" + b"0" * archive.MAX_BYTES, None, "۲۰ مگابایت"),
    ("virus.exe", b"MZ\x90\x00", None, "PDF، JPEG، PNG یا TIFF"),
    ("fake.pdf", image_bytes("PNG"), None, "نمی‌خواند"),
    ("fake.png", pdf_bytes(), None, "نمی‌خواند"),
    ("photo.jpg", image_bytes("PNG"), None, "نمی‌خواند"),
    ("photo.png", b"just text, not an image", None, "نمی‌خواند"),
    ("scan", pdf_bytes(), "image/tiff", "نمی‌خواند"),
    ("scan.tif", image_bytes("TIFF"), "image/png", "PDF، JPEG، PNG یا TIFF"),
])
def test_refused_files_write_nothing(store, clerk, person, name, data, media, why):
    before = counts(store)
    with pytest.raises(InvalidValue) as err:
        archive.add_paper_result(store, clerk, person, "photo", name, data, media)
    assert why in err.value.fa and err.value.en and err.value.field == "file"
    assert counts(store) == before


def test_every_accepted_type_is_taken(store, clerk, person):
    for name, data in (("a.pdf", pdf_bytes()), ("b.jpeg", image_bytes("JPEG")), ("c.png", image_bytes("PNG")),
                       ("d.tiff", image_bytes("TIFF", frames=2))):
        added = archive.add_paper_result(store, clerk, person, "correction_form", name, data)
        assert archive.paper_bytes(store, clerk, added.identifier).data == data


def test_unknown_kind_person_or_place_is_refused(store, clerk, person):
    before = counts(store)
    with pytest.raises(InvalidValue):
        archive.add_paper_result(store, clerk, person, "passport", "a.pdf", pdf_bytes())
    with pytest.raises(NotFound):
        archive.add_paper_result(store, clerk, uuid.uuid4(), "photo", "a.pdf", pdf_bytes())
    with pytest.raises(InvalidValue) as err:
        archive.add_paper_result(store, clerk, person, "photo", "a.pdf", pdf_bytes(), chapter="attic",
                                 section="photo")
    assert err.value.field == "chapter"
    with pytest.raises(InvalidValue):
        archive.add_paper_result(store, clerk, person, "photo", "a.pdf", pdf_bytes(), chapter="enrolment",
                                 section="cellar")
    assert counts(store) == before
    placed = archive.add_paper_result(store, clerk, person, "photo", "a.pdf", pdf_bytes(), chapter="relationships",
                                      section="employment")
    assert (placed.chapter, placed.section) == ("relationships", "employment")


def test_verify_finds_an_altered_and_a_deleted_paper(store, clerk, users, person):
    kept = archive.add_paper_result(store, clerk, person, "questionnaire", "q.pdf", pdf_bytes(label="kept"))
    altered = archive.add_paper_result(store, clerk, person, "photo", "p.png", image_bytes(shade=1))
    gone = archive.add_paper_result(store, clerk, person, "residence_permit", "r.png", image_bytes(shade=2))
    supervisor = users["supervisor"]
    clean = archive.verify_archive(store, supervisor)
    assert clean.ok and clean.checked == 3 and clean.bad == ()
    alter_content(store, altered.sha256)
    remove_content(store, gone.sha256)
    seen: list[tuple[int, int]] = []
    report = archive.verify_archive(store, supervisor, progress=lambda d, t: seen.append((d, t)))
    assert not report.ok and report.checked == 3
    assert {(b.identifier, b.problem) for b in report.bad} == {(altered.identifier, "altered"),
                                                               (gone.identifier, "missing")}
    assert seen and seen[-1] == (3, 3)
    assert report.as_json()["bad"] == sorted(report.as_json()["bad"]) or len(report.as_json()["bad"]) == 2
    with store.engine.connect() as conn:
        detail = conn.exec_driver_sql("SELECT detail FROM audit_log WHERE action = 'archive.verify'"
                                      " ORDER BY seq DESC LIMIT 1").scalar_one()
    assert altered.identifier in detail and gone.identifier in detail
    with pytest.raises(archive.PaperDamaged):
        archive.paper_bytes(store, clerk, altered.identifier)
    assert archive.paper_bytes(store, clerk, kept.identifier).data.startswith(b"%PDF")


def test_verify_is_for_supervisors_and_can_be_cancelled(store, clerk, users, person):
    archive.add_paper_result(store, clerk, person, "photo", "p.png", image_bytes())
    with pytest.raises(PermissionDenied):
        archive.verify_archive(store, clerk)
    report = archive.verify_archive(store, users["supervisor"], cancelled=lambda: True)
    assert report.cancelled and not report.ok and report.checked == 0
    with store.engine.connect() as conn:
        detail = conn.exec_driver_sql("SELECT detail FROM audit_log WHERE action = 'archive.verify'"
                                      " ORDER BY seq DESC LIMIT 1").scalar_one()
    assert '"cancelled": true' in detail


@pytest.fixture
def family(store, clerk, registered):
    """A main insured with a daughter over 18 (needs a commitment form) and a young son."""
    wife = registered(gender="female", first_name="مریم", birth_date="1366/01/01")
    father = registered(first_name="حسن", last_name="احمدی",
                        marriages=[{"spouse_national_code": wife["national_code"], "date": "1388/05/05"}])
    father_id = enrol(store, clerk, questionnaire(father["national_code"])).person_id
    parents = {"father_national_code": father["national_code"], "mother_national_code": wife["national_code"]}
    son = registered(gender="male", first_name="رضا", last_name="احمدی", birth_date="1395/03/03", **parents)
    daughter = registered(gender="female", first_name="سارا", last_name="احمدی", birth_date="1380/02/02", **parents)
    add_dependant(store, clerk, father["national_code"], son["national_code"], "son")
    result = add_dependant(store, clerk, father["national_code"], daughter["national_code"], "daughter",
                           papers=[("commitment_form", "form.pdf", pdf_bytes(label="form"), "application/pdf", {})])
    return father_id, result.person_id


def test_checklist_names_enrolment_and_dependant_papers(store, clerk, family):
    father_id, daughter_id = family
    listed = archive.checklist(store, clerk, father_id)
    by_kinds = {(r.scope, r.kinds): r for r in listed.requirements}
    assert not by_kinds[("enrolment", ("questionnaire",))].met and not by_kinds[("enrolment", ("photo",))].met
    form = by_kinds[(f"dependant:{daughter_id}", ("commitment_form",))]
    assert form.met and form.person_id == daughter_id and "سارا" in form.scope_title
    assert not any(r.scope.startswith("dependant:") and not r.met for r in listed.requirements)
    archive.add_paper_result(store, clerk, father_id, "questionnaire", "q.pdf", pdf_bytes())
    archive.add_paper_result(store, clerk, father_id, "photo", "p.jpg", image_bytes("JPEG"))
    assert archive.checklist(store, clerk, father_id).complete
    # The daughter's own checklist: her link rests on the form; she enrolled as no main insured.
    own = archive.checklist(store, clerk, daughter_id)
    assert [r.kinds for r in own.requirements] == [("commitment_form",)] and own.complete


def test_dossier_shows_dependants_papers_by_dependant(store, clerk, family):
    father_id, daughter_id = family
    found = archive.dossier(store, clerk, father_id)
    chapter = found.chapter("dependants")
    assert chapter is not None
    [section] = chapter.sections
    assert section.code == f"dependant:{daughter_id}" and "سارا" in section.title
    assert [i.kind for i in section.items] == ["commitment_form"]


def test_export_whole_dossier_and_one_chapter(store, clerk, person):
    archive.add_paper_result(store, clerk, person, "questionnaire", "q.pdf", pdf_bytes(pages=3))
    archive.add_paper_result(store, clerk, person, "photo", "p.jpg", image_bytes("JPEG", size=(900, 600)))
    archive.add_paper_result(store, clerk, person, "residence_permit", "r.tif", image_bytes("TIFF", frames=2))
    whole = archive.export_dossier_pdf(store, clerk, person)
    reader = PdfReader(io.BytesIO(whole.data))
    assert whole.pages == len(reader.pages) == 1 + 3 + 1 + 2
    cover = reader.pages[0].extract_text()
    assert "SHA-256" in cover and all(p in cover for p in whole.papers)
    one = archive.export_dossier_pdf(store, clerk, person, "identity")
    assert one.pages == 1 + 2 and len(one.papers) == 1
    with pytest.raises(InvalidValue):
        archive.export_dossier_pdf(store, clerk, person, "attic")


def test_thumbnails_are_made_once_and_cached(store, clerk, person):
    png = archive.add_paper_result(store, clerk, person, "photo", "p.png", image_bytes(size=(1200, 1700)))
    pdf = archive.add_paper_result(store, clerk, person, "questionnaire", "q.pdf", pdf_bytes())
    thumb = archive.thumbnail(store, clerk, png.sha256, png.media_type)
    assert thumb is not None and thumb.startswith(b"\x89PNG")
    from PIL import Image

    assert max(Image.open(io.BytesIO(thumb)).size) == archive.THUMB_SIDE
    assert archive.thumbnail(store, clerk, png.sha256, png.media_type) == thumb
    assert archive.thumbnail(store, clerk, pdf.sha256, pdf.media_type).startswith(b"\x89PNG")


def archived_files(store) -> list[str]:
    root = PaperFiles.beside(store.path).root
    return sorted(p.name for p in root.rglob("*") if p.is_file() and "thumbs" not in p.parts)


def test_bytes_live_in_read_only_files_beside_the_store_one_per_content(store, clerk, person):
    data = image_bytes("JPEG", shade=5)
    a = archive.add_paper_result(store, clerk, person, "photo", "a.jpg", data)
    archive.add_paper_result(store, clerk, person, "photo", "b.jpg", data)
    path = PaperFiles.beside(store.path).path_for(a.sha256)
    assert path == store.path.parent / f"{store.path.name}.archive" / a.sha256[:2] / a.sha256[2:4] / a.sha256
    assert path.read_bytes() == data and not os.access(path, os.W_OK) or os.geteuid() == 0
    assert archived_files(store) == [a.sha256]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_rolled_back_transaction_leaves_no_file(store, clerk, person):
    with pytest.raises(RuntimeError), mutation(store, clerk, "archive.add") as unit:
        archive.store_paper(unit, person, "photo", "p.png", image_bytes(shade=99), "image/png")
        assert len(archived_files(store)) == 1  # written (durably) before the commit would name it
        raise RuntimeError("something later in the use case failed")
    assert archived_files(store) == [] and count_rows(store, "archive_item") == 0


def test_a_refused_dependant_leaves_no_file(store, clerk, family):
    """The rules refuse after the papers were checked: nothing is stored, on disk either."""
    before = archived_files(store)
    with store.sessions() as s:
        father_code = s.get(Person, family[0]).national_code
    with pytest.raises(Refused):
        add_dependant(store, clerk, father_code, father_code, "son",
                      papers=[("university_enrolment", "u.pdf", pdf_bytes(label="u"), "application/pdf", {})])
    assert archived_files(store) == before


def test_the_folder_copies_incrementally_for_a_backup(store, clerk, person, tmp_path):
    archive.add_paper_result(store, clerk, person, "photo", "p.png", image_bytes(shade=31))
    archive.add_paper_result(store, clerk, person, "questionnaire", "q.pdf", pdf_bytes())
    archive.thumbnail(store, clerk, archive.dossier(store, clerk, person).chapters[0].sections[0].items[0].sha256,
                      "image/png")
    files = PaperFiles.beside(store.path)
    target = tmp_path / "backup.archive"
    assert files.copy_to(target)[0] == 2
    assert files.copy_to(target) == (0, 0)  # nothing new: nothing copied
    archive.add_paper_result(store, clerk, person, "work_permit", "w.png", image_bytes(shade=32))
    copied, size = files.copy_to(target)
    assert copied == 1 and size == len(image_bytes(shade=32))
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == archived_files(store)


def test_an_unreadable_paper_gets_a_page_saying_so(store, clerk, person):
    """Magic bytes right, body broken: the gate takes it (it checks type, not every byte); the
    export says so on that paper's page instead of failing the whole dossier."""
    archive.add_paper_result(store, clerk, person, "questionnaire", "q.pdf", b"%PDF-1.4\n garbage, no objects")
    archive.add_paper_result(store, clerk, person, "photo", "p.jpg", b"\xff\xd8\xff\xe0 not really a jpeg")
    made = archive.export_dossier_pdf(store, clerk, person)
    reader = PdfReader(io.BytesIO(made.data))
    assert made.pages == len(reader.pages) == 3
    texts = [page.extract_text() for page in reader.pages[1:]]
    assert all("خوانده" in "".join(t.split()) for t in texts), texts  # «… خوانده نشد …» on each
