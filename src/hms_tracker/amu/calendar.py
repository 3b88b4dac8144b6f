"""The HMS year (årshjul): every dated duty of the company between two days, as one list
of calendar items, and a person's calendar feed (a secret, revocable iCalendar address).

What is on it, and when:

- AMU meeting (`AmuMeeting`): `meets_on`, from `starts_at` to `ends_at` (local times);
  done when held;
- term (`Appointment`): its last day, the term's end (`ends_on`) or an earlier end
  (`ended_on`);
- training: the day a completion expires, or the last day of the grace period of a course
  never completed (the rule engine's report on `today`);
- routine review: `next_review_on` of a routine not archived;
- risk reassessment: `risk_assessment_due(last_assessed_on)` of a risk not archived;
- the yearly review of the internal control (internkontrollforskriften § 5 nr. 8): 15
  December of each year; done when the year's barometer snapshot is taken;
- the AMU's report of a year (AML § 7-2): due 31 March of the following year; done when
  approved;
- pulse survey (`Survey`): open from `opens_on` to `closes_on`; done when closed.

Training is read from the rule engine's report on `today` (cached per data version): the
courses people must take now, with when their current completion expires or, never
completed, when the grace period ends.

Filters (both may be given; an item must pass both):

- `person_id`: what concerns that person — their terms and training, the routines and
  risks they own, and the AMU meetings they are called to or sit in as an AMU member on
  the meeting's day;
- `department_id`: what concerns that department or a department below it — its risks,
  the terms and training of its people, the routines that apply to it (whole company, or
  chosen for it or a department above it) — and every AMU meeting.

The company's own deadlines (yearly review, AMU report, pulse surveys) are always shown.
Risks are only those `principal` may open (the risk register's own rule), when given.

Every read is one statement whatever the number of records (filtered by the dates in
SQL), plus the rule engine's report and the department tree for a department filter.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.accounts.models import UserSession
from hms_tracker.accounts.principal import build_principal
from hms_tracker.accounts.service import can_log_in, user_for_person
from hms_tracker.amu.models import AmuAttendance, AmuMeeting, AmuReport, CalendarFeed, MeetingStatus
from hms_tracker.appointments.forms import kind_label
from hms_tracker.appointments.models import Appointment, AppointmentKind
from hms_tracker.barometer.models import BarometerSnapshot, Survey
from hms_tracker.compliance.service import report_on
from hms_tracker.db import utcnow
from hms_tracker.organisation.models import Person
from hms_tracker.organisation.service import department_parents
from hms_tracker.risks.access import visible_clause
from hms_tracker.risks.models import Risk
from hms_tracker.routines.models import Routine, RoutineDepartment
from hms_tracker.rules.departments import ancestors_of, subtree_of
from hms_tracker.rules.engine import risk_assessment_due
from hms_tracker.rules.periods import add_months
from hms_tracker.web.auth import Principal, can
from hms_tracker.web.dates import today as today_in_norway
from hms_tracker.web.i18n import _, format_date
from hms_tracker.web.ics import Event

# The yearly review of the internal control is put on this day of each year.
YEARLY_REVIEW_DAY = (12, 15)
# The AMU's report of a year is due on this day of the following year.
AMU_REPORT_DUE = (3, 31)
# The feed: from a year back to two years ahead of the day it is read.
FEED_MONTHS_BACK = 12
FEED_MONTHS_AHEAD = 24
# The action whose holders see the calendar (/calendar), and so may keep a feed of it.
CALENDAR_ACTION = "gaps.view"
UID_DOMAIN = "hms-tracker"


class ItemKind(StrEnum):
    amu_meeting = "amu_meeting"
    term = "term"
    training = "training"
    routine = "routine"
    risk = "risk"
    yearly_review = "yearly_review"
    amu_report = "amu_report"
    survey = "survey"


# The order of a day's items after their time of day.
_KIND_ORDER = {kind: n for n, kind in enumerate(ItemKind)}


@dataclass(frozen=True)
class CalendarItem:
    day: date
    kind: ItemKind
    title: str
    uid: str  # stable per record ("amu-meeting-12"), the feed's event UID before "@"
    url: str = ""  # a path of the app
    starts_at: time | None = None  # local time (Europe/Oslo) on `day`
    ends_at: time | None = None
    last_day: date | None = None  # a period of whole days (a survey open), both included
    detail: str = ""  # where, or whom it concerns
    person_id: int | None = None
    department_id: int | None = None
    done: bool = False  # held, reviewed, approved, closed
    overdue: bool = False  # a deadline passed and not done
    cancelled: bool = False

    def sort_key(self) -> tuple[date, time, int, str]:
        return (self.day, self.starts_at or time.min, _KIND_ORDER[self.kind], self.title)


@dataclass
class Month:
    number: int
    first_day: date
    items: list[CalendarItem] = field(default_factory=list)


def _years(start: date, end: date, month_day: tuple[int, int], shift: int = 0) -> list[int]:
    """The years Y whose date (Y + shift, month, day) lies between start and end."""
    return [
        year
        for year in range(start.year - shift, end.year - shift + 1)
        if start <= date(year + shift, *month_day) <= end
    ]


def events_between(
    *,
    session: Session,
    start: date,
    end: date,
    person_id: int | None = None,
    department_id: int | None = None,
    principal: Principal | None = None,
    today: date | None = None,
) -> list[CalendarItem]:
    """The items from `start` to `end` (both included), by day and time. See the module's
    text for what is on it and what the filters keep."""
    today = today or today_in_norway()
    subtree: frozenset[int] | None = None  # the department and those below it
    covering: frozenset[int] | None = None  # the department and those above it
    if department_id is not None:
        parents = department_parents(session=session)
        subtree = subtree_of([department_id], parents)
        covering = ancestors_of([department_id], parents)
    items: list[CalendarItem] = []
    items += _meetings(session, start, end, person_id)
    items += _terms(session, start, end, person_id, subtree)
    items += _training(session, start, end, today, person_id, subtree)
    items += _routines(session, start, end, today, person_id, covering)
    items += _risks(session, start, end, today, person_id, subtree, principal)
    items += _yearly_reviews(session, start, end, today)
    items += _amu_reports(session, start, end, today)
    items += _surveys(session, start, end, today)
    return sorted(items, key=CalendarItem.sort_key)


def _meetings(
    session: Session, start: date, end: date, person_id: int | None
) -> list[CalendarItem]:
    query = (
        select(AmuMeeting)
        .where(col(AmuMeeting.meets_on) >= start, col(AmuMeeting.meets_on) <= end)
        .order_by(col(AmuMeeting.meets_on), col(AmuMeeting.starts_at))
    )
    if person_id is not None:
        called = (
            select(AmuAttendance.meeting_id)
            .join(Appointment, col(Appointment.id) == AmuAttendance.appointment_id)
            .where(Appointment.person_id == person_id)
        )
        meets_on = col(AmuMeeting.meets_on)
        member = (
            sa.exists()
            .where(
                Appointment.kind == AppointmentKind.amu_member.value,
                Appointment.person_id == person_id,
                col(Appointment.starts_on) <= meets_on,
                sa.or_(col(Appointment.ends_on).is_(None), col(Appointment.ends_on) >= meets_on),
                sa.or_(col(Appointment.ended_on).is_(None), col(Appointment.ended_on) >= meets_on),
            )
            .correlate(AmuMeeting)  # type: ignore[arg-type]
        )
        query = query.where(sa.or_(col(AmuMeeting.id).in_(called), member))
    return [
        CalendarItem(
            day=m.meets_on,
            kind=ItemKind.amu_meeting,
            title=_("AMU-møte"),
            uid=f"amu-meeting-{m.id}",
            url=f"/amu/meetings/{m.id}",
            starts_at=m.starts_at,
            ends_at=m.ends_at,
            detail=m.place,
            done=m.status == MeetingStatus.held.value,
            cancelled=m.status == MeetingStatus.cancelled.value,
        )
        for m in session.exec(query).all()
    ]


def _terms(
    session: Session,
    start: date,
    end: date,
    person_id: int | None,
    departments: frozenset[int] | None,
) -> list[CalendarItem]:
    """Appointments whose last day (term end, or an earlier end) lies in the period."""

    def between(column: Any) -> Any:
        return sa.and_(col(column).is_not(None), col(column) >= start, col(column) <= end)

    query = (
        select(Appointment, Person.name, Person.department_id)
        .outerjoin(Person, col(Person.id) == Appointment.person_id)
        .where(sa.or_(between(Appointment.ends_on), between(Appointment.ended_on)))
    )
    if person_id is not None:
        query = query.where(Appointment.person_id == person_id)
    if departments is not None:
        query = query.where(col(Person.department_id).in_(departments or {0}))
    items = []
    for appointment, name, department_id in session.exec(query).all():
        last_day = appointment.last_day()
        if last_day is None or not start <= last_day <= end:
            continue
        who = name or appointment.external_name or ""
        items.append(
            CalendarItem(
                day=last_day,
                kind=ItemKind.term,
                title=_(
                    "Vervet slutter: %(kind)s – %(name)s",
                    kind=kind_label(appointment.kind),
                    name=who,
                ),
                uid=f"appointment-end-{appointment.id}",
                url=f"/appointments/{appointment.id}",
                person_id=appointment.person_id,
                department_id=department_id,
            )
        )
    return items


def _training(
    session: Session,
    start: date,
    end: date,
    today: date,
    person_id: int | None,
    departments: frozenset[int] | None,
) -> list[CalendarItem]:
    """The rule engine's training rows of `today`: expiries and ends of grace periods."""
    rows = report_on(session=session, day=today).training
    if person_id is not None:
        rows = tuple(r for r in rows if r.person_id == person_id)
    if departments is not None:
        people = set(
            session.exec(
                select(Person.id).where(col(Person.department_id).in_(departments or {0}))
            ).all()
        )
        rows = tuple(r for r in rows if r.person_id in people)
    items = []
    for r in rows:
        if r.expires_on is not None and start <= r.expires_on <= end:
            items.append(
                CalendarItem(
                    day=r.expires_on,
                    kind=ItemKind.training,
                    title=_(
                        "Opplæringen utløper: %(course)s – %(name)s",
                        course=r.course_name,
                        name=r.person_name,
                    ),
                    uid=f"training-expires-{r.person_id}-{r.course_id}",
                    url=f"/training?course={r.course_id}",
                    person_id=r.person_id,
                    overdue=r.expires_on <= today,
                )
            )
        elif r.expires_on is None and r.due_on is not None and start <= r.due_on <= end:
            items.append(
                CalendarItem(
                    day=r.due_on,
                    kind=ItemKind.training,
                    title=_(
                        "Frist for opplæring: %(course)s – %(name)s",
                        course=r.course_name,
                        name=r.person_name,
                    ),
                    uid=f"training-due-{r.person_id}-{r.course_id}",
                    url=f"/training?course={r.course_id}",
                    person_id=r.person_id,
                    overdue=r.due_on < today,
                )
            )
    return items


def _routines(
    session: Session,
    start: date,
    end: date,
    today: date,
    person_id: int | None,
    covering: frozenset[int] | None,
) -> list[CalendarItem]:
    query = select(  # type: ignore[type-var]
        col(Routine.id), Routine.title, col(Routine.owner_id), col(Routine.next_review_on)
    ).where(
        col(Routine.archived_on).is_(None),
        col(Routine.next_review_on) >= start,
        col(Routine.next_review_on) <= end,
    )
    if person_id is not None:
        query = query.where(Routine.owner_id == person_id)
    if covering is not None:
        chosen = select(RoutineDepartment.routine_id).where(
            col(RoutineDepartment.department_id).in_(covering or {0})
        )
        query = query.where(
            sa.or_(col(Routine.whole_company).is_(True), col(Routine.id).in_(chosen))
        )
    return [
        CalendarItem(
            day=due,
            kind=ItemKind.routine,
            title=_("Rutinen skal gjennomgås: %(title)s", title=title),
            uid=f"routine-review-{routine_id}",
            url=f"/routines/{routine_id}",
            person_id=owner_id,
            overdue=due < today,
        )
        for routine_id, title, owner_id, due in session.exec(query).all()
        if due is not None
    ]


def _risks(
    session: Session,
    start: date,
    end: date,
    today: date,
    person_id: int | None,
    departments: frozenset[int] | None,
    principal: Principal | None,
) -> list[CalendarItem]:
    """Risks due for reassessment in the period. The due day is a month arithmetic of the
    last assessment (rules.engine): a window a few days wider is read, then the exact one
    kept."""
    query = select(
        Risk.id, Risk.title, Risk.department_id, Risk.owner_person_id, Risk.last_assessed_on
    ).where(
        col(Risk.archived_on).is_(None),
        col(Risk.last_assessed_on) >= add_months(start, -12) - timedelta(days=3),
        col(Risk.last_assessed_on) <= add_months(end, -12) + timedelta(days=3),
    )
    if person_id is not None:
        query = query.where(Risk.owner_person_id == person_id)
    if departments is not None:
        query = query.where(col(Risk.department_id).in_(departments or {0}))
    if principal is not None:
        query = query.where(visible_clause(principal))
    items = []
    for risk_id, title, department_id, owner_id, assessed in session.exec(query).all():
        due = risk_assessment_due(assessed)
        if not start <= due <= end:
            continue
        items.append(
            CalendarItem(
                day=due,
                kind=ItemKind.risk,
                title=_("Risikoen skal vurderes på nytt: %(title)s", title=title),
                uid=f"risk-assessment-{risk_id}",
                url=f"/risks/{risk_id}",
                person_id=owner_id,
                department_id=department_id,
                overdue=due < today,
            )
        )
    return items


def _yearly_reviews(session: Session, start: date, end: date, today: date) -> list[CalendarItem]:
    years = _years(start, end, YEARLY_REVIEW_DAY)
    if not years:
        return []
    done = set(
        session.exec(
            select(BarometerSnapshot.year).where(col(BarometerSnapshot.year).in_(years))
        ).all()
    )
    items = []
    for year in years:
        day = date(year, *YEARLY_REVIEW_DAY)
        items.append(
            CalendarItem(
                day=day,
                kind=ItemKind.yearly_review,
                title=_("Årlig gjennomgang av internkontrollen %(year)s", year=year),
                uid=f"yearly-review-{year}",
                url=f"/barometer/{year}" if year in done else "/barometer",
                done=year in done,
                overdue=year not in done and day < today,
            )
        )
    return items


def _amu_reports(session: Session, start: date, end: date, today: date) -> list[CalendarItem]:
    years = _years(start, end, AMU_REPORT_DUE, shift=1)
    if not years:
        return []
    approved = set(
        session.exec(
            select(AmuReport.year).where(
                col(AmuReport.year).in_(years), col(AmuReport.approved_at).is_not(None)
            )
        ).all()
    )
    items = []
    for year in years:
        day = date(year + 1, *AMU_REPORT_DUE)
        items.append(
            CalendarItem(
                day=day,
                kind=ItemKind.amu_report,
                title=_("Frist for AMUs årsrapport for %(year)s", year=year),
                uid=f"amu-report-{year}",
                url="/amu",
                done=year in approved,
                overdue=year not in approved and day < today,
            )
        )
    return items


def _surveys(session: Session, start: date, end: date, today: date) -> list[CalendarItem]:
    query = (
        select(Survey.id, Survey.title, Survey.opens_on, Survey.closes_on)
        .where(col(Survey.opens_on) <= end, col(Survey.closes_on) >= start)
        .order_by(col(Survey.opens_on))
    )
    return [
        CalendarItem(
            day=opens_on,
            kind=ItemKind.survey,
            title=_("Pulsundersøkelse: %(title)s", title=title),
            uid=f"survey-{survey_id}",
            url="/survey",
            last_day=closes_on,
            done=closes_on < today,
        )
        for survey_id, title, opens_on, closes_on in session.exec(query).all()
    ]


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def by_month(items: Iterable[CalendarItem], *, year: int) -> list[Month]:
    """The twelve months of `year`, each with its items; an item that began before the
    year (a survey open across New Year) is put in January."""
    months = [Month(number=n, first_day=date(year, n, 1)) for n in range(1, 13)]
    for item in items:
        day = max(item.day, date(year, 1, 1))
        if day.year == year:
            months[day.month - 1].items.append(item)
    return months


# --- the feed -----------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_feed(*, session: Session, person_id: int) -> CalendarFeed | None:
    """The person's feed in use (not revoked), if any."""
    return session.exec(
        select(CalendarFeed)
        .where(CalendarFeed.person_id == person_id, col(CalendarFeed.revoked_at).is_(None))
        .order_by(col(CalendarFeed.created_at).desc())
    ).first()


def revoke_feeds(*, session: Session, person_id: int) -> int:
    """Every feed of the person stops working; how many were in use."""
    feeds = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.person_id == person_id, col(CalendarFeed.revoked_at).is_(None)
        )
    ).all()
    now = utcnow()
    for feed in feeds:
        feed.revoked_at = now
        session.add(feed)
    session.flush()
    return len(feeds)


def create_feed(*, session: Session, person_id: int) -> str:
    """A new secret token for the person's feed (the earlier one revoked). Only its SHA-256
    is stored: the token is returned to be shown once, and never again."""
    revoke_feeds(session=session, person_id=person_id)
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(person_id=person_id, token_hash=token_hash(token)))
    session.flush()
    return token


def feed_reader(*, session: Session, token: str, today: date) -> Principal | None:
    """The person whose feed `token` opens, as a principal with the roles they have today —
    or None: an unknown or revoked token, a person without an account that may log in, or
    one who may no longer see the calendar (the feed never shows more than /calendar)."""
    if not token or len(token) > 100:
        return None
    feed = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_hash(token), col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()
    if feed is None:
        return None
    user = user_for_person(session=session, person_id=feed.person_id)
    if user is None or not can_log_in(session=session, user=user, today=today):
        return None
    # Read without a login: a session row that is never stored, with no CSRF token.
    unsaved = UserSession(id="", user_id=user.id, csrf_token="")  # type: ignore[arg-type]
    principal = build_principal(session, user, unsaved, today)
    return principal if can(principal, CALENDAR_ACTION) else None


def feed_window(today: date) -> tuple[date, date]:
    return add_months(today, -FEED_MONTHS_BACK), add_months(today, FEED_MONTHS_AHEAD)


def _description(item: CalendarItem) -> str:
    notes = [item.detail] if item.detail else []
    if item.done:
        notes.append(_("Gjennomført"))
    elif item.overdue:
        notes.append(_("Forfalt"))
    if item.last_day is not None:
        notes.append(_("Åpen til og med %(day)s", day=format_date(item.last_day)))
    return "\n".join(notes)


def feed_events(items: Iterable[CalendarItem], *, base_url: str) -> list[Event]:
    """The items as iCalendar events: AMU meetings at their local time (Europe/Oslo), the
    rest as whole days."""
    base = base_url.rstrip("/")
    events = []
    for item in items:
        starts: datetime | date
        ends: datetime | date
        if item.starts_at is not None and item.ends_at is not None:
            starts = datetime.combine(item.day, item.starts_at)
            ends = datetime.combine(item.day, item.ends_at)
        else:
            starts = item.day
            ends = (item.last_day or item.day) + timedelta(days=1)  # DTEND is exclusive
        events.append(
            Event(
                uid=f"{item.uid}@{UID_DOMAIN}",
                summary=item.title,
                starts=starts,
                ends=ends,
                description=_description(item),
                location=item.detail if item.kind is ItemKind.amu_meeting else "",
                url=base + item.url if item.url else "",
                cancelled=item.cancelled,
            )
        )
    return events
