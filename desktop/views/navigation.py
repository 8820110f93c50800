"""The screens of the main window. Each feature provides `desktop.views.<module>.Screen`,
a QWidget built as `Screen(ctx: ViewContext)`; until it exists a "not yet available" page shows.
`permission` hides the entry from roles the service would refuse anyway."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenEntry:
    key: str
    title: str
    shortcut: str
    module: str
    permission: str


SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("search", "جستجوی اشخاص", "Ctrl+F", "desktop.views.search_screen", "person.read"),
    ScreenEntry("enrolment", "نام‌نویسی", "Ctrl+1", "desktop.views.enrolment_screen", "person.enrol"),
    ScreenEntry("dependants", "افراد تبعی", "Ctrl+2", "desktop.views.dependants_screen", "dependant.add"),
    ScreenEntry("archive", "آرشیو اسناد", "Ctrl+3", "desktop.views.archive_screen", "archive.add"),
    ScreenEntry("corrections", "اصلاح سوابق", "Ctrl+4", "desktop.views.corrections_screen", "correction.request"),
    ScreenEntry("inquiry", "استعلام ارتباط بیمه‌ای", "Ctrl+5", "desktop.views.inquiry_screen", "inquiry.answer"),
    ScreenEntry("certificate", "گواهی وضعیت بیمه‌ای", "Ctrl+6", "desktop.views.certificate_screen", "certificate.issue"),
    ScreenEntry("verification", "تصدیق گواهی", "Ctrl+7", "desktop.views.verification_screen", "certificate.verify"),
    ScreenEntry("sync", "همگام‌سازی با ستاد", "Ctrl+8", "desktop.views.sync_screen", "sync.run"),
    ScreenEntry("admin", "مدیریت", "Ctrl+9", "desktop.views.admin_screen", "users.manage"),
)
