"""bench/panel.py at a small size (the 1,000,000-person run is by hand: bench/README.md): it builds
a central store, answers inquiries of every state through the API and reports server timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_panel_benchmark_runs_at_a_small_size() -> None:
    done = subprocess.run([sys.executable, "bench/panel.py", "--persons", "2000", "--requests", "150",
                           "--clients", "2", "--seconds", "1"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert set(out["api"]["states"]) == {"active", "not_active", "in_period", "not_found"}
    assert out["api"]["server_ms"]["median"] > 0 and out["bare_sql_ms"]["median"] > 0
    assert out["sustained"]["inquiries"] > 0 and not out["sustained"]["errors"]
    assert out["answers_recorded"] == 150 + out["sustained"]["inquiries"]
