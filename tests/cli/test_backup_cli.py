"""`backup` and `restore` without headquarters: one verified file, administrators only, and a
refused restore leaves the store and its folder byte for byte as they were."""

from __future__ import annotations

import json
import shutil
import tarfile
import threading
from pathlib import Path

from sqlalchemy import select

from desktop.models import StoreSetting
from desktop.services.store import open_store
from desktop.services.users import create_user, sign_in

from .conftest import ADMIN_PASSWORD, Cli, run_cli
from .fuzz_support import file_sha, folder_state


def _state(folder: Path) -> dict[str, str]:
    return folder_state(folder, set())


def test_backup_of_a_store_being_written_is_consistent_and_restores(cli: Cli, tmp_path: Path):
    papers = cli.db.with_name(cli.db.name + ".archive") / "ab"  # papers moved out of SQLite
    papers.mkdir(parents=True)
    (papers / "paper.pdf").write_bytes(b"%PDF-1.4 a paper")
    store = open_store(cli.db)  # the application has the store open and keeps writing
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            with store.sessions() as s, s.begin():
                s.merge(StoreSetting(key="busy", value=str(n)))
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        out = tmp_path / "out" / "b.tar"
        out.parent.mkdir()
        made = cli.json("backup", "--out", str(out), "--json")
    finally:
        stop.set()
        writer.join()
        store.close()
    assert made["bytes"] == out.stat().st_size and made["branch"] == "1021"
    with tarfile.open(out) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = tar.getnames()
    assert manifest["format"] == "branch-desk-backup" and manifest["branch"] == "1021"
    assert {f["name"] for f in manifest["files"]} == {"store.sqlite", "registry.sqlite",
                                                      "archive/ab/paper.pdf"} <= set(names)
    assert sorted(p.name for p in out.parent.iterdir()) == ["b.tar"]  # no temporary left

    elsewhere = tmp_path / "new" / "branch.sqlite"
    elsewhere.parent.mkdir()
    restored = json.loads(run_cli(["restore", "--db", str(elsewhere), "--from", str(out), "--json"]).stdout)
    assert restored["previous"] is None and restored["branch"] == "1021"
    copy = open_store(elsewhere)
    try:
        with copy.sessions() as s:
            assert s.scalar(select(StoreSetting.value).where(StoreSetting.key == "recovery_pending"))
        sign_in(copy, "admin", ADMIN_PASSWORD)
    finally:
        copy.close()
    assert (elsewhere.parent / "branch.registry.sqlite").is_file()
    assert (elsewhere.parent / "branch.sqlite.archive" / "ab" / "paper.pdf").read_bytes() == b"%PDF-1.4 a paper"


def test_a_refused_restore_writes_nothing(cli: Cli, tmp_path: Path):
    backup = tmp_path / "b.tar"
    cli("backup", "--out", str(backup))
    store = open_store(cli.db)
    try:
        create_user(store, sign_in(store, "admin", ADMIN_PASSWORD), "clerk1", "کارمند", "clerk", "clerk-pass-1")
    finally:
        store.close()
    # Another branch's backup.
    other = tmp_path / "other"
    other.mkdir()
    (other / "pw").write_text(ADMIN_PASSWORD, encoding="utf-8")
    Cli(other / "o.sqlite")("init", "--branch", "1099", "--admin-password-file", str(other / "pw"))
    Cli(other / "o.sqlite")("backup", "--out", str(tmp_path / "other.tar"))
    shutil.rmtree(other)
    tampered = tmp_path / "t.tar"
    data = backup.read_bytes()
    middle = len(data) // 2
    tampered.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1:])

    clerk_pw = _pw(tmp_path, "clerk-pass-1")
    before, sha = _state(tmp_path), file_sha(cli.db)
    cases = [(["--from", str(tmp_path / "other.tar")], 3, "1099"),
             (["--from", str(tampered)], 2, "sha256"),
             (["--from", str(tmp_path / "nothing.tar")], 2, "no such file"),
             (["--from", str(tmp_path)], 2, "no such file"),
             (["--from", str(backup), "--user", "clerk1", "--password-file", str(clerk_pw)], 4,
              "may not")]
    for args, code, why in cases:
        result = cli("restore", *args, "--json", check=False)
        assert result.returncode == code, (args, result.stderr)
        assert why in result.stderr and "خطا" in result.stderr and "Traceback" not in result.stderr
        assert json.loads(result.stdout)["ok"] is False
        assert file_sha(cli.db) == sha
        after = _state(tmp_path)
        assert {k for k in after if after[k] != before.get(k)} <= {"logs"}, args
    wrong = cli("restore", "--from", str(backup), "--user", "nobody", check=False)
    assert wrong.returncode == 4 and "wrong" in wrong.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".restore-", "branch.sqlite.before"))]


def test_only_an_administrator_may_back_up(cli: Cli, tmp_path: Path):
    store = open_store(cli.db)
    try:
        create_user(store, sign_in(store, "admin", ADMIN_PASSWORD), "sup", "سرپرست", "supervisor", "super-pass-1")
    finally:
        store.close()
    result = cli("backup", "--out", str(tmp_path / "b.tar"), "--user", "sup", "--password-file",
                 str(_pw(tmp_path, "super-pass-1")), "--json", check=False)
    assert result.returncode == 4 and "store.backup" in result.stderr
    assert not (tmp_path / "b.tar").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".backup-")]


def _pw(folder: Path, password: str) -> Path:
    path = folder / f"{password}.pw"
    path.write_text(password, encoding="utf-8")
    return path


def test_restore_is_refused_while_the_application_has_the_store_open(cli: Cli, tmp_path: Path):
    """Replacing the file under a running application would leave it writing into a store that is
    no longer there: the application marks its store in use, and restore refuses, changing
    nothing; once the application has gone the same restore goes through."""
    import subprocess
    import sys

    out = tmp_path / "b.tar"
    cli.json("backup", "--out", str(out), "--json")
    holder = subprocess.Popen(  # a separate process, as the application is
        [sys.executable, "-c", "import sys; from desktop.services.store import open_store; "
         "open_store(sys.argv[1], for_application=True); print('open', flush=True); sys.stdin.read()",
         str(cli.db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        before = _state(cli.db.parent)
        refused = cli("restore", "--from", str(out), "--json", check=False)
        assert refused.returncode != 0 and "Traceback" not in refused.stderr
        assert "open in the application" in refused.stderr and "برنامه باز است" in refused.stderr
        assert _state(cli.db.parent) == before
    finally:
        holder.communicate("")
    assert cli.json("restore", "--from", str(out), "--json")["branch"] == "1021"


def test_the_application_does_not_open_a_store_while_it_is_being_restored(cli: Cli):
    import pytest

    from desktop.domain.errors import Conflict
    from desktop.services.store_use import not_in_use

    with not_in_use(cli.db), pytest.raises(Conflict) as refused:
        open_store(cli.db, for_application=True)
    assert "بازگردانی" in refused.value.fa and "being restored" in refused.value.en
    open_store(cli.db, for_application=True).close()  # and does once the restore is over
