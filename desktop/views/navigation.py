"""The screens of the main window, registered explicitly.

Each feature's screen class is imported here like any other module: a screen that fails to
import fails the application at start (and its test), it never hides as an unbuilt page. The
features still to come are listed as such, in `PLANNED`, and only they show the
"not yet available" page. `permission` hides an entry from roles the service would refuse anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from . import (
    admin_screen,
    archive_screen,
    certificate_screen,
    corrections_screen,
    dependants_screen,
    enrolment_screen,
    inquiry_screen,
    search_screen,
    statistics_screen,
    sync_screen,
    verification_screen,
)
from .context import ViewContext

ScreenFactory = Callable[[ViewContext], QWidget]


@dataclass(frozen=True)
class ScreenEntry:
    key: str
    title: str
    shortcut: str
    permission: str
    factory: ScreenFactory | None  # None: a feature still to come (PLANNED)


SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("search", "جستجوی اشخاص", "Ctrl+F", "person.read", search_screen.Screen),
    ScreenEntry("enrolment", "نام‌نویسی", "Ctrl+1", "person.enrol", enrolment_screen.Screen),
    ScreenEntry("dependants", "افراد تبعی", "Ctrl+2", "dependant.add", dependants_screen.Screen),
    ScreenEntry("archive", "آرشیو اسناد", "Ctrl+3", "archive.add", archive_screen.Screen),
    ScreenEntry("corrections", "اصلاح سوابق", "Ctrl+4", "correction.request", corrections_screen.Screen),
    ScreenEntry("inquiry", "استعلام ارتباط بیمه‌ای", "Ctrl+5", "inquiry.answer", inquiry_screen.Screen),
    ScreenEntry("certificate", "گواهی وضعیت بیمه‌ای", "Ctrl+6", "certificate.issue", certificate_screen.Screen),
    ScreenEntry("verification", "تصدیق گواهی", "Ctrl+7", "certificate.verify", verification_screen.Screen),
    ScreenEntry("sync", "همگام‌سازی با ستاد", "Ctrl+8", "sync.run", sync_screen.Screen),
    ScreenEntry("admin", "مدیریت", "Ctrl+9", "users.manage", admin_screen.Screen),
    ScreenEntry("statistics", "آمار شعبه", "Ctrl+0", "statistics.view", statistics_screen.Screen),
)

# The features still to come, in one place (each has its issue); none today, the page stays for
# the next one.
PLANNED: frozenset[str] = frozenset(entry.key for entry in SCREENS if entry.factory is None)

# What each planned page says will come (SPEC §1.6, §5.2, §6) under the common "not yet
# available" line, and what to do until then. It promises nothing the application pretends to do.
PLANNED_NOTES: dict[str, str] = {
}
