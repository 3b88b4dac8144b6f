"""Loads the facts the rule engine needs for a date, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.db import VersionedCache
from hms_tracker.organisation.models import Person
from hms_tracker.rules.engine import (
    AgreementFact,
    AppointmentFact,
    ChairFact,
    CourseFact,
    DepartmentFact,
    DeviationFact,
    Facts,
    LeaderFact,
    RecordFact,
    Report,
    RiskFact,
    RoutineFact,
    evaluate,
)
from hms_tracker.rules.headcount import (
    Employment,
    average_last_calendar_year,
    headcount_on,
    last_calendar_year,
)
from hms_tracker.rules.settings import RuleSettings
from hms_tracker.translation import OSLO


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
            person_id=pid,
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


# The counts for a day, kept under the data version they were computed on.
COUNTS: VersionedCache[date, EmployeeCounts] = VersionedCache(size=8)


def employee_counts(*, session: Session, day: date) -> EmployeeCounts:
    """Employed on `day` and the average of last calendar year, as the rules count."""

    def count() -> EmployeeCounts:
        employments = load_employments(session=session, until=day)
        return EmployeeCounts(
            day=day,
            employed_on_day=headcount_on(employments, day),
            average_last_year=average_last_calendar_year(employments, day),
            last_year=last_calendar_year(day)[0].year,
        )

    return COUNTS.get_or_compute(session, day, count)


def load_facts(*, session: Session, day: date) -> Facts:
    """Everything the rule engine needs for `day`, in a fixed number of queries."""
    from hms_tracker.amu.models import AmuReport
    from hms_tracker.appointments.models import (
        AmuChairPeriod,
        Appointment,
        AppointmentArea,
        SafetyRepAgreement,
    )
    from hms_tracker.organisation.models import Department, DepartmentLeader
    from hms_tracker.training.models import CourseType, TrainingRecord

    # Projections, not ORM rows: only the columns the rules read.
    names = ("id", "kind", "person_id", "external_name", "starts_on", "ends_on", "ended_on")
    appointment_columns = [getattr(Appointment, n) for n in (*names, "amu_side", "is_deputy")]
    areas: dict[int, set[int]] = {}
    for appointment_id, department_id in session.exec(
        select(AppointmentArea.appointment_id, AppointmentArea.department_id)
    ).all():
        areas.setdefault(appointment_id, set()).add(department_id)
    appointments = tuple(
        AppointmentFact(
            id=a_id,
            kind=kind,
            person_id=person_id,
            name=external_name or "",
            starts_on=starts_on,
            ends_on=ends_on,
            ended_on=ended_on,
            amu_side=amu_side,
            is_deputy=is_deputy,
            area_ids=frozenset(areas.get(a_id, ())),
        )
        for (
            a_id, kind, person_id, external_name, starts_on, ends_on, ended_on, amu_side,
            is_deputy,
        ) in session.execute(
            sa.select(*appointment_columns).where(col(Appointment.starts_on) <= day)
        ).all()
    )  # fmt: skip
    courses = tuple(
        CourseFact(
            id=c.id,
            name=c.name,
            legal_basis=c.legal_basis or "",
            required_hours=Decimal(c.required_hours),
            validity_months=c.validity_months,
            required_kinds=c.required_kinds(),
            required_for_leaders=c.required_for_leaders,
        )
        for c in session.exec(select(CourseType).where(col(CourseType.archived_on).is_(None))).all()
    )
    records = tuple(
        RecordFact(
            id=r_id,
            person_id=person_id,
            course_type_id=course_type_id,
            completed_on=completed_on,
            hours=Decimal(hours),
        )
        for r_id, person_id, course_type_id, completed_on, hours in session.exec(
            select(
                TrainingRecord.id,
                TrainingRecord.person_id,
                TrainingRecord.course_type_id,
                TrainingRecord.completed_on,
                TrainingRecord.hours,
            ).where(TrainingRecord.completed_on <= day, col(TrainingRecord.withdrawn_on).is_(None))
        ).all()
    )
    approved_until = datetime.combine(day + timedelta(days=1), time(0), tzinfo=OSLO)
    report_years = frozenset(
        session.exec(
            select(AmuReport.year).where(
                col(AmuReport.approved_at).is_not(None), col(AmuReport.approved_at) < approved_until
            )
        ).all()
    )
    return Facts(
        amu_report_years=report_years,
        employments=tuple(load_employments(session=session, until=day)),
        appointments=appointments,
        chairs=tuple(
            ChairFact(c.appointment_id, c.starts_on, c.ends_on)
            for c in session.exec(select(AmuChairPeriod)).all()
        ),
        courses=courses,
        records=records,
        agreements=tuple(
            AgreementFact(ag.id, ag.valid_from, ag.valid_to)
            for ag in session.exec(select(SafetyRepAgreement)).all()
        ),
        departments=tuple(
            DepartmentFact(*row)
            for row in session.exec(
                select(
                    col(Department.id),
                    col(Department.name),
                    col(Department.parent_id),
                    col(Department.closed_on),
                )
            ).all()
        ),
        leaders=tuple(
            LeaderFact(*row)
            for row in session.exec(
                select(
                    col(DepartmentLeader.person_id),
                    col(DepartmentLeader.department_id),
                    col(DepartmentLeader.starts_on),
                )
            ).all()
        ),
        person_names={
            pid: name
            for pid, name in session.exec(select(Person.id, Person.name)).all()
            if pid is not None
        },
        routines=load_routine_facts(session=session, day=day),
        deviations=load_deviation_facts(session=session),
        risks=load_risk_facts(session=session, day=day),
    )


def load_risk_facts(*, session: Session, day: date) -> tuple[RiskFact, ...]:
    """Risks not archived on `day`, with their linked routines and the deadlines of their
    open planned measures, in three queries. (As for deviations, the facts are the register
    as it is now: `?on=` days do not replay it.)"""
    from hms_tracker.deviations.models import CorrectiveAction
    from hms_tracker.risks.models import Risk, RiskRoutine

    rows = session.exec(
        select(Risk).where(
            sa.or_(col(Risk.archived_on).is_(None), col(Risk.archived_on) > day),
        )
    ).all()
    if not rows:
        return ()
    links: dict[int, set[int]] = {}
    for risk_id, routine_id in session.exec(
        select(RiskRoutine.risk_id, RiskRoutine.routine_id)
    ).all():
        links.setdefault(risk_id, set()).add(routine_id)
    deadlines: dict[int, list[date]] = {}
    for risk_id, deadline in session.exec(
        select(CorrectiveAction.risk_id, CorrectiveAction.deadline).where(
            col(CorrectiveAction.risk_id).is_not(None),
            col(CorrectiveAction.done_on).is_(None),
            col(CorrectiveAction.withdrawn_at).is_(None),
        )
    ).all():
        if risk_id is not None:
            deadlines.setdefault(risk_id, []).append(deadline)
    return tuple(
        RiskFact(
            id=r.id,
            title=r.title,
            score=r.risk_score,
            last_assessed_on=r.last_assessed_on,
            routine_ids=frozenset(links.get(r.id, ())),
            measure_deadlines=tuple(sorted(deadlines.get(r.id, ()))),
        )
        for r in rows
    )


def load_deviation_facts(*, session: Session) -> tuple[DeviationFact, ...]:
    """Open deviations and every serious injury, with their open actions' deadlines, in two
    queries. (Facts hold the state as it is now; `?on=` days do not replay deviations.)"""
    from hms_tracker.deviations.models import OPEN_STATUSES, CorrectiveAction, Deviation

    open_values = [s.value for s in OPEN_STATUSES]
    rows = session.exec(
        select(
            col(Deviation.id),
            col(Deviation.title),
            col(Deviation.status),
            col(Deviation.serious_injury),
            col(Deviation.notified_at),
            col(Deviation.deadline),
            col(Deviation.created_at),
        ).where(
            sa.or_(
                col(Deviation.status).in_(open_values),
                # A rejected report (e.g. a duplicate) awaits no notification of its own.
                sa.and_(col(Deviation.serious_injury), Deviation.status != "rejected"),
            )
        )
    ).all()
    if not rows:
        return ()
    deadlines: dict[int, list[date]] = {}
    for deviation_id, deadline in session.exec(
        select(CorrectiveAction.deviation_id, CorrectiveAction.deadline)
        .join(Deviation, col(Deviation.id) == CorrectiveAction.deviation_id)
        .where(
            col(Deviation.status).in_(open_values),
            col(CorrectiveAction.done_on).is_(None),
            col(CorrectiveAction.withdrawn_at).is_(None),
        )
    ).all():
        if deviation_id is not None:
            deadlines.setdefault(deviation_id, []).append(deadline)
    return tuple(
        DeviationFact(
            id=did,
            title=title,
            is_open=status in open_values,
            serious_injury=serious,
            notified=notified_at is not None,
            deadline=deadline,
            action_deadlines=tuple(sorted(deadlines.get(did, ()))),
            registered_on=created_at.astimezone(OSLO).date(),
            unassigned=status == "registered",
        )
        for did, title, status, serious, notified_at, deadline, created_at in rows
    )


def load_routine_facts(*, session: Session, day: date) -> tuple[RoutineFact, ...]:
    """Routines with a version in force on `day` (not archived on `day`), in three queries.

    The version history decides: a version was in force on `day` when it was published on
    or before `day` and superseded (or its routine archived) after `day`, so a past day
    counts the version of that day even if a newer one is in force now. Reviews count up
    to `day`, and only those "without change" (one that found a new version is needed does
    not make the routine up to date). Tags, scope and review interval are the routine's
    current ones (they have no history)."""
    from hms_tracker.routines.models import (
        ReviewOutcome,
        Routine,
        RoutineReview,
        RoutineTag,
        RoutineVersion,
        VersionStatus,
    )

    rows = session.exec(
        select(
            col(Routine.id),
            col(Routine.review_interval_months),
            col(Routine.whole_company),
            col(RoutineVersion.number),
            col(RoutineVersion.title),
            col(RoutineVersion.published_on),
            col(RoutineVersion.archived_at),
        )
        .join(RoutineVersion, col(RoutineVersion.routine_id) == Routine.id)
        .where(
            col(RoutineVersion.status).in_(
                [VersionStatus.published.value, VersionStatus.archived.value]
            ),
            col(RoutineVersion.published_on) <= day,
            sa.or_(col(Routine.archived_on).is_(None), col(Routine.archived_on) > day),
        )
    ).all()
    # routine id -> (title of the version, interval, whole company, number, published on)
    in_force: dict[int, tuple[str, int, bool, int, date]] = {}
    for rid, months, whole, number, title, published_on, archived_at in rows:
        if archived_at is not None and archived_at.astimezone(OSLO).date() <= day:
            continue  # superseded (or archived) on or before `day`
        if rid in in_force and in_force[rid][3] > number:
            continue
        in_force[rid] = (title, months, whole, number, published_on)
    if not in_force:
        return ()
    reviewed: dict[int, date] = {}
    for routine_id, reviewed_on in session.exec(
        select(RoutineReview.routine_id, sa.func.max(RoutineReview.reviewed_on))
        .where(
            RoutineReview.reviewed_on <= day,
            RoutineReview.outcome == ReviewOutcome.no_change.value,
        )
        .group_by(col(RoutineReview.routine_id))
    ).all():
        reviewed[routine_id] = reviewed_on
    tags: dict[int, set[str]] = {}
    for routine_id, tag in session.exec(select(RoutineTag.routine_id, RoutineTag.tag)).all():
        tags.setdefault(routine_id, set()).add(tag)
    return tuple(
        RoutineFact(
            id=rid,
            title=title,
            reviewed_on=max(d for d in (published_on, reviewed.get(rid)) if d is not None),
            interval_months=months,
            tags=frozenset(tags.get(rid, ())),
            whole_company=whole,
        )
        for rid, (title, months, whole, _number, published_on) in in_force.items()
    )


def load_rule_settings(*, session: Session) -> RuleSettings:
    """The company's thresholds for the rules (`CompanySetting` rows named `rules.<field>`,
    edited at /settings; empty or unreadable means the default), in one query. The one
    reader of those rows: the settings page, the forms that apply a threshold and the
    engine all ask this."""
    from hms_tracker.organisation.models import CompanySetting

    def load() -> RuleSettings:
        values = {
            row.key: row.value
            for row in session.exec(
                select(CompanySetting).where(col(CompanySetting.key).startswith("rules."))
            ).all()
        }
        return RuleSettings.from_values(values)

    return RULE_SETTINGS.get_or_compute(session, "rules", load)


# The thresholds, kept under the data version (a change of a setting changes it).
RULE_SETTINGS: VersionedCache[str, RuleSettings] = VersionedCache(size=1)


# The rule engine's reports, each kept under the data version it was computed on: a few
# days' reports (today's, and the days someone looks back or ahead to).
REPORTS: VersionedCache[date, Report] = VersionedCache(size=8)


def evaluate_on(*, session: Session, day: date) -> Report:
    """The rule engine's report for `day`, with the company's settings: from REPORTS when
    the records have not changed since it was computed."""
    return REPORTS.get_or_compute(
        session,
        day,
        lambda: evaluate(
            load_facts(session=session, day=day), day, load_rule_settings(session=session)
        ),
    )
