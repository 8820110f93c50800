"""Python's cycle collector runs on whichever thread happens to allocate — also an operation's
worker thread. A closed test screen (a Python-owned top-level widget caught in a reference cycle)
collected there deletes Qt objects off the GUI thread while the GUI thread runs: seen under gdb as
a SIGSEGV in shiboken's findDerivedType on the GUI thread while a pooled thread sat in
gc_collect_main → subtype_dealloc → shiboken (about one run in eight of the counter tests).

Until the application collects on the GUI thread itself (calibre's GarbageCollector: automatic
collection off, `gc.collect()` from a GUI-thread timer), tests that start operations collect here,
on the GUI thread, between tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from .helpers import wait_for_operations


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread(qtbot) -> Iterator[None]:  # noqa: ANN001 - pytest-qt's qtbot
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        wait_for_operations(qtbot)  # saves started by closing a screen still land
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()
