"""What autogenerate compares: objects made by raw SQL in revisions (views, FTS5 tables) are not modelled."""

from __future__ import annotations

UNMODELLED_PREFIXES = ("sqlite_", "person_search")
UNMODELLED = {"account_month"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001 - alembic hook
    if type_ != "table" or name is None:
        return True
    return not (name in UNMODELLED or name.startswith(UNMODELLED_PREFIXES))
