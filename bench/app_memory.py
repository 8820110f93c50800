"""Resident memory of the real application with a large store open.

Runs `branch-desk --db STORE` in a fresh process (offscreen), signs in as the administrator and
visits every screen the role has (the screenshot driver, tests/support/app_driver.py), then
reads the child's peak resident set size. Prints one JSON document. Goal: < 300 MB.

Usage: .venv/bin/python bench/app_memory.py [STORE]   (default var/bench-1m.sqlite)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 300


def persons(store: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(store)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM person").fetchone()[0])
    finally:
        conn.close()


def main() -> int:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var" / "bench-1m.sqlite"
    if not store.exists():
        print(json.dumps({"benchmark": "app_memory", "error": f"no store at {store}"}))
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BRANCH_DESK_CONFIG_DIR": tmp}
        driver = [sys.executable, "-m", "tests.support.app_driver", "--screenshots", tmp,
                  "--login", "admin:admin1234"]
        started = time.perf_counter()
        proc = subprocess.run([*driver, "--db", str(store)], env=env,
                              capture_output=True, text=True, timeout=600, cwd=ROOT)
        seconds = time.perf_counter() - started
        screens = sorted(p.stem for p in Path(tmp).glob("main-*.png"))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({
        "benchmark": "app_memory", "store": str(store), "persons": persons(store),
        "exit_code": proc.returncode, "screens_visited": screens, "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_mb, 1), "goal_mb": GOAL_MB, "pass": proc.returncode == 0 and peak_mb < GOAL_MB,
    }, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
