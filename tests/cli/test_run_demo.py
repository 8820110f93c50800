"""scripts/run-demo.sh, headless: it builds the demo store, starts a local headquarters (its own
PostgreSQL cluster and `hq serve`), joins the store, opens the application (closed by
RUN_DEMO_TIMEOUT) and stops everything it started; without PostgreSQL the demo runs offline."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..support.hq_server import ROOT, free_port

SCRIPT = ROOT / "scripts" / "run-demo.sh"

pytestmark = [pytest.mark.xvfb,
              pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is not installed")]


def run_demo(tmp_path: Path, hq_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env |= {"BRANCH_DESK_DEMO_DB": str(tmp_path / "demo.sqlite"), "DEMO_PERSONS": "60",
            "BRANCH_DESK_DEMO_HQ": str(hq_dir), "BRANCH_DESK_DEMO_HQ_PORT": str(port),
            "RUN_DEMO_TIMEOUT": "6", "QT_QPA_PLATFORM": "xcb",
            "BRANCH_DESK_CONFIG_DIR": str(tmp_path / "cfg")}
    return subprocess.run(["bash", str(SCRIPT)], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


def sync_status(db: Path) -> dict[str, object]:
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "branch-desk"), "sync", "status", "--db", str(db),
                           "--json"], capture_output=True, text=True, check=True, cwd=ROOT)
    return dict(json.loads(done.stdout))


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def hq_dir() -> Iterator[Path]:
    """The cluster's folder. As root the server runs as `postgres`, which must reach it: pytest's
    own temporary folders are private to root, so this one is made directly under /tmp."""
    folder = Path(tempfile.mkdtemp(prefix="bddemo-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_demo_starts_a_local_hq_joins_it_and_stops_it_on_exit(tmp_path: Path, hq_dir: Path):
    port = free_port()
    done = run_demo(tmp_path, hq_dir, port)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"headquarters is running at http://127.0.0.1:{port}" in done.stderr
    assert "OFFLINE" not in done.stderr
    status = sync_status(tmp_path / "demo.sqlite")
    assert status["joined"] is True and status["hq"] == f"http://127.0.0.1:{port}"
    assert status["last_success"] is not None and status["pending"] == 0
    assert (hq_dir / "branch-1021.token").stat().st_mode & 0o077 == 0  # the token is private
    # Everything it started has stopped: no server on the port, no postmaster in the cluster.
    assert port_is_free(port)
    assert (hq_dir / "data" / "PG_VERSION").exists() and not (hq_dir / "data" / "postmaster.pid").exists()


def test_demo_runs_offline_when_hq_cannot_start(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cluster's folder should be")
    done = run_demo(tmp_path, blocker / "hq-pg", free_port())
    assert done.returncode == 0, done.stderr[-3000:]
    assert "headquarters could not be started: the application runs OFFLINE" in done.stderr
    assert "Traceback" not in done.stderr
    status = sync_status(tmp_path / "demo.sqlite")
    assert status["joined"] is False and status["last_success"] is None
