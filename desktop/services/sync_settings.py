"""The periodic sync's interval: a store setting (default 5 minutes) the administrator changes
with `branch-desk sync interval --minutes N`; the application reads it when its main window opens.
"""

from __future__ import annotations

from desktop.domain.errors import InvalidValue
from desktop.domain.text import ascii_digits, persian_digits
from desktop.sync.local import put_setting

from .actor import Actor
from .store import Store
from .unit import mutation

SYNC_INTERVAL = "sync_interval_minutes"  # store setting
DEFAULT_INTERVAL_MINUTES = 5
LONGEST_MINUTES = 24 * 60  # a branch that syncs less than daily is not "periodic" any more


def interval_minutes(store: Store) -> float:
    """The setting as stored (tests may store a fraction of a minute); the default when it is
    missing or unreadable."""
    try:
        minutes = float(store.settings.get(SYNC_INTERVAL, DEFAULT_INTERVAL_MINUTES))
    except ValueError:
        return DEFAULT_INTERVAL_MINUTES
    return minutes if minutes > 0 else DEFAULT_INTERVAL_MINUTES


def check_minutes(value: object) -> int:
    text = ascii_digits(str(value).strip())  # «۱۰» as well as 10
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= LONGEST_MINUTES:
        raise InvalidValue(
            f"فاصله همگام‌سازی باید عددی درست از ۱ تا {persian_digits(LONGEST_MINUTES)} دقیقه باشد "
            f"(«{text[:20]}» داده شد).",
            f"the sync interval must be a whole number of minutes from 1 to {LONGEST_MINUTES} "
            f"(got {text[:20]!r})", field="minutes")
    return int(text)


def set_sync_interval(store: Store, actor: Actor, minutes: object) -> int:
    value = check_minutes(minutes)
    with mutation(store, actor, "sync.settings") as unit:
        before = store.settings.get(SYNC_INTERVAL)
        put_setting(unit.session, SYNC_INTERVAL, str(value))
        # This branch's own configuration, not a record headquarters keeps: audited, not sent
        # (no outbox row).
        unit.audit("sync.interval", "store_setting", SYNC_INTERVAL, minutes=value, before=before)
    store.reload_settings()
    return value
