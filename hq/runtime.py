"""How an `hq serve` worker process runs its Python: the garbage collector's settings."""

from __future__ import annotations

import gc

# A push batch parses into tens of thousands of small objects (pydantic models, dicts, rows),
# nearly all freed by reference counting when the request ends. With Python's default
# thresholds (700 allocations) the cycle collector ran hundreds of times per batch, each pass
# also walking the whole long-lived heap (the app, SQLAlchemy, pydantic's schemas): about a
# third of HQ's CPU per pushed change (bench/sync.py, docs/scaling.md). Objects made at start-up
# are frozen out of collection, and a pass waits for 300,000 new container objects. A batch of
# 5,000 changes holds about 115,000 while it is applied (90,000 of them its parsed body) and
# leaves some 60 in cycles: at 50,000 every batch paid two or three passes over its own live
# objects (about 7 ms of CPU per 1,000 changes, for nothing); 300,000 is above two batches in
# flight, and garbage in cycles waits at most for the rest — some tens of MB.
GC_THRESHOLDS = (300_000, 20, 100)


def tune_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
