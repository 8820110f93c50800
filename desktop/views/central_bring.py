"""The «آوردن پرونده از ستاد» button shared by the enrolment screen's first step and the search
screen: a person enrolled at another branch, found in HQ's central record, brought into this
branch's store off the GUI thread (desktop/services/central_record.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QPushButton, QWidget

from desktop.services.central_record import CentralRecord, bring_from_headquarters

from .context import ViewContext
from .operations import Operation


def bring_button() -> QPushButton:
    button = QPushButton("آوردن پرونده از ستاد")
    button.setObjectName("bringFromHq")
    button.hide()
    return button


def bring_central_person(owner: QWidget, ctx: ViewContext, central: CentralRecord | None,
                         button: QPushButton, on_success: Callable[[Any], None],
                         on_failure: Callable[[BaseException], None]) -> None:
    code = central.snapshot.national_code if central and central.snapshot else None
    if not code:
        return
    store, actor = ctx.store, ctx.actor
    button.setEnabled(False)
    (Operation(owner, lambda _job: bring_from_headquarters(store, actor, code),
               title="آوردن پرونده از ستاد")
     .on_success(on_success)
     .on_failure(on_failure)
     .on_finished(lambda: button.setEnabled(True))
     .run())
