"""Employee counts at their boundaries (the law's counting, DESIGN.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from hms_tracker.rules.facts import employee_counts
from hms_tracker.rules.headcount import (
    Employment,
    as_decimal,
    average_last_calendar_year,
    headcount_on,
)
from tests.factories import make_person

DAY = date(2026, 11, 25)
YEAR_START, YEAR_END = date(2025, 1, 1), date(2025, 12, 31)


def emp(start=date(2020, 1, 1), end=None, hours="37.5", kind="permanent", pid=1):
    return Employment(pid, start, end, Decimal(hours), kind)


def test_headcount_counts_everyone_employed_that_day_whatever_hours_or_type():
    people = [
        emp(hours="37.5"),
        emp(hours="5", kind="temporary"),
        emp(hours="10", kind="hired_in"),
        emp(start=DAY),  # first day counts
        emp(end=DAY),  # last day counts
        emp(end=date(2026, 11, 24)),  # left yesterday
        emp(start=date(2026, 11, 26)),  # starts tomorrow
    ]
    assert headcount_on(people, DAY) == 5


def test_four_and_five_employees_on_the_day():
    assert headcount_on([emp() for _ in range(4)], DAY) == 4
    assert headcount_on([emp() for _ in range(5)], DAY) == 5


def test_average_counts_20_hours_but_not_19():
    assert average_last_calendar_year([emp(hours="20")], DAY) == 1
    assert average_last_calendar_year([emp(hours="19.99")], DAY) == 0
    assert average_last_calendar_year([emp(hours="19")], DAY) == 0


def test_hired_in_counts_in_the_average():
    assert average_last_calendar_year([emp(kind="hired_in", hours="37.5")], DAY) == 1


def test_someone_employed_for_half_of_last_year_counts_as_a_fraction():
    # 1 January to 1 July 2025 is 182 of 365 days.
    half = emp(start=date(2024, 6, 1), end=date(2025, 7, 1))
    assert average_last_calendar_year([half], DAY) == Fraction(182, 365)
    later_half = emp(start=date(2025, 7, 2))
    assert average_last_calendar_year([half, later_half], DAY) == 1


def test_average_uses_the_calendar_year_before_the_day():
    started_this_year = emp(start=date(2026, 1, 1))
    assert average_last_calendar_year([started_this_year], DAY) == 0
    assert average_last_calendar_year([started_this_year], date(2027, 1, 1)) == 1


def test_29_and_30_average_employees():
    assert average_last_calendar_year([emp() for _ in range(29)], DAY) == 29
    assert average_last_calendar_year([emp() for _ in range(30)], DAY) == 30
    # 29 all year plus one for one day short of the whole year stays below 30.
    almost = [emp() for _ in range(29)] + [emp(start=date(2025, 1, 2))]
    assert average_last_calendar_year(almost, DAY) < 30


def test_leap_year_is_divided_by_366():
    one_day = emp(start=date(2024, 12, 31), end=date(2024, 12, 31))
    assert average_last_calendar_year([one_day], date(2025, 6, 1)) == Fraction(1, 366)


def test_as_decimal_never_shows_an_average_below_a_threshold_as_the_threshold():
    assert as_decimal(Fraction(182, 365)) == Decimal("0.4")
    assert as_decimal(Fraction(29 * 365 + 364, 365), 2) == Decimal("29.99")
    assert as_decimal(Fraction(30)) == Decimal("30.0")


@given(
    st.lists(
        st.tuples(
            st.dates(date(2020, 1, 1), date(2027, 1, 1)),
            st.integers(0, 3000),
            st.decimals(0, 60, places=1),
        ),
        max_size=30,
    )
)
def test_average_never_exceeds_the_number_of_people_or_goes_below_zero(rows):
    people = [
        emp(start=s, end=date.fromordinal(s.toordinal() + n), hours=str(h)) for s, n, h in rows
    ]
    value = average_last_calendar_year(people, DAY)
    assert 0 <= value <= len(people)


def test_counts_are_loaded_from_the_register(session):
    make_person(session, employed_from=date(2024, 1, 1), weekly_hours="37.5")
    make_person(session, employed_from=date(2024, 1, 1), weekly_hours="15")  # part-time
    make_person(session, employed_from=date(2025, 7, 2), employment_type="hired_in")
    make_person(session, employed_from=date(2020, 1, 1), employed_to=date(2025, 12, 31))
    make_person(session, employed_from=date(2027, 1, 1))  # not yet started
    session.commit()
    counts = employee_counts(session=session, day=DAY)
    assert counts.employed_on_day == 3
    assert counts.last_year == 2025
    assert counts.average_last_year == 2 + Fraction(183, 365)
