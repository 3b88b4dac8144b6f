"""How long the law lets an appointment, an AMU chair and an agreement run.

Pure: dates and numbers in, dates or answers out; no database, no web, no clock. The
appointments service asks these when it checks a form, and the rule engine asks them when
it judges the register, so the two cannot disagree.

- A verneombud, hovedverneombud or AMU member is elected for two years (forskrift §§ 3-4,
  3-15; the company may set another term). The occupational health service's member of
  AMU is not elected, so its end date is not limited.
- The AMU chair is chosen for one year at a time (forskrift § 3-12).
- An agreement on another arrangement than a verneombud runs for at most
  `RuleSettings.agreement_max_years` (AML § 6-1).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

# The kinds of appointment that are elected for a term (appointment kind values).
TERM_KINDS = frozenset({"safety_rep", "chief_safety_rep", "amu_member"})
DEFAULT_TERM_YEARS = 2  # forskrift §§ 3-4, 3-15
CHAIR_YEARS = 1  # forskrift § 3-12


# --- calendar arithmetic ----------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_end(start: date, years: int) -> date:
    """The last day of a period of `years` years starting on `start`."""
    return add_years(start, years) - timedelta(days=1)


# --- terms of office ----------------------------------------------------------------------


def has_term(kind: str) -> bool:
    """Whether an appointment of this kind is elected for a term."""
    return kind in TERM_KINDS


def term_last_day(starts_on: date, term_years: int) -> date:
    """The last day a term starting on `starts_on` may have."""
    return period_end(starts_on, term_years)


def term_ends_on(
    *, kind: str, starts_on: date, ends_on: date | None, term_years: int
) -> date | None:
    """The end date to record: the one given, or for a kind with a term, the term's last day."""
    if ends_on is None and has_term(kind):
        return term_last_day(starts_on, term_years)
    return ends_on


def exceeds_term(
    *, kind: str, amu_side: str | None, starts_on: date, ends_on: date | None, term_years: int
) -> bool:
    """Whether `ends_on` lies past the longest term (a re-election is a new appointment)."""
    return (
        ends_on is not None
        and has_term(kind)
        and ends_on > term_last_day(starts_on, term_years)
        and amu_side != "ohs"
    )


# --- the AMU chair and the agreement on another arrangement --------------------------------


def chair_last_day(starts_on: date) -> date:
    """The last day an AMU chair period starting on `starts_on` may have (one year)."""
    return period_end(starts_on, CHAIR_YEARS)


def agreement_last_day(valid_from: date, max_years: int) -> date:
    """The last day an agreement on another arrangement than a verneombud may run."""
    return period_end(valid_from, max_years)
