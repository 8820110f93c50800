"""`branch-desk archive …` as CLI.md has it: add, list, get, verify — and checklist, export."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from pypdf import PdfReader

from desktop.db.paper_files import PaperFiles

from ..archive_files import image_bytes, pdf_bytes
from ..factories import identity, questionnaire
from .conftest import write_json


def enrolled(cli, tmp_path: Path) -> tuple[str, str]:
    person = identity(first_name="مریم", last_name="کریمی", gender="female")
    cli("registry", "add", "--json", write_json(tmp_path / "ids.json", [person]))
    ssn = cli.json("enrol", "--json", write_json(tmp_path / "q.json", questionnaire(person["national_code"])))["ssn"]
    return person["national_code"], ssn


def scan(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_add_list_get_and_a_second_version(cli, tmp_path):
    code, ssn = enrolled(cli, tmp_path)
    first = cli.json("archive", "add", "--national-code", code, "--kind", "photo",
                     "--file", scan(tmp_path, "p1.png", image_bytes(shade=1)), "--json")
    assert set(first) == {"identifier", "version", "sha256"} and first["version"] == 1
    persian_ssn = ssn.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    second = cli.json("archive", "add", "--ssn", persian_ssn, "--kind", "photo",
                      "--file", scan(tmp_path, "p2.jpg", image_bytes("JPEG", shade=2)), "--json")
    assert second["version"] == 2 and second["identifier"] != first["identifier"]
    listed = cli.json("archive", "list", "--national-code", code, "--json")
    assert [(p["identifier"], p["version"]) for p in listed] == [(first["identifier"], 1), (second["identifier"], 2)]
    keys = {"identifier", "kind", "chapter", "section", "version", "sha256", "size", "scanned_by", "scanned_at"}
    assert keys <= set(listed[0]) and listed[0]["chapter"] == "enrolment" and listed[0]["scanned_by"] == "admin"
    assert listed[0]["scanned_at"].count("/") == 2 and listed[0]["scanned_at"][:2] in ("13", "14")
    out = tmp_path / "back.png"
    got = cli.json("archive", "get", "--identifier", first["identifier"], "--out", str(out), "--json")
    assert out.read_bytes() == image_bytes(shade=1) and got["sha256"] == first["sha256"]


def test_chapter_and_section_may_be_given(cli, tmp_path):
    code, _ = enrolled(cli, tmp_path)
    added = cli.json("archive", "add", "--national-code", code, "--kind", "correction_form", "--chapter",
                     "relationships", "--section", "employment", "--file", scan(tmp_path, "c.pdf", pdf_bytes()),
                     "--json")
    [row] = cli.json("archive", "list", "--national-code", code, "--json")
    assert (row["identifier"], row["chapter"], row["section"]) == (added["identifier"], "relationships", "employment")
    alone = cli("archive", "add", "--national-code", code, "--kind", "photo", "--chapter", "identity",
                "--file", scan(tmp_path, "x.pdf", pdf_bytes()), "--json", check=False)
    assert alone.returncode == 2 and "--section" in alone.stderr


def test_refused_files_exit_2_and_write_nothing(cli, tmp_path):
    code, _ = enrolled(cli, tmp_path)
    folder = PaperFiles.beside(cli.db).root
    cases = [("renamed.pdf", image_bytes()), ("empty.png", b""), ("tool.exe", b"MZ\x90\x00"),
             ("big.tif", b"II*\x00" + bytes(20 * 1024 * 1024))]
    for name, data in cases:
        proc = cli("archive", "add", "--national-code", code, "--kind", "photo",
                   "--file", scan(tmp_path, name, data), "--json", check=False)
        assert proc.returncode == 2, name
        assert json.loads(proc.stdout)["error"]["field"] == "file"
        fa, en = proc.stderr.split("\n")[:2]
        assert fa.startswith("خطا:") and en.startswith("error:")
    missing = cli("archive", "add", "--national-code", code, "--kind", "photo", "--file", str(tmp_path / "nope.pdf"),
                  check=False)
    assert missing.returncode == 2 and "پیدا نشد" in missing.stderr
    assert cli.json("archive", "list", "--national-code", code, "--json") == []
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_verify_lists_an_altered_and_a_deleted_paper_and_exits_3(cli, tmp_path):
    code, _ = enrolled(cli, tmp_path)
    ids = {}
    for kind, name, data in (("questionnaire", "q.pdf", pdf_bytes(label="q")), ("photo", "p.png", image_bytes(shade=7)),
                             ("residence_permit", "r.png", image_bytes(shade=8))):
        ids[kind] = cli.json("archive", "add", "--national-code", code, "--kind", kind,
                             "--file", scan(tmp_path, name, data), "--json")
    clean = cli.json("archive", "verify", "--json")
    assert clean["ok"] is True and clean["bad"] == [] and clean["checked"] == 3
    files = PaperFiles.beside(cli.db)
    altered = files.path_for(ids["photo"]["sha256"])
    os.chmod(altered, stat.S_IRUSR | stat.S_IWUSR)
    altered.write_bytes(altered.read_bytes()[:-1] + b"\x00")
    files.path_for(ids["residence_permit"]["sha256"]).unlink()
    proc = cli("archive", "verify", "--json", check=False)
    assert proc.returncode == 3
    report = json.loads(proc.stdout)
    assert report["ok"] is False and report["checked"] == 3
    assert sorted(report["bad"]) == sorted([ids["photo"]["identifier"], ids["residence_permit"]["identifier"]])
    text = cli("archive", "verify", check=False)
    assert "تغییر کرده" in text.stdout and "پیدا نشد" in text.stdout
    got = cli("archive", "get", "--identifier", ids["photo"]["identifier"], "--out", str(tmp_path / "x.png"),
              check=False)
    assert got.returncode == 3 and not (tmp_path / "x.png").exists()


def test_export_whole_dossier_and_a_chapter(cli, tmp_path):
    code, _ = enrolled(cli, tmp_path)
    cli("archive", "add", "--national-code", code, "--kind", "questionnaire",
        "--file", scan(tmp_path, "q.pdf", pdf_bytes(pages=2)))
    cli("archive", "add", "--national-code", code, "--kind", "work_permit",
        "--file", scan(tmp_path, "w.jpg", image_bytes("JPEG")))
    out = tmp_path / "dossier.pdf"
    made = cli.json("archive", "export", "--national-code", code, "--out", str(out), "--json")
    assert made["pages"] == 1 + 2 + 1 == len(PdfReader(out).pages) and len(made["papers"]) == 2
    one = cli.json("archive", "export", "--national-code", code, "--chapter", "identity", "--out", str(out),
                   "--json")
    assert one["pages"] == 2
    bad = cli("archive", "export", "--national-code", code, "--out", str(tmp_path), "--json", check=False)
    assert bad.returncode == 2


def test_checklist(cli, tmp_path):
    code, _ = enrolled(cli, tmp_path)
    listed = cli.json("archive", "checklist", "--national-code", code, "--json")
    assert listed["complete"] is False and {tuple(r["kinds"]) for r in listed["requirements"]} == {
        ("questionnaire",), ("photo",)}
