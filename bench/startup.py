"""Cold start to the sign-in dialog visible, against a bare PySide6 window, in the same run.

Each run is a fresh subprocess (offscreen platform); the time counts from just before the
process is spawned to the moment the window is shown (the child prints time.time() then).
Prints one JSON document: both medians, the ratio and the goals (< 1.5 s, < 3x bare Qt).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
BARE = (
    "import time\n"
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "from PySide6.QtCore import QTimer\n"
    "app = QApplication([])\n"
    "w = QWidget(); w.resize(400, 200); w.show()\n"
    "QTimer.singleShot(0, lambda: (print(f'SIGNIN_SHOWN {time.time():.6f}', flush=True), app.quit()))\n"
    "app.exec()\n"
)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    for line in out.stdout.splitlines():
        if line.startswith("SIGNIN_SHOWN "):
            return float(line.split()[1]) - start
    raise RuntimeError(f"no timestamp from {cmd}: {out.stdout}\n{out.stderr}")


def main() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "branch.sqlite"
        subprocess.run([sys.executable, "-m", "desktop", "init", "--db", str(db), "--branch", "1021"],
                       check=True, capture_output=True, cwd=ROOT)
        env["BRANCH_DESK_CONFIG_DIR"] = str(Path(tmp) / "config")
        # The real application with a driver that reports the shown dialog and exits
        # (tests/support/app_driver.py; run from the repository root).
        app_cmd = [sys.executable, "-m", "tests.support.app_driver", "--exit-on-sign-in",
                   "--db", str(db)]
        bare_cmd = [sys.executable, "-c", BARE]
        timed(app_cmd, env)  # warm the OS file cache once; "cold" means a fresh process
        app, bare = [], []
        for _ in range(RUNS):  # interleaved so machine load hits both alike
            app.append(timed(app_cmd, env))
            bare.append(timed(bare_cmd, env))
    app_median, bare_median = statistics.median(app), statistics.median(bare)
    ratio = app_median / bare_median
    print(json.dumps({
        "benchmark": "startup_to_sign_in",
        "runs": RUNS,
        "platform": env["QT_QPA_PLATFORM"],
        "app_median_s": round(app_median, 3),
        "bare_qt_median_s": round(bare_median, 3),
        "ratio": round(ratio, 2),
        "app_runs_s": [round(t, 3) for t in app],
        "bare_runs_s": [round(t, 3) for t in bare],
        "goal_app_s": 1.5,
        "goal_ratio": 3.0,
        "meets_goals": app_median < 1.5 and ratio < 3.0,
    }, indent=2))


if __name__ == "__main__":
    main()
