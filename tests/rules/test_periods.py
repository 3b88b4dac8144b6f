"""How long terms, chair periods and agreements may run, and when a risk is due for a new
assessment: the boundaries of the pure functions the services and the engine share."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hms_tracker.appointments.models import AppointmentKind
from hms_tracker.rules.engine import is_assessment_overdue, risk_assessment_cutoff
from hms_tracker.rules.periods import (
    TERM_KINDS,
    add_months,
    add_years,
    agreement_last_day,
    chair_last_day,
    exceeds_term,
    term_ends_on,
    term_last_day,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def test_term_kinds_are_the_appointments_elected_for_a_term():
    elected = {AppointmentKind.safety_rep, AppointmentKind.chief_safety_rep}
    assert {k.value for k in elected | {AppointmentKind.amu_member}} == TERM_KINDS


def test_a_two_year_term_ends_the_day_before_the_same_date_two_years_on():
    assert term_last_day(date(2026, 3, 1), 2) == date(2028, 2, 29)
    assert term_last_day(date(2024, 2, 29), 2) == date(2026, 2, 27)


def test_a_term_without_end_date_gets_the_longest_term_only_for_elected_kinds():
    start = date(2026, 1, 15)
    assert term_ends_on(kind="safety_rep", starts_on=start, ends_on=None, term_years=2) == date(
        2028, 1, 14
    )
    assert term_ends_on(kind="ohs_contact", starts_on=start, ends_on=None, term_years=2) is None
    given_end = date(2027, 1, 1)
    assert (
        term_ends_on(kind="amu_member", starts_on=start, ends_on=given_end, term_years=2)
        == given_end
    )


def test_the_last_day_of_the_term_is_allowed_the_day_after_is_not():
    start = date(2026, 1, 15)
    last = date(2028, 1, 14)

    def too_long(ends_on: date, kind: str = "safety_rep", side: str | None = None) -> bool:
        return exceeds_term(
            kind=kind, amu_side=side, starts_on=start, ends_on=ends_on, term_years=2
        )

    assert not too_long(last)
    assert too_long(last + timedelta(days=1))
    assert too_long(last + timedelta(days=1), "amu_member", "employee")
    assert not too_long(last + timedelta(days=1), "amu_member", "ohs")  # not elected
    assert not too_long(last + timedelta(days=1), "ohs_contact")


def test_the_amu_chair_serves_one_year_and_an_agreement_its_years():
    assert chair_last_day(date(2026, 1, 1)) == date(2026, 12, 31)
    assert agreement_last_day(date(2026, 5, 10), 2) == date(2028, 5, 9)


@given(days, st.integers(min_value=0, max_value=10))
def test_whole_years_are_twelve_months(day, years):
    assert add_years(day, years) == add_months(day, 12 * years)


@given(days)
def test_the_assessment_cutoff_is_the_rules_boundary(day):
    cutoff = risk_assessment_cutoff(day)
    assert not is_assessment_overdue(cutoff, day)
    assert is_assessment_overdue(cutoff - timedelta(days=1), day)
