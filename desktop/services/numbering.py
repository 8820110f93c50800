"""Number allocation inside the caller's transaction (SPEC §1.3, DESIGN.md "SSNs").

SSNs and central temporary numbers come from blocks headquarters leased to this branch;
permanent and branch-temporary numbers from the branch's own ranges. A block or range row is
advanced in the same transaction that uses the number, so a rollback gives the number back
and a commit never hands it out twice.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.domain.errors import DomainError
from desktop.domain.identifiers import ssn_from_serial


class NumbersExhausted(DomainError):
    pass


# One statement takes the number and advances the block, so no ORM object goes stale and the
# row is written under the transaction's write lock (BEGIN IMMEDIATE) in a single step.
_TAKE_FROM_BLOCK = text(
    "UPDATE number_block SET next = next + 1 WHERE id = ("
    " SELECT id FROM number_block WHERE kind = :kind AND next <= last"
    " ORDER BY leased_at, first LIMIT 1) RETURNING next - 1"
)
# One range row at a time (the oldest first), so a further range leased later is only touched
# once the earlier one is used up.
_TAKE_FROM_RANGE = text(
    "UPDATE number_range SET next = next + 1 WHERE id = ("
    " SELECT id FROM number_range WHERE kind = :kind AND next <= last ORDER BY first LIMIT 1)"
    " RETURNING prefix, next - 1"
)


def _take_from_block(session: Session, kind: str) -> int:
    value = session.execute(_TAKE_FROM_BLOCK, {"kind": kind}).scalar()
    if value is None:
        raise NumbersExhausted(
            "بلوک شماره‌های واگذارشده از ستاد تمام شده است؛ همگام‌سازی با ستاد لازم است.",
            f"no {kind} numbers left in leased blocks; sync with headquarters",
        )
    return int(value)


def allocate_ssn(session: Session) -> str:
    return ssn_from_serial(_take_from_block(session, "ssn"))


def allocate_central_temporary(session: Session) -> str:
    return f"OO{_take_from_block(session, 'central_temporary'):08d}"


def _take_from_range(session: Session, kind: str) -> tuple[str, int]:
    row = session.execute(_TAKE_FROM_RANGE, {"kind": kind}).first()
    if row is None:
        raise NumbersExhausted(
            "بازه شماره‌های این شعبه تمام شده است.", f"the branch's {kind} range is exhausted"
        )
    return str(row[0]), int(row[1])


def allocate_permanent(session: Session) -> str:
    prefix, value = _take_from_range(session, "permanent")
    return f"{prefix}{value:08d}"


def allocate_branch_temporary(session: Session) -> str:
    prefix, value = _take_from_range(session, "branch_temporary")
    return f"{prefix}{value:08d}"


def starter_blocks(branch_code: str) -> dict[str, tuple[int, int]]:
    """Disjoint per-branch SSN and central-temporary blocks until headquarters leases real ones.

    The branch's own permanent and branch-temporary ranges come from
    `desktop.domain.number_ranges`.
    """
    b = int(branch_code)
    return {
        "ssn": (b * 100_000 + 1, b * 100_000 + 99_999),
        "central_temporary": (b * 10_000, b * 10_000 + 9_999),
    }
