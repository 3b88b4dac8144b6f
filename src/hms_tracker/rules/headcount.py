"""Employee counts as the law counts them. Pure functions over employment facts and a date.

- For the verneombud rule (AML § 6-1): everyone employed on the day — full- and part-time,
  temporary and hired-in alike.
- For AMU (AML § 7-1, forskrift om organisering, ledelse og medvirkning § 3-7): the average
  number over the last calendar year of those working at least 20 hours a week, hired-in
  workers included. A person counts for the share of the year they were employed, so someone
  employed for half of last year adds one half.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

AMU_MIN_WEEKLY_HOURS = Decimal(20)


@dataclass(frozen=True)
class Employment:
    person_id: int
    employed_from: date
    employed_to: date | None
    weekly_hours: Decimal
    employment_type: str = "permanent"

    def is_employed_on(self, day: date) -> bool:
        return self.employed_from <= day and (self.employed_to is None or day <= self.employed_to)

    def days_employed_between(self, first: date, last: date) -> int:
        """Days employed within [first, last], both inclusive."""
        start = max(first, self.employed_from)
        end = last if self.employed_to is None else min(last, self.employed_to)
        return max(0, (end - start).days + 1)


def headcount_on(employments: Iterable[Employment], day: date) -> int:
    """Everyone employed on the day, whatever their hours or employment type."""
    return sum(1 for e in employments if e.is_employed_on(day))


def last_calendar_year(day: date) -> tuple[date, date]:
    return date(day.year - 1, 1, 1), date(day.year - 1, 12, 31)


def average_headcount(
    employments: Iterable[Employment],
    first: date,
    last: date,
    *,
    min_weekly_hours: Decimal = AMU_MIN_WEEKLY_HOURS,
) -> Fraction:
    """The average number employed over [first, last] of those with at least
    `min_weekly_hours` a week: the sum of days employed divided by the days in the period."""
    total_days = (last - first).days + 1
    if total_days <= 0:
        return Fraction(0)
    person_days = sum(
        e.days_employed_between(first, last)
        for e in employments
        if e.weekly_hours >= min_weekly_hours
    )
    return Fraction(person_days, total_days)


def average_last_calendar_year(
    employments: Iterable[Employment],
    day: date,
    *,
    min_weekly_hours: Decimal = AMU_MIN_WEEKLY_HOURS,
) -> Fraction:
    """The count the AMU rule uses on `day`: last calendar year's average of ≥ 20 h/week."""
    first, last = last_calendar_year(day)
    return average_headcount(employments, first, last, min_weekly_hours=min_weekly_hours)


def as_decimal(value: Fraction, places: int = 1) -> Decimal:
    """For display: cut (not rounded) to `places` decimals, so an average just below a
    threshold never reads as the threshold (29,997 shows as 29,9, not 30)."""
    quantum = Decimal(1).scaleb(-places)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(quantum, rounding=ROUND_DOWN)


def day_before(day: date) -> date:
    return day - timedelta(days=1)
