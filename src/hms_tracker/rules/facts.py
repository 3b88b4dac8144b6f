"""Loads the facts the rule engine needs for a date, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlmodel import Session, select

from hms_tracker.organisation.models import Person
from hms_tracker.rules.headcount import (
    Employment,
    average_last_calendar_year,
    headcount_on,
    last_calendar_year,
)


def load_employments(*, session: Session, until: date | None = None) -> list[Employment]:
    """Every person's employment, in one query (optionally only those started by `until`)."""
    query = select(
        Person.id,
        Person.employed_from,
        Person.employed_to,
        Person.weekly_hours,
        Person.employment_type,
    )
    if until is not None:
        query = query.where(Person.employed_from <= until)
    return [
        Employment(
            person_id=pid,  # type: ignore[arg-type]
            employed_from=start,
            employed_to=end,
            weekly_hours=hours,
            employment_type=kind,
        )
        for pid, start, end, hours, kind in session.exec(query).all()
    ]


@dataclass(frozen=True)
class EmployeeCounts:
    day: date
    employed_on_day: int
    average_last_year: Fraction
    last_year: int


def employee_counts(*, session: Session, day: date) -> EmployeeCounts:
    employments = load_employments(session=session, until=day)
    return EmployeeCounts(
        day=day,
        employed_on_day=headcount_on(employments, day),
        average_last_year=average_last_calendar_year(employments, day),
        last_year=last_calendar_year(day)[0].year,
    )
