"""The CLI's top level: expected failures are bilingual exit codes, the unexpected is exit 1 with
the traceback only in the log; --pdf is checked first and written inside the transaction."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.domain.errors import DomainError
from desktop.services.inquiry import answer_inquiry
from desktop.services.store import open_store
from desktop.services.users import sign_in

from ..factories import identity, questionnaire
from .conftest import ADMIN_PASSWORD, write_json


@pytest.fixture
def enrolled(cli, tmp_path) -> str:
    person = identity()
    cli("registry", "add", "--json", write_json(tmp_path / "r.json", person))
    cli("enrol", "--json", write_json(tmp_path / "q.json", questionnaire(person["national_code"])))
    cli("authority", "add", "--code", "F1", "--name", "صندوق", "--group", "fund")
    return person["national_code"]


def _inquiries(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM inquiry_record").fetchone()[0]


def test_unusable_pdf_targets_are_refused_before_anything_is_recorded(cli, enrolled, tmp_path):
    (tmp_path / "note.txt").write_text("x", encoding="utf-8")
    for target in (tmp_path, tmp_path / "no" / "such.pdf", tmp_path / "note.txt" / "x.pdf",
                   tmp_path / ("n" * 300 + ".pdf")):
        for cmd in (["inquiry", "--authority", "F1", "--national-code", enrolled],
                    ["certificate", "--authority", "F1", "--national-code", enrolled]):
            proc = cli(*cmd, "--pdf", str(target), "--json", check=False)
            assert proc.returncode == 2 and "--pdf" in proc.stderr, proc.stderr
            assert json.loads(proc.stdout)["error"]["field"] == "pdf"
    assert _inquiries(cli.db) == 0
    assert not list(tmp_path.glob(".*.part"))


def test_a_pdf_that_cannot_be_written_rolls_the_inquiry_back(cli, enrolled):
    """`deliver` runs inside the transaction: a failed write (a full disk) records nothing."""
    store = open_store(cli.db)
    try:
        actor = sign_in(store, "admin", ADMIN_PASSWORD)

        def full_disk(answer, requester):
            assert answer.tracking_code and requester is None
            raise DomainError("دیسک پر است.", "No space left on device")

        with pytest.raises(DomainError):
            answer_inquiry(store, actor, "F1", enrolled, deliver=full_disk)
    finally:
        store.close()
    assert _inquiries(cli.db) == 0


def test_the_pdf_appears_only_when_the_answer_is_recorded(cli, enrolled, tmp_path):
    pdf = tmp_path / "out" / "letter.pdf"
    pdf.parent.mkdir()
    answer = cli.json("inquiry", "--authority", "F1", "--national-code", enrolled, "--pdf", str(pdf), "--json")
    assert pdf.read_bytes().startswith(b"%PDF") and answer["state"] == "active"
    assert [p.name for p in pdf.parent.iterdir()] == ["letter.pdf"]  # no temporary file left
    proc = cli("inquiry", "--authority", "NOPE", "--national-code", enrolled, "--pdf", str(tmp_path / "b.pdf"),
               check=False)
    assert proc.returncode == 2 and not (tmp_path / "b.pdf").exists()
    assert _inquiries(cli.db) == 1


def test_an_unexpected_error_is_exit_1_with_the_traceback_only_in_the_log(cli, tmp_path, monkeypatch):
    import desktop.cli.data_commands as data_commands

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(data_commands, "get_person", broken)
    proc = cli("person", "--national-code", "0012345679", "--json", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "خطای پیش‌بینی‌نشده" in proc.stderr and "unexpected error (ZeroDivisionError)" in proc.stderr
    logs = list((tmp_path / "logs").iterdir())
    assert len(logs) == 1 and "ZeroDivisionError: a bug" in logs[0].read_text(encoding="utf-8")
    assert json.loads(proc.stdout)["error"]["log"] == str(logs[0])


@pytest.mark.parametrize("args", [
    ["person", "--national-code", "0012345679\udcff"],
    ["person", "--national-code", "0012345679\x00"],
    ["dependant", "due", "--within", "99999999"],
    ["dependant", "due", "--within", "ده"],
    ["nonsense"],
    [],
])
def test_bad_arguments_are_exit_2_in_persian_then_english(cli, args):
    proc = cli(*args, "--json", check=False)
    assert proc.returncode == 2, proc.stderr
    fa, en = proc.stderr.index("خطا:"), proc.stderr.index("error:")
    assert fa < en
    assert json.loads(proc.stdout)["ok"] is False


@pytest.mark.parametrize("content, field", [
    ({"national_code": "0012345679", "relationship": {"kind": "voluntary", "start": "1402/01/01"},
      "personal": "x"}, "personal"),
    ({"national_code": "0012345679", "relationship": ["x"]}, "relationship"),
    ({"national_code": 12345679, "relationship": {"kind": "voluntary", "start": "1402/01/01"}}, "national_code"),
    ({"national_code": "0012345679", "relationship": {"kind": "voluntary", "start": "2024/01/01"}}, "start"),
    ({"national_code": "0012345679", "relationship": {"kind": "voluntary", "start": "1499/01/01"}}, "start"),
    ({"national_code": "0012345679", "relationship": {"kind": "voluntary", "start": 14020101}}, "start"),
    ({"national_code": "0012345679", "relationship": {"kind": "voluntary", "start": "1402/01/01"},
      "documents_seen": "yes"}, "documents_seen"),
])
def test_wrong_json_shapes_name_the_field(cli, tmp_path, content, field):
    proc = cli("enrol", "--json", write_json(tmp_path / "e.json", content), check=False)
    assert proc.returncode == 2, proc.stderr
    assert json.loads(proc.stdout)["error"]["field"] == field


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b"[" * 5000 + b"]" * 5000, b"1" * 5000, b"{"])
def test_unreadable_json_files_are_exit_2(cli, tmp_path, raw):
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    proc = cli("registry", "add", "--json", str(path), check=False)
    assert proc.returncode == 2 and "bad.json" in proc.stderr
    assert cli("registry", "add", "--json", str(tmp_path), check=False).returncode == 2


@pytest.mark.parametrize("make", ["dir", "text", "long"])
def test_a_store_path_that_is_not_a_store_is_exit_2_and_untouched(cli, tmp_path, make):
    path = {"dir": tmp_path / "d", "text": tmp_path / "t.txt", "long": tmp_path / ("n" * 300)}[make]
    if make == "dir":
        path.mkdir()
    elif make == "text":
        path.write_text("hello\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = cli("person", "--ssn", "1021000014", "--db", str(path), db=False, check=False)
    assert proc.returncode == 2 and "خطا" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if make == "text":
        assert path.read_text(encoding="utf-8") == "hello\n"
