"""How an `hq serve` worker process runs its Python: the garbage collector's settings."""

from __future__ import annotations

import gc

# A push batch parses into tens of thousands of small objects (pydantic models, dicts, rows),
# nearly all freed by reference counting when the request ends. With Python's default
# thresholds (700 allocations) the cycle collector ran hundreds of times per batch, each pass
# also walking the whole long-lived heap (the app, SQLAlchemy, pydantic's schemas): about a
# third of HQ's CPU per pushed change (bench/sync.py, docs/scaling.md). Objects made at start-up
# are frozen out of collection, and a pass waits for 50,000 new container objects — a few MB
# of garbage in cycles at most before it is collected.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
