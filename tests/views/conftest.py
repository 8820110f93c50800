"""View tests run like the application: Python's cycle collector only on the GUI thread
(desktop/views/gui_gc.py), and no test ends while an operation it started is still running."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from .helpers import wait_for_operations


@pytest.fixture(scope="session", autouse=True)
def long_lived_objects_frozen() -> None:
    """Each view test ends with a full collection, which walks every tracked object: ~0.1-0.3 s
    with Qt, SQLAlchemy and the test modules loaded. What is alive once they are imported lives
    for the session, so it is moved out of the collector's sight (gc.freeze); what a test makes
    is still collected, on the GUI thread, as before."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread(qtbot) -> Iterator[None]:  # noqa: ANN001 - pytest-qt's qtbot
    from desktop.views.gui_gc import GuiThreadCollector

    collector = GuiThreadCollector()
    try:
        yield
        wait_for_operations(qtbot)  # e.g. a draft saved by closing a screen still lands
    finally:
        collector.stop()
        gc.collect()


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ANN001 - pytest hook
    """Let pool threads finish and cycles go on the GUI thread before Qt is torn down at exit."""
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(10_000)
    gc.collect()
