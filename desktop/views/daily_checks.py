"""What the desktop does by itself once a day: hand the medical link over when a recorded end's
day has come (SPEC §3, services/dependant_due.py).

It runs when the main window opens (start-up, after sign-in) and again just after each
midnight, from one single-shot timer aimed at the next midnight — no polling, and not tied to
any screen being open. The work runs off the GUI thread; its commits reach the screens through
the change channel like any other change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from desktop.services.dependant_due import MedicalHandover, hand_over_medical_links

from .context import ViewContext
from .operations import Operation

log = logging.getLogger(__name__)
AFTER_MIDNIGHT = dt.time(0, 0, 30)  # a little after, so "today" has surely turned


def ms_to_next_run(now: dt.datetime) -> int:
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), AFTER_MIDNIGHT)
    return max(1000, int((tomorrow - now).total_seconds() * 1000))


class DailyChecks(QObject):
    def __init__(self, window: QWidget, ctx: ViewContext,
                 now: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        super().__init__(window)
        self.window, self.ctx, self._now = window, ctx, now
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run)
        self.last: list[MedicalHandover] | None = None  # the last run's handovers (None: not run yet)
        self.runs = 0

    def start(self) -> None:
        self.run()

    def stop(self) -> None:
        self.timer.stop()

    def run(self) -> None:
        """Check now, and aim the timer at the next midnight."""
        store, actor = self.ctx.store, self.ctx.actor
        # The window owns the work: a result arriving after it closed is dropped.
        (Operation(self.window, lambda _job: hand_over_medical_links(store, actor))
         .quietly().on_success(self._done).on_failure(self._failed).run())
        self.timer.start(ms_to_next_run(self._now()))

    def _done(self, handovers: list[MedicalHandover]) -> None:
        self.runs += 1
        self.last = handovers
        if handovers:
            log.info("medical link handed over for %d dependant link(s)", len(handovers))

    def _failed(self, exc: BaseException) -> None:
        # A background check must never interrupt the clerk: logged, tried again tomorrow.
        self.runs += 1
        log.warning("daily medical-link check failed: %s", exc)
