"""bench/hq_load.py at a tiny size, so the thousand-branch load test cannot rot: a few simulated
branches against a real `hq serve` (two workers) on the session's real PostgreSQL, for a few
seconds. Every change a branch pushed is held by HQ exactly once, no SSN twice, no error."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.support.postgres import PostgresCluster

BENCH = Path(__file__).resolve().parents[2] / "bench" / "hq_load.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hq_load_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_few_branches_for_a_few_seconds(pg_cluster: PostgresCluster) -> None:
    bench = _bench()
    cfg = bench.Config(branches=6, minutes=0.1, round_seconds=1.0, workers=2, backlog=3,
                        generator_nice=0)
    result = bench.run(cfg, pg_cluster)

    assert result["errors"]["count"] == 0, result["errors"]
    assert result["hq_serve_log_errors"] == []
    run = result["run"]
    assert run["batches"] > 0 and run["changes"] > 0
    assert run["push_rounds"]["rounds"] + run["idle_rounds"]["rounds"] >= cfg.branches * 3
    assert run["push_rounds"]["p50_ms"] > 0 and run["cpu_seconds"]["hq_serve"] > 0
    assert run["cpu_seconds"]["postgres"] > 0
    held = result["hq_holds"]
    assert held["received_changes"] == result["changes_pushed"]  # exactly once
    assert held["persons"] == result["persons_enrolled"]
    assert held["duplicate_ssns"] == 0 and held["conflicts"] == 0
    assert held["leases"] == cfg.branches
    size = result["size"]
    assert size["persons_loaded"] > 0 and size["gib_per_million_persons"] > 0
