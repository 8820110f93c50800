"""Issue 13: the Debian package, end to end, as root on this machine (CI is a fresh one).

installer/build.sh builds the package; `dpkg -i` installs it; the installed application starts
under Xvfb on a new machine profile (first run: the data folder appears) and on a new store (its
sign-in window is grabbed from the screen and saved); a second build of a higher version — with
one more store revision — installs over it, keeps the store and migrates it at the first start;
a revision that fails leaves the store as it was, with exit 7; `dpkg -r` removes the program and
leaves the stores. Screenshots: BRANCH_DESK_UPDATE_SCREENSHOTS=1 writes them to docs/screenshots.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.db.migrate import head_revision

from .support import PROJECT_VERSION, ROOT, clean_env, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xvfb,
    pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="dpkg -i needs root"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None or shutil.which("Xvfb") is None,
                       reason="needs dpkg-deb and Xvfb"),
]

PACKAGE = "branch-desk"
OPT = Path("/opt/branch-desk")
VERSIONS = OPT / "_internal" / "desktop" / "db" / "migrations" / "versions"
PROBE = "9901"
UPGRADED = f"{PROJECT_VERSION}+upgrade1"
SHOTS = ROOT / "docs" / "screenshots"
LOCK = "/var/lock/branch-desk-deb-test.lock"

PROBE_REVISION = '''"""Upgrade-test probe: the next release's schema change."""
import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("installer_probe", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("installer_probe")
'''

FAILING_REVISION = '''"""A broken release's revision: it fails half-way."""
from alembic import op

revision = "9902"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE TABLE half_done (id INTEGER)")
    raise RuntimeError("revision 9902 made to fail")


def downgrade() -> None:
    pass
'''


def _installed_version() -> str | None:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", PACKAGE],
                          capture_output=True, text=True)
    status, _, version = done.stdout.rpartition(" ")
    return version if done.returncode == 0 and status.endswith("install ok installed") else None


def _dpkg(*args: str) -> None:
    """dpkg, waiting out another process's dpkg lock (apt-get of another test run)."""
    for _ in range(60):
        done = subprocess.run(["dpkg", *args], capture_output=True, text=True, timeout=300)
        if done.returncode == 0:
            return
        if "lock" not in done.stderr:
            raise AssertionError(f"dpkg {' '.join(args)}: {done.stdout}\n{done.stderr}")
        time.sleep(2)
    raise AssertionError(f"dpkg {' '.join(args)}: the dpkg lock stayed taken")


def _build(out: Path, *extra: str) -> tuple[Path, float]:
    started = time.monotonic()
    done = run(["bash", str(ROOT / "installer" / "build.sh"), "--out", str(out), *extra],
               cwd=out, env=clean_env(Path.home(), HOME=os.environ.get("HOME", "/root")), timeout=900)
    lines = done.stdout.strip().splitlines()
    deb = Path(lines[-2])
    assert lines[-1].startswith("size: ") and deb.is_file(), done.stdout
    return deb, time.monotonic() - started


@contextlib.contextmanager
def _xvfb() -> Iterator[str]:
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24",
                               "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as fd:
            display = ":" + fd.readline().strip()
        yield display
    finally:
        server.terminate()
        server.wait(10)


def _shows_window(argv: list[str], env: dict[str, str], display: str, shot: Path,
                  until: object = None) -> None:
    """Start the installed application, grab its window from the screen, stop it."""
    app = subprocess.Popen(argv, env={**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
                           cwd=env["HOME"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        grab = subprocess.run([sys.executable, str(Path(__file__).with_name("grab_screen.py")), str(shot), "60"],
                              env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
                              capture_output=True, text=True, timeout=120)
        assert app.poll() is None, f"the application ended: {app.communicate()[0]}"
        assert grab.returncode == 0, f"no window on the screen: {grab.stderr}"
        if callable(until):
            deadline = time.monotonic() + 60
            while not until():
                assert time.monotonic() < deadline, "the store was not migrated at the first start"
                time.sleep(0.2)
    finally:
        app.terminate()
        try:
            out = app.communicate(timeout=15)[0]
        except subprocess.TimeoutExpired:
            app.kill()
            out = app.communicate()[0]
    assert "Traceback" not in out, out
    if os.environ.get("BRANCH_DESK_UPDATE_SCREENSHOTS") == "1" and until is None:
        shutil.copy(shot, SHOTS / shot.name)


def _revision(store: Path) -> str:
    with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as db:
        return str(db.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def machine() -> Iterator[Path]:
    """A scratch folder on disk, and the machine's package database to ourselves: the package is
    installed system-wide, so two runs of this test (two checkouts on one developer machine) take
    turns under one lock; the package is removed afterwards whatever happened."""
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if _installed_version() is not None:
            pytest.skip("branch-desk is installed on this machine; not replacing it")
        base = Path(tempfile.mkdtemp(prefix="bd-deb-", dir="/var/tmp"))
        try:
            yield base
        finally:
            if _installed_version() is not None:
                with contextlib.suppress(AssertionError):
                    _dpkg("-r", PACKAGE)
            shutil.rmtree(base, ignore_errors=True)


def test_deb_installs_starts_upgrades_migrates_and_removes_keeping_stores(machine: Path) -> None:
    out = machine / "debs"
    out.mkdir()
    probe = machine / f"{PROBE}_installer_probe.py"
    probe.write_text(PROBE_REVISION.format(revision=PROBE, down=head_revision()), encoding="utf-8")
    first, first_s = _build(out)
    second, second_s = _build(out, "--version", UPGRADED, "--extra-migration", str(probe))
    assert first.name.startswith(f"branch-desk_{PROJECT_VERSION}_") and first.suffix == ".deb"
    assert first_s < 240 or second_s < 60, (first_s, second_s)  # the freeze is reused

    _dpkg("-i", str(first))
    assert _installed_version() == PROJECT_VERSION
    assert Path("/usr/bin/branch-desk").resolve() == OPT / "branch-desk"
    entry = Path("/usr/share/applications/branch-desk.desktop").read_text(encoding="utf-8")
    assert "Name[fa]=میز شعبه" in entry and "Icon=branch-desk" in entry and "Exec=branch-desk" in entry
    assert Path("/usr/share/icons/hicolor/scalable/apps/branch-desk.svg").is_file()

    home = machine / "home"
    home.mkdir()
    env = clean_env(home)
    data = home / "data" / "branch-desk"  # platformdirs' user data folder (XDG_DATA_HOME)
    with _xvfb() as display:
        # First run on this profile: the data folder appears, the first-run dialog shows.
        _shows_window(["branch-desk"], env, display, machine / "installed-first-run.png")
        assert data.is_dir()
        (home / "admin.pw").write_text("admin-pass-1021\n", encoding="utf-8")
        store = data / "branch.sqlite"
        run(["branch-desk", "init", "--db", str(store), "--branch", "1024", "--admin-password-file",
             str(home / "admin.pw")], cwd=home, env=env)
        _shows_window(["branch-desk", "--db", str(store)], env, display, machine / "installed-sign-in.png")
        before = _revision(store)
        assert before == head_revision()
        kept = _digest(store)

        # The newer package over the older: the store is untouched by the install itself …
        _dpkg("-i", str(second))
        assert _installed_version() == UPGRADED
        assert (VERSIONS / probe.name).is_file()
        assert _digest(store) == kept and _revision(store) == before
        # … and the first start migrates it (a copy taken first, removed once committed).
        _shows_window(["branch-desk", "--db", str(store)], env, display, machine / "installed-upgraded.png",
                      until=lambda: _revision(store) == PROBE)
    assert not store.with_name(store.name + ".upgrade-backup").exists()
    with contextlib.closing(sqlite3.connect(store)) as db:
        assert db.execute("SELECT count(*) FROM installer_probe").fetchone() == (0,)
        assert db.execute("SELECT value FROM store_setting WHERE key='branch_code'").fetchone() == ("1024",)

    # A release whose revision fails: exit 7, the store exactly as it was, and it says so.
    failing = VERSIONS / "9902_fails.py"
    failing.write_text(FAILING_REVISION.format(down=PROBE), encoding="utf-8")
    try:
        migrated = _digest(store)
        done = run(["branch-desk", "person", "--db", str(store), "--national-code", "0012345679"],
                   cwd=home, env={**env, "BRANCH_DESK_PASSWORD": "admin-pass-1021"}, check=False)
        assert done.returncode == 7, done.stderr
        assert "Traceback" not in done.stderr and "9902" in done.stderr
        assert _revision(store) == PROBE and _digest(store) == migrated
        assert not store.with_name(store.name + ".upgrade-backup").exists()
    finally:
        failing.unlink()

    _dpkg("-r", PACKAGE)
    assert _installed_version() is None
    assert not OPT.exists() and not Path("/usr/bin/branch-desk").exists()
    assert store.is_file() and _revision(store) == PROBE  # the user's store stays
    assert sorted(p.name for p in data.iterdir() if p.suffix == ".sqlite") == [
        "branch.registry.sqlite", "branch.sqlite"]
