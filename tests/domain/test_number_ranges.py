"""Every branch code's own ranges: valid numbers, and no two of the 10,000 codes share one."""

from __future__ import annotations

import pytest

from desktop.domain import identifiers
from desktop.domain.number_ranges import (
    NumberRangeSpec,
    branch_temporary_range,
    permanent_range,
    starting_ranges,
)

ALL_CODES = [f"{c:04d}" for c in range(10_000)]


def _assert_pairwise_disjoint(ranges: list[NumberRangeSpec]) -> None:
    ordered = sorted(ranges, key=lambda r: (r.prefix, r.first))
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert a.first <= a.last
        if a.prefix == b.prefix:
            assert a.last < b.first, (a, b)


def test_permanent_ranges_of_all_codes_are_disjoint_and_valid():
    ranges = [permanent_range(c) for c in ALL_CODES]
    _assert_pairwise_disjoint(ranges)
    for r in ranges:
        for value in (r.first, r.last):
            number = r.number(value)
            assert identifiers.permanent_number(number) == number
        assert len(r) >= 9_999
    assert sum(len(r) for r in ranges) == 10**8 - 1  # the whole 00-space but 0000000000


def test_branch_temporary_ranges_of_all_codes_are_disjoint_and_valid():
    ranges = [branch_temporary_range(c) for c in ALL_CODES]
    _assert_pairwise_disjoint(ranges)
    for r in ranges:
        assert r.prefix != "OO" and len(r) == 6_666_666
        for value in (r.first, r.last):
            number = r.number(value)
            assert identifiers.branch_temporary_number(number, r.prefix) == number


def test_the_codes_that_collided_before_no_longer_do():
    # (b % 1000)·10⁵ gave 1021 and 0021 the same permanent range; b % 675 gave 1021 and 0346
    # the same temporary prefix.
    assert permanent_range("1021") != permanent_range("0021")
    a, b = branch_temporary_range("1021"), branch_temporary_range("0346")
    assert a.prefix != b.prefix or a.last < b.first or b.last < a.first
    assert starting_ranges("1021") == (permanent_range("1021"), branch_temporary_range("1021"))
    assert permanent_range("1021").number(permanent_range("1021").first) == "0010210000"


@pytest.mark.parametrize("bad", ["21", "10210", "۱۰۲۱", "abcd", ""])
def test_only_four_ascii_digits(bad):
    with pytest.raises(ValueError):
        permanent_range(bad)
