"""The REAL application under Xvfb, signed in with the demo credentials: screenshots for the README."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

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


def test_real_application_screenshots(tmp_path):
    db = tmp_path / "demo.sqlite"
    _demo_store(db)
    out = tmp_path / "shots"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "BRANCH_DESK_CONFIG_DIR": str(tmp_path / "cfg")}
    driver = [sys.executable, "-m", "tests.support.app_driver", "--screenshots", str(out),
              "--login", "admin:admin1234"]
    result = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1440x900x24", *driver, "--db", str(db)],
                            env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.glob("*.png"))
    assert "sign-in.png" in names and "main-admin.png" in names and "main-search.png" in names
    for name in names:
        image = QImage(str(out / name))
        assert image.width() > 300 and image.height() > 150
    if os.environ.get("BRANCH_DESK_UPDATE_SCREENSHOTS") == "1":  # refresh the README's pictures
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(out / name, SHOTS / name)
