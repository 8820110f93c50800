"""What autogenerate compares: objects made by raw SQL in revisions (views, FTS5 tables) are not modelled."""

from __future__ import annotations

UNMODELLED_PREFIXES = ("sqlite_", "person_search", "statistics_day")
UNMODELLED = {"account_month"}


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    if type_ != "table" or name is None:
        return True
    return not (name in UNMODELLED or name.startswith(UNMODELLED_PREFIXES))
