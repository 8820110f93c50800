"""The small branch store the generated bad-input test copies for every case, and how it compares
a store, its registry and a folder before and after a command."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from desktop.models import utcnow
from desktop.services.store import open_store
from desktop.services.users import create_user, deactivate_user, sign_in

from ..factories import identity, questionnaire
from .conftest import run_cli, write_json

# Passwords and passcodes are hashed with the suite's cheap argon2 parameters (tests/conftest.py):
# verification runs the real code path (argon2 reads the parameters from the hash) in ~1 ms.
USERS = {  # username → (role, password); "admin" comes from init
    "admin": ("admin", "admin-pass-1"),
    "super": ("supervisor", "super-pass-1"),
    "clerk": ("clerk", "clerk-pass-1"),
    "letters": ("letter_staff", "letters-pass-1"),
    "locked": ("clerk", "locked-pass-1"),
    "gone": ("clerk", "gone-pass-1"),
}
DB_NAME = "branch.sqlite"
REGISTRY_NAME = "branch.registry.sqlite"
ARCHIVE_NAME = "branch.sqlite.archive"  # the scanned papers' folder beside the store


@dataclass(frozen=True)
class Template:
    folder: Path
    main: str  # enrolled main insured (mandatory at WORKSHOP), married to `wife`
    wife: str  # in the registry, not enrolled
    son: str  # enrolled as main's dependant (link id `son_link`)
    daughter: str  # grown daughter in the registry (needs a commitment form)
    other: str  # enrolled, voluntary, ended
    stranger: str  # in the registry only
    ssn: str
    son_link: str
    tracking: str
    passcode: str
    workshop: str = "1234567890"
    free_workshop: str = "1234567891"
    line: str = ""  # a monthly document line of `main` with no request on it
    request: str = ""  # an open correction request (by clerk) on another of main's lines
    paper: str = ""  # an archived paper's identifier (the main insured's questionnaire)
    backup: bytes = b""  # a backup of the store made by `backup` (for `restore` cases)


def build_template() -> Template:
    folder = Path(tempfile.mkdtemp(prefix="bd-fuzz-template-"))
    db = folder / DB_NAME
    pw = folder / "admin.pw"
    pw.write_text(USERS["admin"][1], encoding="utf-8")
    os.environ["BRANCH_DESK_PASSWORD"] = USERS["admin"][1]
    try:
        return _fill(folder, db, pw)
    finally:
        os.environ.pop("BRANCH_DESK_PASSWORD", None)
        pw.unlink()


def _ok(*argv: str) -> str:
    result = run_cli(list(argv))
    assert result.returncode == 0, (argv, result.stderr)
    return result.stdout


def _fill(folder: Path, db: Path, pw: Path) -> Template:
    import json

    _ok("init", "--db", str(db), "--branch", "1021", "--admin-password-file", str(pw))
    main = identity(first_name="حسن", last_name="کریمی")
    wife = identity(first_name="زهرا", gender="female")
    main["marriages"] = [{"spouse_national_code": wife["national_code"], "date": "1390/05/01"}]
    son = identity(first_name="رضا", birth_date="1395/03/03", father_national_code=main["national_code"])
    daughter = identity(first_name="سارا", gender="female", birth_date="1370/02/02",
                        father_national_code=main["national_code"])
    other, stranger = identity(first_name="مریم", gender="female"), identity(first_name="نادر")
    tmp = Path(tempfile.mkdtemp())
    d = ["--db", str(db)]
    _ok("registry", "add", *d, "--json", write_json(tmp / "r.json", [main, wife, son, daughter, other, stranger]))
    _ok("workshop", "add", *d, "--json", write_json(tmp / "w.json", {"code": "1234567890", "name": "کارگاه نمونه",
                                                                      "address": "تهران"}))
    _ok("authority", "add", *d, "--code", "F1", "--name", "صندوق بازنشستگی", "--group", "fund")
    _ok("authority", "add", *d, "--code", "J1", "--name", "دادگستری تهران", "--group", "judicial")
    ssn = json.loads(_ok("enrol", *d, "--json", write_json(tmp / "q.json", questionnaire(
        main["national_code"], relationship={"kind": "mandatory", "start": "1400/01/01",
                                             "workshop_code": "1234567890"}))))["ssn"]
    _ok("enrol", *d, "--json", write_json(tmp / "q2.json", questionnaire(
        other["national_code"], relationship={"kind": "voluntary", "start": "1398/01/01", "end": "1399/12/29"})))
    link = json.loads(_ok("dependant", "add", *d, "--main", main["national_code"], "--national-code",
                          son["national_code"], "--relation", "son", "--date", "1403/01/01", "--json"))
    cert = json.loads(_ok("certificate", *d, "--national-code", main["national_code"], "--authority", "J1", "--json"))
    (tmp / "q.pdf").write_bytes(b"%PDF-1.4 questionnaire scan")
    paper = json.loads(_ok("archive", "add", *d, "--national-code", main["national_code"], "--kind",
                           "questionnaire", "--file", str(tmp / "q.pdf"), "--json"))["identifier"]
    shutil.rmtree(tmp)
    _users(db)
    line, request = _correction(db, main["national_code"])
    backup = tmp.with_name(tmp.name + "-backup.tar")
    _ok("backup", *d, "--out", str(backup))
    backup_bytes = backup.read_bytes()
    backup.unlink()
    return Template(folder, main["national_code"], wife["national_code"], son["national_code"],
                    daughter["national_code"], other["national_code"], stranger["national_code"], ssn,
                    link["relationship_id"], cert["tracking_code"], cert["passcode"], line=line, request=request,
                    paper=paper, backup=backup_bytes)


def _correction(db: Path, national_code: str) -> tuple[str, str]:
    """Two monthly lines of the main insured, and an open correction request on the second."""
    from desktop.services.corrections import request_correction
    from desktop.services.records import enrolled_person

    from ..services.correction_kit import add_monthly_lines

    store = open_store(db)
    try:
        with store.sessions() as session:
            pid = enrolled_person(session, national_code=national_code).id
        free, asked = add_monthly_lines(store, pid, "1234567890", [(1403, 1, 31, 100_000_000),
                                                                   (1403, 2, 31, 100_000_000)])
        filed = request_correction(store, sign_in(store, "clerk", USERS["clerk"][1]), asked, {"days": 20}, "دلیل")
    finally:
        store.close()
    return free.hex, filed.id.hex


def _users(db: Path) -> None:
    store = open_store(db)
    try:
        admin = sign_in(store, "admin", USERS["admin"][1])
        for name, (role, password) in USERS.items():
            if name != "admin":
                create_user(store, admin, name, f"کاربر {name}", role, password)
        deactivate_user(store, admin, "gone")
    finally:
        store.close()
    with sqlite3.connect(db) as conn:
        locked_until = (utcnow() + dt.timedelta(days=3650)).isoformat(sep=" ")
        conn.execute("UPDATE app_user SET locked_until = ? WHERE username = 'locked'", (locked_until,))
    conn.close()


def tables(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows (sorted), read without touching the file (immutable: no -wal/-shm made)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}
    finally:
        conn.close()


def file_sha(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def folder_state(folder: Path, skip: set[str]) -> dict[str, str]:
    """Every entry under the folder: a file's sha256, or 'dir'; `skip` names are compared as tables."""
    out: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            out[os.path.relpath(os.path.join(root, name), folder)] = "dir"
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), folder)
            if rel in skip:
                out[rel] = "store"
                continue
            try:
                out[rel] = hashlib.sha256(Path(root, name).read_bytes()).hexdigest()
            except OSError:
                out[rel] = "unreadable"
    return out
