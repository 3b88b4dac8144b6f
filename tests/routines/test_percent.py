"""Reading coverage in whole per cent: rounded to the nearest, never 100 % before everyone
has read nor 0 % once someone has."""

import pytest

from hms_tracker.routines.service import percent


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(22, 24, 92), (1, 3, 33), (2, 3, 67), (1, 2, 50), (199, 200, 99), (1, 1000, 1),
     (0, 10, 0), (10, 10, 100), (0, 0, 0), (1, 8, 13)],
)  # fmt: skip
def test_coverage_is_rounded_but_never_claims_all_or_none(part, whole, shown):
    assert percent(part, whole) == shown
