"""The REAL application under Xvfb, signed in with the demo credentials: screenshots for the README.

The demo store is joined to a real headquarters (`hq serve` on localhost, real PostgreSQL) as
scripts/run-demo.sh joins it, so the status bar shows the sync state; the sync screen is shot
with HQ up, with HQ down, and with a row HQ refused plus a conflict, seen by a supervisor."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from sqlalchemy import select, text

from ..support.hq_server import HqServer, add_branch

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"

pytestmark = [pytest.mark.xvfb,
              pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is not installed")]


def _demo_store(path: Path) -> None:
    """A small demo store, made as an operator would: `demo` on a new path makes a demo branch
    store whose users are the documented demo users (admin/admin1234 …). The command runs in this
    process (the application under test is the subprocess below)."""
    from desktop.cli.main import run

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = run(["demo", "--db", str(path), "--persons", "200", "--branch", "1021"])
    assert code == 0, err.getvalue()


def _cli(*argv: str) -> int:
    from desktop.cli.main import run

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return run(list(argv))


def _joined_demo_store(tmp_path: Path, hq: HqServer) -> Path:
    """The demo store joined to headquarters the way scripts/run-demo.sh joins it (`hq branch
    add`, then `sync --hq URL --token T` on the store), with its first round done."""
    db = tmp_path / "demo.sqlite"
    _demo_store(db)
    token = add_branch(hq.dsn, "1021")
    assert _cli("sync", "--db", str(db), "--hq", hq.url, "--token", token) == 0
    return db


def _shoot(tmp_path: Path, db: Path, login: str, *screens: str) -> Path:
    """Run the real application under Xvfb, signed in as `login`; the folder of its PNGs."""
    out = tmp_path / f"shots-{len(list(tmp_path.glob('shots-*')))}"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "BRANCH_DESK_CONFIG_DIR": str(tmp_path / "cfg")}
    driver = [sys.executable, "-m", "tests.support.app_driver", "--screenshots", str(out),
              "--login", login, "--screens", ",".join(screens)]
    result = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1440x900x24", *driver, "--db", str(db)],
                            env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out


def _keep(source: Path, name: str) -> None:
    image = QImage(str(source))
    assert image.width() > 300 and image.height() > 150
    if os.environ.get("BRANCH_DESK_UPDATE_SCREENSHOTS") == "1":  # refresh the README's pictures
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, SHOTS / name)


def test_real_application_screenshots(tmp_path, hq_server: HqServer):
    db = _joined_demo_store(tmp_path, hq_server)
    out = _shoot(tmp_path, db, "admin:admin1234")
    names = sorted(p.name for p in out.glob("*.png"))
    assert "sign-in.png" in names and "main-admin.png" in names and "main-search.png" in names
    assert "main-sync.png" in names
    for name in names:
        _keep(out / name, name)


def _enrol_walk_ins(db: Path, count: int) -> list[str]:
    """People enrolled at the counter since the last round: changes waiting for headquarters."""
    from desktop.services.enrolment import enrol
    from desktop.services.reference import add_registry_identities
    from desktop.services.store import open_store
    from desktop.services.users import find_actor

    from ..factories import identity, questionnaire

    store = open_store(db)
    codes = []
    try:
        admin = find_actor(store, "admin")
        for _ in range(count):
            person = identity()
            add_registry_identities(store, admin, person)
            enrol(store, admin, questionnaire(person["national_code"]))
            codes.append(str(person["national_code"]))
    finally:
        store.close()
    return codes


def _refused_inquiry_and_conflict(db: Path, tmp_path: Path, hq: HqServer, national_code: str) -> None:
    """An inquiry record whose pushed payload lost its hash (HQ refuses it: the quarantine list)
    and a person this branch enrolled (and pushed) enrolled at branch 1022 too (HQ's conflict,
    pulled by 1021). The demo's own people are not in the outbox: `demo` fills a store in bulk."""
    from desktop.models import Authority
    from desktop.services.inquiry import answer_inquiry
    from desktop.services.store import open_store
    from desktop.services.users import find_actor

    from ..sync.kit import enrol_new, join

    store = open_store(db)
    try:
        admin = find_actor(store, "admin")
        with store.sessions() as s:
            authority = s.scalars(select(Authority.code).order_by(Authority.code)).first()
        assert authority
        answer_inquiry(store, admin, authority, national_code)
        with store.engine.begin() as conn:
            row = conn.execute(text("SELECT seq, payload FROM outbox WHERE entity = 'inquiry_record'"
                                    " AND acked_at IS NULL")).one()
            payload = json.loads(row.payload)
            del payload["hash"]
            conn.execute(text("UPDATE outbox SET payload = :p WHERE seq = :s"),
                         {"p": json.dumps(payload), "s": row.seq})
    finally:
        store.close()
    other = join(tmp_path, hq, "1022")
    try:
        enrol_new(other, national_code=national_code)
        from desktop.services.sync import sync_now

        sync_now(other.store, None)
    finally:
        other.close()


def test_sync_screen_screenshots_hq_up_down_and_quarantine(tmp_path, hq_server: HqServer):
    db = _joined_demo_store(tmp_path, hq_server)
    walk_ins = _enrol_walk_ins(db, 2)
    assert _cli("sync", "--db", str(db)) == 0  # a second round: the history has two rows
    _keep(_shoot(tmp_path, db, "admin:admin1234", "sync") / "main-sync.png", "sync-online.png")

    _enrol_walk_ins(db, 3)
    hq_server.stop()
    assert _cli("sync", "--db", str(db)) == 6  # HQ unreachable: exit 6, the three changes wait
    assert _status(db).pending > 0
    _keep(_shoot(tmp_path, db, "admin:admin1234", "sync") / "main-sync.png", "sync-offline.png")

    hq_server.start()
    _refused_inquiry_and_conflict(db, tmp_path, hq_server, walk_ins[0])
    assert _cli("sync", "--db", str(db)) == 0
    status = _status(db)
    assert (status.quarantined, status.conflicts, status.pending) == (1, 1, 0)
    assert [r.outcome for r in status.rounds[:3]] == ["ok", "offline", "ok"]
    _keep(_shoot(tmp_path, db, "supervisor:super1234", "sync") / "main-sync.png", "sync-quarantine.png")


def _status(db: Path):
    from desktop.services.store import open_store
    from desktop.services.sync import sync_status

    store = open_store(db)
    try:
        return sync_status(store, None)
    finally:
        store.close()
