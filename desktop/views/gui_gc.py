"""Python's cycle collector, run on the GUI thread only (calibre's GarbageCollector).

The collector runs on whichever thread happens to allocate — also an operation's worker thread.
A widget caught in a reference cycle and collected there is deleted off the GUI thread while the
GUI thread runs, which crashes Qt (seen under gdb: a SIGSEGV in shiboken on the GUI thread while a
pooled thread sat in gc_collect_main → subtype_dealloc). So automatic collection is switched off
and a GUI-thread timer collects, by generation, when the allocation counts pass the thresholds
automatic collection would have used. Reference counting still frees everything else at once.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(INTERVAL_MS)

    def check(self) -> None:
        counts = gc.get_count()
        if counts[0] > self.thresholds[0]:
            generation = 0
            if counts[1] > self.thresholds[1]:
                generation = 2 if counts[2] > self.thresholds[2] else 1
            gc.collect(generation)

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()


_collector: GuiThreadCollector | None = None


def collect_on_gui_thread() -> GuiThreadCollector:
    """Install the collector once for the application (call on the GUI thread)."""
    global _collector
    if _collector is None:
        _collector = GuiThreadCollector()
    return _collector
