"""Issue 13: the wheel stands on its own. Built from the source tree, installed for real (with its
dependencies, from pip's cache or the index) into a fresh virtual environment outside the source
tree, then driven from another folder with a clean environment: init, demo, inquiry --pdf,
certificate --pdf. Deleting the font from the installed copy gives exit 8 and a bilingual
message, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import PROJECT_VERSION, ROOT, clean_env, run

pytestmark = pytest.mark.slow

NATIONAL_CODE_OF = "SELECT national_code FROM person ORDER BY id LIMIT 1"


@pytest.fixture(scope="module")
def installed() -> Iterator[tuple[Path, Path]]:
    """(the fresh venv's branch-desk, a work folder). On disk, not the RAM disk: PySide6 is big."""
    base = Path(tempfile.mkdtemp(prefix="bd-wheel-", dir="/var/tmp"))
    try:
        wheels = base / "wheels"
        run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
            cwd=base, env=clean_env(base))
        (wheel,) = wheels.glob("branch_desk-*.whl")
        assert wheel.name == f"branch_desk-{PROJECT_VERSION}-py3-none-any.whl"
        venv = base / "venv"
        run([sys.executable, "-m", "venv", str(venv)], cwd=base, env=clean_env(base))
        run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
            cwd=base, env=clean_env(base), timeout=600)
        work = base / "work"
        work.mkdir()
        yield venv / "bin" / "branch-desk", work
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _package_dir(branch_desk: Path) -> Path:
    python = branch_desk.parent / "python"
    out = subprocess.run([str(python), "-c", "import desktop, os; print(os.path.dirname(desktop.__file__))"],
                         capture_output=True, text=True, check=True, cwd=branch_desk.parent)
    return Path(out.stdout.strip())


def test_installed_wheel_runs_init_demo_inquiry_certificate(installed: tuple[Path, Path]) -> None:
    branch_desk, work = installed
    package = _package_dir(branch_desk)
    assert not package.is_relative_to(ROOT), package  # the installed copy, not the source tree
    assert (package / "resources" / "fonts" / "Vazirmatn-Regular.ttf").is_file()
    env = clean_env(work.parent, BRANCH_DESK_LOG_DIR=str(work / "logs"))
    (work / "admin.pw").write_text("admin-pass-1021\n", encoding="utf-8")
    init = run([str(branch_desk), "init", "--db", "new.sqlite", "--branch", "1022", "--name", "شعبه ۲۲",
                "--admin-password-file", "admin.pw", "--json"], cwd=work, env=env)
    assert json.loads(init.stdout)["branch"] == "1022"

    run([str(branch_desk), "demo", "--db", "demo.sqlite", "--persons", "200", "--json"], cwd=work, env=env)
    import sqlite3

    with sqlite3.connect(work / "demo.sqlite") as db:
        (national_code,) = db.execute(NATIONAL_CODE_OF).fetchone()
    env["BRANCH_DESK_PASSWORD"] = "letters1234"
    asking = ["--db", "demo.sqlite", "--user", "letters", "--authority", "J01", "--national-code", national_code]
    inquiry = run([str(branch_desk), "inquiry", *asking, "--pdf", "inquiry.pdf", "--json"], cwd=work, env=env)
    assert json.loads(inquiry.stdout)["national_code"] == national_code
    certificate = run([str(branch_desk), "certificate", *asking, "--pdf", "certificate.pdf", "--json"],
                      cwd=work, env=env)
    assert json.loads(certificate.stdout)["tracking_code"]
    for pdf in ("inquiry.pdf", "certificate.pdf"):
        data = (work / pdf).read_bytes()
        assert data.startswith(b"%PDF") and b"Vazirmatn" in data and len(data) > 10_000


def test_a_missing_font_is_said_with_exit_8_and_no_traceback(installed: tuple[Path, Path]) -> None:
    branch_desk, work = installed
    font = _package_dir(branch_desk) / "resources" / "fonts" / "Vazirmatn-Regular.ttf"
    aside = work / "font-aside.ttf"
    shutil.move(font, aside)
    try:
        env = clean_env(work.parent, BRANCH_DESK_LOG_DIR=str(work / "logs"), QT_QPA_PLATFORM="offscreen")
        for argv in (["demo", "--db", "other.sqlite", "--persons", "5"], ["--db", "other.sqlite"]):
            done = run([str(branch_desk), *argv], cwd=work, env=env, check=False)
            assert done.returncode == 8, done.stderr
            assert "Traceback" not in done.stderr + done.stdout
            fa, en = done.stderr.strip().splitlines()[:2]
            assert fa.startswith("خطا: نصب برنامه ناقص است") and "Vazirmatn-Regular.ttf" in fa
            assert en.startswith("error: the installation is incomplete")
        assert not (work / "other.sqlite").exists()  # nothing written
    finally:
        shutil.move(aside, font)
