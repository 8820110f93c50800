"""How the sync state reads in Persian: the same words on the status bar and the sync screen."""

from __future__ import annotations

import datetime as dt

from desktop.domain.jalali import format_jalali
from desktop.domain.text import persian_digits
from desktop.services.sync import SyncStatus

# Connection state, from the outcome of the latest round that was not cancelled.
ONLINE, OFFLINE, REFUSED, UNKNOWN, NOT_JOINED = "online", "offline", "refused", "unknown", "not_joined"
STATE_TEXT = {
    ONLINE: "برخط (ستاد در دسترس است)",
    OFFLINE: "برون‌خط (ستاد در دسترس نیست؛ تغییرها محفوظ‌اند و بعداً فرستاده می‌شوند)",
    REFUSED: "ستاد درخواست را نپذیرفت (توکن یا نشانی را بررسی کنید)",
    UNKNOWN: "هنوز همگام‌سازی نشده",
    NOT_JOINED: "به ستاد وصل نشده",
}
SHORT_STATE = {ONLINE: "برخط", OFFLINE: "برون‌خط", REFUSED: "نپذیرفته", UNKNOWN: "در انتظار",
               NOT_JOINED: "بدون ستاد"}
STATE_COLOUR = {ONLINE: "#1e8449", OFFLINE: "#b9770e", REFUSED: "#c0392b", UNKNOWN: "#566573",
                NOT_JOINED: "#566573"}
OUTCOME_TEXT = {"ok": "موفق", "offline": "برون‌خط", "refused": "نپذیرفته", "cancelled": "لغو شد"}
# A round's error is stored as its English detail (for support, `sync status --json`); the screen
# says in Persian what happened and keeps the detail in the tooltip.
ERROR_TEXT = {"offline": "ستاد در دسترس نبود؛ چیزی از دست نرفت",
              "refused": "ستاد درخواست را نپذیرفت (توکن یا نشانی را بررسی کنید)",
              "cancelled": "همگام‌سازی لغو شد؛ بقیه در دور بعد می‌رود"}
# Outbox entities and HQ's conflict kinds as a supervisor reads them; an unknown one shows its code.
ENTITY_TEXT = {"person": "شخص", "relationship": "ارتباط بیمه‌ای", "inquiry_record": "سابقه استعلام",
               "certificate": "گواهی", "workshop": "کارگاه", "authority": "مرجع برون‌سازمانی",
               "app_user": "کاربر", "archive_item": "سند آرشیو", "correction": "اصلاح سوابق"}
CONFLICT_TEXT = {"national_code_enrolled_twice": "یک کد ملی نام‌نویسی‌شده در دو شعبه"}


def error_words(outcome: str, error: str | None) -> str:
    """A round's error in Persian («» when it had none)."""
    if not error:
        return ""
    return ERROR_TEXT.get(outcome, "خطا در همگام‌سازی")


def connection_state(status: SyncStatus) -> str:
    if not status.joined:
        return NOT_JOINED
    for r in status.rounds:  # newest first
        if r.outcome == "ok":
            return ONLINE
        if r.outcome in (OFFLINE, REFUSED):
            return r.outcome
    return UNKNOWN


def local_time(utc: dt.datetime) -> dt.datetime:
    """The store keeps naive UTC; people read the machine's local time."""
    return utc.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def jalali_time(utc: dt.datetime | None) -> str:
    """`۱۴۰۴/۰۹/۱۰ ساعت ۱۰:۲۰` (local time), or «—»."""
    if utc is None:
        return "—"
    at = local_time(utc)
    return f"{format_jalali(at.date(), persian=True)} ساعت {persian_digits(at.strftime('%H:%M'))}"


def ago(utc: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """«همین حالا», «۳ دقیقه پیش», «۲ ساعت پیش», else the Jalali date and time; «هنوز نه»."""
    if utc is None:
        return "هنوز نه"
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    seconds = max((now - utc).total_seconds(), 0)
    if seconds < 60:
        return "همین حالا"
    if seconds < 3600:
        return f"{persian_digits(int(seconds // 60))} دقیقه پیش"
    if seconds < 24 * 3600:
        return f"{persian_digits(int(seconds // 3600))} ساعت پیش"
    return jalali_time(utc)


def status_bar_text(status: SyncStatus, now: dt.datetime | None = None) -> str:
    pending = f"{persian_digits(status.pending)} تغییر در صف ارسال"
    state = connection_state(status)
    if state == NOT_JOINED:
        return f"همگام‌سازی با ستاد هنوز راه‌اندازی نشده — {pending}"
    return (f"ستاد: {SHORT_STATE[state]} — آخرین همگام‌سازی موفق: {ago(status.last_success, now)}"
            f" — {pending}")
