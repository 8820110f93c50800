"""Revision 0007: a store whose papers are SQLite blobs (revision 0004) upgrades to files beside it."""

from __future__ import annotations

import shutil
import sqlite3

from alembic import command

from desktop.db.migrate import alembic_config, current_revision, head_revision
from desktop.db.paper_files import PaperFiles, archive_dir_for
from desktop.services import archive
from desktop.services.admin import init_store
from desktop.services.enrolment import enrol
from desktop.services.reference import add_registry_identities
from desktop.services.store import open_store
from desktop.services.users import find_actor

from ..archive_files import image_bytes, pdf_bytes
from ..factories import identity, questionnaire

PW = "admin1234"


def _old_store_with_papers(path) -> dict[str, bytes]:
    """A store at revision 0004 holding three papers (two share their bytes) as blobs."""
    store = init_store(path, "1021", admin_password=PW)
    admin = find_actor(store, "admin")
    person = identity()
    add_registry_identities(store, admin, person)
    pid = enrol(store, admin, questionnaire(person["national_code"])).person_id
    papers = {}
    shared = pdf_bytes(label="old")  # ReportLab stamps the time: one PDF, stored twice
    for kind, name, data in (("questionnaire", "q.pdf", shared), ("photo", "p.png", image_bytes(shade=3)),
                             ("residence_permit", "r.pdf", shared)):
        papers[archive.add_paper_result(store, admin, pid, kind, name, data).identifier] = data
    command.downgrade(alembic_config(store.engine), "0004")
    store.close()
    shutil.rmtree(archive_dir_for(path))  # an old store never had the folder
    return papers


def test_a_0004_store_with_blobs_upgrades_to_files(tmp_path):
    path = tmp_path / "old.sqlite"
    papers = _old_store_with_papers(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*), SUM(LENGTH(data)) FROM archive_blob").fetchone()[0] == 2
    conn.close()
    store = open_store(path)  # upgrades to head
    try:
        assert current_revision(store.engine) == head_revision()
        admin = find_actor(store, "admin")
        for identifier, data in papers.items():
            assert archive.paper_bytes(store, admin, identifier).data == data
        files = [p for p in archive_dir_for(path).rglob("*") if p.is_file()]
        assert len(files) == 2
        report = archive.verify_archive(store, admin)
        assert report.ok and report.checked == 3
        with store.engine.connect() as c:
            columns = [r[1] for r in c.exec_driver_sql("PRAGMA table_info(archive_blob)")]
            sizes = sorted(r[0] for r in c.exec_driver_sql("SELECT size FROM archive_blob"))
        assert columns == ["sha256", "size"] and sizes == sorted({len(d) for d in papers.values()})
    finally:
        store.close()
    assert not list(tmp_path.glob("*.upgrade-backup"))


def test_a_blob_already_damaged_stays_visible_after_the_upgrade(tmp_path):
    path = tmp_path / "old.sqlite"
    papers = _old_store_with_papers(path)
    conn = sqlite3.connect(path)
    digest = conn.execute("SELECT sha256 FROM archive_blob ORDER BY sha256 LIMIT 1").fetchone()[0]
    with conn:
        conn.execute("UPDATE archive_blob SET data = CAST('tampered' AS BLOB) WHERE sha256 = ?", (digest,))
    conn.close()
    store = open_store(path)
    try:
        report = archive.verify_archive(store, find_actor(store, "admin"))
        assert not report.ok and {b.sha256 for b in report.bad} == {digest}
        assert PaperFiles.beside(path).path_for(digest).read_bytes() == b"tampered"
        assert len(papers) == 3
    finally:
        store.close()
