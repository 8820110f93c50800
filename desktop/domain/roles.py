"""Who may do what. Services ask `require`; views only hide what a service would refuse."""

from __future__ import annotations

from .errors import PermissionDenied

ROLES = {
    "clerk": "کارمند باجه",
    "supervisor": "سرپرست",
    "letter_staff": "کارمند نامه‌ها",
    "admin": "مدیر سامانه",
}

PERMISSIONS: dict[str, frozenset[str]] = {
    "person.read": frozenset(ROLES),
    "person.enrol": frozenset({"clerk", "supervisor", "admin"}),
    "person.update": frozenset({"clerk", "supervisor", "admin"}),
    "person.health": frozenset({"clerk", "supervisor"}),  # health fields: the enrolling desk only
    "dependant.add": frozenset({"clerk", "supervisor", "admin"}),
    "dependant.end": frozenset({"clerk", "supervisor"}),
    "archive.add": frozenset({"clerk", "supervisor", "admin"}),
    "archive.verify": frozenset({"supervisor", "admin"}),  # re-hashing every scan: a supervisor's check
    "correction.request": frozenset({"clerk", "supervisor"}),
    "correction.decide": frozenset({"supervisor"}),
    "inquiry.answer": frozenset({"letter_staff", "supervisor", "admin"}),
    "certificate.issue": frozenset({"letter_staff", "clerk", "supervisor", "admin"}),
    "certificate.verify": frozenset(ROLES),
    "reference.manage": frozenset({"admin"}),
    "users.manage": frozenset({"admin"}),
    "registry.manage": frozenset({"admin"}),
    "sync.run": frozenset({"supervisor", "admin"}),
    "sync.quarantine": frozenset({"supervisor", "admin"}),  # HQ's refusals name people and changes
    "sync.settings": frozenset({"admin"}),
    "audit.verify": frozenset({"supervisor", "admin"}),
    "demo.fill": frozenset({"admin"}),
    "statistics.view": frozenset({"supervisor", "admin"}),
    # Passing the medical link when a recorded end's day comes applies a decision already made;
    # the desktop runs it for whoever is signed in (start-up and daily).
    "dependant.handover": frozenset(ROLES),
    "store.backup": frozenset({"admin"}),
    "store.restore": frozenset({"admin"}),
}

PERMISSION_TITLES = {
    "person.enrol": "نام‌نویسی",
    "person.update": "به‌روزرسانی اطلاعات",
    "person.health": "دیدن اطلاعات سلامت",
    "dependant.add": "ثبت افراد تبعی",
    "correction.decide": "تایید یا رد اصلاح سند",
    "inquiry.answer": "پاسخ به استعلام",
    "reference.manage": "مدیریت اطلاعات پایه",
    "users.manage": "مدیریت کاربران",
    "sync.run": "همگام‌سازی با ستاد",
    "sync.quarantine": "دیدن تغییرهای نپذیرفته ستاد",
    "sync.settings": "تنظیم فاصله همگام‌سازی",
    "audit.verify": "بررسی زنجیره گزارش رویدادها",
    "statistics.view": "دیدن آمار شعبه",
    "archive.verify": "بررسی درستی آرشیو اسناد",
    "store.backup": "پشتیبان‌گیری از پایگاه داده",
    "store.restore": "بازگردانی پایگاه داده از پشتیبان",
}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS.get(permission, frozenset())


def require(role: str, permission: str) -> None:
    if not allowed(role, permission):
        title = PERMISSION_TITLES.get(permission, permission)
        raise PermissionDenied(
            f"نقش «{ROLES.get(role, role)}» اجازه «{title}» را ندارد.",
            f"role {role!r} may not {permission}",
        )
