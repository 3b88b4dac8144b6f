"""Deviation statistics (/deviations/stats): pure computations over plain data, and one
loader that fetches that data in a fixed number of queries.

Definitions (shown on the page as well):

- **Dates** are days in Norway (Europe/Oslo): a deviation registered at 00:30 Norwegian time
  on 1 March belongs to 1 March, whatever the UTC timestamp says.
- **The last 12 months** are the 365 days ending today: ``today - 365 < day <= today``. A
  deviation registered exactly 365 days ago is outside; 364 days ago is inside.
- **Registrations** are counted by registration date (``created_at``), every report the
  company received: anonymous ones, and rejected ones too (a rejected report was still a
  report; reporting culture is what these figures measure).
- **Open deviations by age**: status registered, in progress or actions
  (``OPEN_STATUSES``), by whole days since registration: 0–7, 8–30, 31–90, over 90.
- **Overdue actions**: corrective actions of a deviation that are neither done nor
  withdrawn and whose deadline is before today.
- **Median days to close**: deviations with status closed and a closing date within the
  last 12 months; for each, the days from registration date to closing date (closed the
  same day = 0). The median of those; with an even number, the mean of the two middle
  values. None when nothing was closed.
- **Reports per 100 employees**: registrations in the last 12 months / the average number
  employed over the same 365 days × 100. Everyone counts, as the verneombud rule counts
  (AML § 6-1: full- and part-time, temporary and hired-in), each for the share of the period
  they were employed (``rules.headcount.average_headcount`` with no hour limit). With a
  department filter: the people whose current department is among the chosen ones.
- **Departments with no reports**: open departments (not closed, or closed after today)
  with no registration in the last 12 months, each department on its own (reports from a
  sub-department do not count for its parent).
- **Near misses to injuries**: near misses : personal injuries registered in the last 12
  months, rejected reports left out (a rejected report was judged not to be that event).
  None when there were no injuries.
- **H1 and H2** (the usual Norwegian definition) for a calendar year with hours worked
  entered: H1 = personal injuries with absence per million hours worked; H2 = all personal
  injuries (with and without absence) per million hours worked. Injuries are counted by the
  day they happened (``occurred_at``), rejected reports left out, for the whole company
  (hours worked are entered for the company, so the department filter does not apply).

The department filter (`department_ids`) narrows every figure except H1/H2; the caller
passes a department with the departments below it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.db import VersionedCache
from hms_tracker.deviations.models import (
    OPEN_STATUSES,
    CorrectiveAction,
    Deviation,
    DeviationCategory,
    DeviationStatus,
)
from hms_tracker.errors import InvalidInput
from hms_tracker.organisation.models import CompanySetting, Department, Person
from hms_tracker.rules.headcount import Employment, average_headcount
from hms_tracker.web.i18n import OSLO, _
from hms_tracker.web.params import parse_int

WINDOW_DAYS = 365
HOURS_KEY_PREFIX = "deviations.hours_worked."
HOURS_YEAR_MIN, HOURS_YEAR_MAX = 2000, 2100
HOURS_MAX = 1_000_000_000
MILLION = 1_000_000

# (first day, last day or None for "and older")
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 30), (31, 90), (91, None))


# --- plain data the computations take -----------------------------------------------------


@dataclass(frozen=True)
class DeviationFact:
    id: int
    department_id: int
    category: str
    status: str
    created_on: date  # registration day in Norway
    occurred_on: date
    closed_on: date | None = None
    caused_absence: bool | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class ActionFact:
    action_id: int
    deviation_id: int
    department_id: int
    description: str
    owner_name: str
    deadline: date
    done_on: date | None = None
    withdrawn: bool = False

    @property
    def is_open(self) -> bool:
        return self.done_on is None and not self.withdrawn


@dataclass(frozen=True)
class DepartmentFact:
    id: int
    name: str
    closed_on: date | None = None

    def is_open_on(self, day: date) -> bool:
        return self.closed_on is None or self.closed_on > day


@dataclass(frozen=True)
class StatsInput:
    """Everything the figures are computed from. Lists may hold more than is needed (the
    computation applies the window and the filter itself), so tests can pass anything."""

    today: date
    deviations: list[DeviationFact]
    actions: list[ActionFact]
    departments: list[DepartmentFact]
    employments: list[Employment]  # already narrowed to the filter's people
    hours_worked: Mapping[int, int]
    injuries: list[DeviationFact]  # personal injuries of the years with hours (whole company)
    department_ids: frozenset[int] | None = None


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBucket:
    min_days: int
    max_days: int | None
    count: int


@dataclass(frozen=True)
class OverdueAction:
    action_id: int
    deviation_id: int
    description: str
    owner_name: str
    deadline: date
    days_overdue: int


@dataclass(frozen=True)
class MonthCount:
    month: date  # first day of the month
    count: int


@dataclass(frozen=True)
class DepartmentCount:
    department_id: int
    name: str
    count: int


@dataclass(frozen=True)
class InjuryRate:
    year: int
    hours_worked: int | None
    injuries_with_absence: int
    injuries: int

    @property
    def h1(self) -> Fraction | None:
        """Personal injuries with absence per million hours worked."""
        if not self.hours_worked:
            return None
        return Fraction(self.injuries_with_absence * MILLION, self.hours_worked)

    @property
    def h2(self) -> Fraction | None:
        """All personal injuries per million hours worked."""
        if not self.hours_worked:
            return None
        return Fraction(self.injuries * MILLION, self.hours_worked)


@dataclass(frozen=True)
class DeviationStats:
    today: date
    window_first: date  # first day of the last 12 months (today - 364)
    department_ids: frozenset[int] | None
    open_by_age: list[AgeBucket]
    overdue_actions: list[OverdueAction]
    closed_count: int
    median_days_to_close: Fraction | None
    per_month: list[MonthCount]
    per_department: list[DepartmentCount]
    registrations: int
    average_headcount: Fraction
    departments_without_reports: list[DepartmentFact]
    near_misses: int
    injuries: int
    injury_rates: list[InjuryRate] = field(default_factory=list)

    @property
    def open_total(self) -> int:
        return sum(b.count for b in self.open_by_age)

    @property
    def overdue_count(self) -> int:
        return len(self.overdue_actions)

    @property
    def reports_per_100(self) -> Fraction | None:
        """Registrations in the last 12 months per 100 employees (average headcount)."""
        if self.average_headcount <= 0:
            return None
        return Fraction(self.registrations) / self.average_headcount * 100

    @property
    def near_miss_ratio(self) -> Fraction | None:
        """Near misses per personal injury; None without injuries."""
        if self.injuries == 0:
            return None
        return Fraction(self.near_misses, self.injuries)


# --- pure computations --------------------------------------------------------------------


def window_first(today: date) -> date:
    """The first day of the last 12 months: today - 364 (so today - 365 is outside)."""
    return today - timedelta(days=WINDOW_DAYS - 1)


def in_window(day: date, today: date) -> bool:
    return today - timedelta(days=WINDOW_DAYS) < day <= today


def window_months(today: date) -> list[date]:
    """The first day of each calendar month the last 12 months touch (`window_first` to
    today), oldest first: 13 when the window begins inside a month (the first and the last
    in part), so that every report of the window is in one of them."""
    first = window_first(today)
    months = []
    year, month = first.year, first.month
    while (year, month) <= (today.year, today.month):
        months.append(date(year, month, 1))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def median(values: Iterable[int]) -> Fraction | None:
    """The middle value; with an even count, the mean of the two middle values."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    mid = n // 2
    if n % 2:
        return Fraction(ordered[mid])
    return Fraction(ordered[mid - 1] + ordered[mid], 2)


def age_bucket(days: int) -> int:
    """Index into AGE_BUCKETS for an age in days (a negative age counts as 0)."""
    days = max(days, 0)
    for index, (_low, high) in enumerate(AGE_BUCKETS):
        if high is None or days <= high:
            return index
    return len(AGE_BUCKETS) - 1  # pragma: no cover


def compute(data: StatsInput) -> DeviationStats:
    today, ids = data.today, data.department_ids

    def wanted(department_id: int) -> bool:
        return ids is None or department_id in ids

    deviations = [d for d in data.deviations if wanted(d.department_id)]

    ages = [0] * len(AGE_BUCKETS)
    for d in deviations:
        if d.is_open:
            ages[age_bucket((today - d.created_on).days)] += 1
    open_by_age = [
        AgeBucket(low, high, count) for (low, high), count in zip(AGE_BUCKETS, ages, strict=True)
    ]

    overdue = sorted(
        (
            OverdueAction(
                action_id=a.action_id,
                deviation_id=a.deviation_id,
                description=a.description,
                owner_name=a.owner_name,
                deadline=a.deadline,
                days_overdue=(today - a.deadline).days,
            )
            for a in data.actions
            if a.is_open and a.deadline < today and wanted(a.department_id)
        ),
        key=lambda a: (a.deadline, a.action_id),
    )

    closed_days = [
        (d.closed_on - d.created_on).days
        for d in deviations
        if d.status == DeviationStatus.closed
        and d.closed_on is not None
        and in_window(d.closed_on, today)
    ]

    registered = [d for d in deviations if in_window(d.created_on, today)]
    months = window_months(today)
    month_counts = dict.fromkeys(months, 0)
    for d in registered:
        key = d.created_on.replace(day=1)
        if key in month_counts:
            month_counts[key] += 1

    names = {dept.id: dept.name for dept in data.departments}
    by_department: dict[int, int] = {}
    for d in registered:
        by_department[d.department_id] = by_department.get(d.department_id, 0) + 1
    per_department = sorted(
        (
            DepartmentCount(dept_id, names.get(dept_id, str(dept_id)), count)
            for dept_id, count in by_department.items()
        ),
        key=lambda c: (-c.count, c.name.casefold(), c.department_id),
    )
    without = sorted(
        (
            dept
            for dept in data.departments
            if dept.is_open_on(today) and wanted(dept.id) and dept.id not in by_department
        ),
        key=lambda dept: (dept.name.casefold(), dept.id),
    )

    counted = [d for d in registered if d.status != DeviationStatus.rejected]
    near_misses = sum(1 for d in counted if d.category == DeviationCategory.near_miss)
    injuries = sum(1 for d in counted if d.category == DeviationCategory.personal_injury)

    return DeviationStats(
        today=today,
        window_first=window_first(today),
        department_ids=ids,
        open_by_age=open_by_age,
        overdue_actions=overdue,
        closed_count=len(closed_days),
        median_days_to_close=median(closed_days),
        per_month=[MonthCount(m, month_counts[m]) for m in months],
        per_department=per_department,
        registrations=len(registered),
        average_headcount=average_headcount(
            data.employments, window_first(today), today, min_weekly_hours=Decimal(0)
        ),
        departments_without_reports=without,
        near_misses=near_misses,
        injuries=injuries,
        injury_rates=injury_rates(
            injuries=data.injuries, hours_worked=data.hours_worked, today=today
        ),
    )


def injury_rates(
    *, injuries: Iterable[DeviationFact], hours_worked: Mapping[int, int], today: date
) -> list[InjuryRate]:
    """One row per year with hours entered, and always last calendar year (not computed
    when its hours are missing); newest first."""
    years = set(hours_worked) | {today.year - 1}
    with_absence: dict[int, int] = {}
    total: dict[int, int] = {}
    for d in injuries:
        if d.category != DeviationCategory.personal_injury or d.status == DeviationStatus.rejected:
            continue
        year = d.occurred_on.year
        total[year] = total.get(year, 0) + 1
        if d.caused_absence:
            with_absence[year] = with_absence.get(year, 0) + 1
    return [
        InjuryRate(
            year=year,
            hours_worked=hours_worked.get(year),
            injuries_with_absence=with_absence.get(year, 0),
            injuries=total.get(year, 0),
        )
        for year in sorted(years, reverse=True)
    ]


# --- loading ------------------------------------------------------------------------------


def _oslo_day(value: datetime) -> date:
    return value.astimezone(OSLO).date()


def start_of(day: date) -> datetime:
    """Midnight in Norway at the start of `day`, as a UTC timestamp."""
    return datetime.combine(day, time(0), OSLO).astimezone(UTC)


# The columns the figures need: a projection, not whole deviations (their texts are long).
FACT_COLUMNS = (
    col(Deviation.id),
    col(Deviation.department_id),
    col(Deviation.category),
    col(Deviation.status),
    col(Deviation.created_at),
    col(Deviation.occurred_at),
    col(Deviation.closed_at),
    col(Deviation.caused_absence),
)


def _fact(row: Any) -> DeviationFact:
    id_, department_id, category, status, created_at, occurred_at, closed_at, absence = row
    return DeviationFact(
        id=id_,
        department_id=department_id,
        category=category,
        status=status,
        created_on=_oslo_day(created_at),
        occurred_on=_oslo_day(occurred_at),
        closed_on=_oslo_day(closed_at) if closed_at else None,
        caused_absence=absence,
    )


# The figures for a day and department filter, kept under the data version they were
# computed on (a new report, a closed case or an action done changes it).
STATS: VersionedCache[tuple[date, frozenset[int] | None], DeviationStats] = VersionedCache(size=16)


def load_stats(
    session: Session, *, today: date, department_ids: Iterable[int] | None = None
) -> DeviationStats:
    """The figures for `today` (for the departments `department_ids`, or the whole
    company): as computed for the records as they are now, computed again after a write."""
    ids = frozenset(department_ids) if department_ids is not None else None
    return STATS.get_or_compute(
        session, (today, ids), lambda: compute_stats(session, today=today, department_ids=ids)
    )


def compute_stats(
    session: Session, *, today: date, department_ids: frozenset[int] | None
) -> DeviationStats:
    """Load what the figures need (seven queries whatever the data) and compute them."""
    ids = department_ids
    since = start_of(window_first(today))
    until = start_of(today + timedelta(days=1))

    # 1. Deviations that are open, registered in the window or closed in the window.
    query = select(*FACT_COLUMNS).where(
        sa.or_(
            col(Deviation.status).in_([s.value for s in OPEN_STATUSES]),
            sa.and_(col(Deviation.created_at) >= since, col(Deviation.created_at) < until),
            sa.and_(col(Deviation.closed_at) >= since, col(Deviation.closed_at) < until),
        )
    )
    if ids is not None:
        query = query.where(col(Deviation.department_id).in_(ids))
    deviations = [_fact(row) for row in session.exec(query).all()]

    # 2. Open corrective actions past their deadline, with the owner's name.
    action_query = (
        select(
            CorrectiveAction.id,
            CorrectiveAction.deviation_id,
            Deviation.department_id,
            CorrectiveAction.description,
            Person.name,
            CorrectiveAction.deadline,
        )
        .join(Deviation, col(Deviation.id) == col(CorrectiveAction.deviation_id))
        .join(Person, col(Person.id) == col(CorrectiveAction.owner_person_id))
        .where(
            col(CorrectiveAction.done_on).is_(None),
            col(CorrectiveAction.withdrawn_at).is_(None),
            col(CorrectiveAction.deadline) < today,
        )
    )
    if ids is not None:
        action_query = action_query.where(col(Deviation.department_id).in_(ids))
    actions = [
        ActionFact(
            action_id=action_id,
            deviation_id=deviation_id,
            department_id=department_id,
            description=description,
            owner_name=owner,
            deadline=deadline,
        )
        for action_id, deviation_id, department_id, description, owner, deadline in session.exec(
            action_query
        ).all()
    ]

    # 3. Departments.
    departments = [
        DepartmentFact(id=dept_id, name=name, closed_on=closed_on)
        for dept_id, name, closed_on in session.exec(
            select(col(Department.id), col(Department.name), col(Department.closed_on))
        ).all()
    ]

    # 4. Employments over the window (everyone; with a filter, the filter's people).
    people = select(
        col(Person.id), col(Person.employed_from), col(Person.employed_to), col(Person.weekly_hours)
    ).where(
        col(Person.employed_from) <= today,
        sa.or_(col(Person.employed_to).is_(None), col(Person.employed_to) >= window_first(today)),
    )
    if ids is not None:
        people = people.where(col(Person.department_id).in_(ids))
    employments = [
        Employment(person_id=pid, employed_from=start, employed_to=end, weekly_hours=hours)
        for pid, start, end, hours in session.exec(people).all()
    ]

    # 5. Hours worked per year; 6. personal injuries of those years (whole company).
    hours = hours_worked(session=session)
    years = set(hours) | {today.year - 1}
    injury_query = select(*FACT_COLUMNS).where(
        col(Deviation.category) == DeviationCategory.personal_injury.value,
        col(Deviation.occurred_at) >= start_of(date(min(years), 1, 1)),
        col(Deviation.occurred_at) < start_of(date(max(years) + 1, 1, 1)),
    )
    injuries = [_fact(row) for row in session.exec(injury_query).all()]

    return compute(
        StatsInput(
            today=today,
            deviations=deviations,
            actions=actions,
            departments=departments,
            employments=employments,
            hours_worked=hours,
            injuries=injuries,
            department_ids=ids,
        )
    )


# --- hours worked per year (company settings) ---------------------------------------------


def hours_worked(*, session: Session) -> dict[int, int]:
    """Hours worked per calendar year as entered by the admin (empty values are unset)."""
    rows = session.exec(
        select(CompanySetting).where(col(CompanySetting.key).startswith(HOURS_KEY_PREFIX))
    ).all()
    result: dict[int, int] = {}
    for row in rows:
        year_text = row.key.removeprefix(HOURS_KEY_PREFIX)
        year, hours = parse_int(year_text), parse_int(row.value, minimum=1, maximum=10**12)
        if year is not None and hours is not None:
            result[year] = hours
    return result


_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


def _whole_number(text: str) -> int | None:
    cleaned = text.strip().translate(_SPACES)
    return parse_int(cleaned, maximum=10**12 - 1)


def save_hours_worked(*, session: Session, values: Mapping[str, object]) -> tuple[int, int | None]:
    """Store the hours worked for a year (`year`, `hours`). An empty `hours` removes the
    year's figure, when there is one. Returns (year, hours or None when removed)."""
    year_text = str(values.get("year") or "").strip()
    hours_text = str(values.get("hours") or "").strip()
    errors: dict[str, str] = {}
    year = _whole_number(year_text)
    if not year_text:
        errors["year"] = _("Fyll ut dette feltet.")
    elif year is None:
        errors["year"] = _("Skriv årstallet med fire sifre, for eksempel 2025.")
    elif not HOURS_YEAR_MIN <= year <= HOURS_YEAR_MAX:
        errors["year"] = _(
            "Året må være mellom %(min)s og %(max)s.", min=HOURS_YEAR_MIN, max=HOURS_YEAR_MAX
        )
    hours = _whole_number(hours_text)
    existing = session.get(CompanySetting, f"{HOURS_KEY_PREFIX}{year}") if year else None
    if not hours_text:
        if year is not None and "year" not in errors and (existing is None or not existing.value):
            errors["hours"] = _("Fyll ut dette feltet.")
    elif hours is None:
        errors["hours"] = _("Skriv et helt antall timer, uten desimaler.")
    elif not 1 <= hours <= HOURS_MAX:
        errors["hours"] = _("Antall timer må være mellom 1 og %(max)s.", max="1 000 000 000")
    if errors:
        raise InvalidInput(errors)
    assert year is not None
    value = str(hours) if hours_text else ""
    if existing is None:
        session.add(CompanySetting(key=f"{HOURS_KEY_PREFIX}{year}", value=value))
    elif existing.value != value:
        existing.value = value
        session.add(existing)
    session.flush()
    return year, hours if hours_text else None
