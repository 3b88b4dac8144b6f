"""The rule engine: pure functions over the company's records and a date.

It answers, for any day, per person and required course: ok, in_grace, expiring, missing
or expired; and company-wide, for each rule of the law (as changed on 1 January 2024), a
finding with the records that prove it. Pages, the barometer and reminders all ask this
module; no rule lives anywhere else. No database, no web, no clock: the day is a parameter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hms_tracker.rules.departments import subtree_of
from hms_tracker.rules.findings import Finding, Ref, Status
from hms_tracker.rules.headcount import Employment, average_last_calendar_year, headcount_on
from hms_tracker.rules.periods import TERM_KINDS, add_months, agreement_last_day, chair_last_day
from hms_tracker.rules.settings import RuleSettings

SAFETY_REP = "safety_rep"
CHIEF_SAFETY_REP = "chief_safety_rep"
AMU_MEMBER = "amu_member"
MANAGING_DIRECTOR = "managing_director"
OHS_CONTACT = "ohs_contact"
LEADER = "leader"  # pseudo-kind: leads a department


# --- facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentFact:
    id: int
    kind: str
    person_id: int | None
    name: str
    starts_on: date
    ends_on: date | None = None
    ended_on: date | None = None
    amu_side: str | None = None
    is_deputy: bool = False
    area_ids: frozenset[int] = frozenset()

    @property
    def last_day(self) -> date | None:
        days = [d for d in (self.ends_on, self.ended_on) if d is not None]
        return min(days) if days else None

    def is_active_on(self, day: date) -> bool:
        last = self.last_day
        return self.starts_on <= day and (last is None or day <= last)

    def holder(self) -> tuple[int | None, str]:
        return (self.person_id, "" if self.person_id else self.name)


@dataclass(frozen=True)
class ChairFact:
    appointment_id: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class CourseFact:
    id: int
    name: str
    legal_basis: str
    required_hours: Decimal
    validity_months: int | None
    required_kinds: frozenset[str]
    required_for_leaders: bool = False


@dataclass(frozen=True)
class RecordFact:
    id: int
    person_id: int
    course_type_id: int
    completed_on: date
    hours: Decimal


@dataclass(frozen=True)
class AgreementFact:
    id: int
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class DepartmentFact:
    id: int
    name: str
    parent_id: int | None = None
    closed_on: date | None = None

    def is_open_on(self, day: date) -> bool:
        return self.closed_on is None or self.closed_on > day


@dataclass(frozen=True)
class LeaderFact:
    person_id: int
    department_id: int
    starts_on: date | None = None  # unknown for leaders registered before it was recorded

    def leads_on(self, day: date) -> bool:
        return self.starts_on is None or self.starts_on <= day


@dataclass(frozen=True)
class DeviationFact:
    """An open deviation, or a serious injury (open or not) that may await notification."""

    id: int
    title: str
    is_open: bool
    serious_injury: bool = False
    notified: bool = False
    deadline: date | None = None
    # Deadlines of its open corrective actions.
    action_deadlines: tuple[date, ...] = ()
    registered_on: date | None = None  # the day it was reported (Norwegian time)
    unassigned: bool = False  # still "registrert": nobody responsible, no deadline

    def is_overdue_on(self, day: date) -> bool:
        if not self.is_open:
            return False
        late = self.deadline is not None and self.deadline < day
        return late or any(d < day for d in self.action_deadlines)


@dataclass(frozen=True)
class RoutineFact:
    """A routine with a version in force (not archived): when it was last reviewed or
    published, its review interval, its tags, and whether it applies to everyone."""

    id: int
    title: str
    # The later of the last review "without change" and the publication of the version in
    # force (a review that found a new version is needed does not count).
    reviewed_on: date
    interval_months: int
    tags: frozenset[str] = frozenset()
    whole_company: bool = True  # False: it applies to some departments only

    @property
    def review_due_on(self) -> date:
        return routine_review_due(self.reviewed_on, self.interval_months)


@dataclass(frozen=True)
class RiskFact:
    """A risk in the register (not archived): its score, when it was last assessed and
    the routines linked to it (whether they are in force is read from `Facts.routines`)."""

    id: int
    title: str
    score: int  # consequence × probability, 1–25
    last_assessed_on: date
    routine_ids: frozenset[int] = frozenset()
    # Deadlines of its open planned measures (not done, not withdrawn).
    measure_deadlines: tuple[date, ...] = ()


@dataclass(frozen=True)
class Facts:
    employments: tuple[Employment, ...] = ()
    appointments: tuple[AppointmentFact, ...] = ()
    chairs: tuple[ChairFact, ...] = ()
    courses: tuple[CourseFact, ...] = ()
    records: tuple[RecordFact, ...] = ()
    agreements: tuple[AgreementFact, ...] = ()
    departments: tuple[DepartmentFact, ...] = ()
    leaders: tuple[LeaderFact, ...] = ()
    person_names: dict[int, str] = field(default_factory=dict)
    routines: tuple[RoutineFact, ...] = ()
    deviations: tuple[DeviationFact, ...] = ()
    risks: tuple[RiskFact, ...] = ()
    # Years whose AMU report (AML § 7-2 (6)) was approved by the day evaluated.
    amu_report_years: frozenset[int] = frozenset()

    def employed_on(self, day: date) -> frozenset[int]:
        return frozenset(e.person_id for e in self.employments if e.is_employed_on(day))

    def holding(self, day: date) -> list[AppointmentFact]:
        """Appointments in force on `day` whose holder still works here (an external
        holder, such as the occupational health service, has no employment to check).
        Someone who has left is no longer verneombud or AMU member, whatever the record says."""
        employed = self.employed_on(day)
        return [
            a
            for a in self.appointments
            if a.is_active_on(day) and (a.person_id is None or a.person_id in employed)
        ]

    def name_of(self, person_id: int | None) -> str:
        return self.person_names.get(person_id, f"#{person_id}") if person_id else ""


# --- dates ------------------------------------------------------------------------------


def routine_review_due(reviewed_on: date, interval_months: int) -> date:
    """The day a routine is due for review: the last review (or publication) plus the
    interval. Reviewing on that day is in time; the day after, it is overdue."""
    return add_months(reviewed_on, interval_months)


def is_review_overdue(reviewed_on: date, interval_months: int, day: date) -> bool:
    return day > routine_review_due(reviewed_on, interval_months)


RISK_ASSESSMENT_MONTHS = 12


def risk_assessment_due(last_assessed_on: date) -> date:
    """A risk is assessed again within 12 months: on the day 12 months later it is still in
    time, the day after it is overdue."""
    return add_months(last_assessed_on, RISK_ASSESSMENT_MONTHS)


def is_assessment_overdue(last_assessed_on: date, day: date) -> bool:
    return day > risk_assessment_due(last_assessed_on)


def risk_assessment_cutoff(day: date) -> date:
    """The earliest last-assessed date still in time on `day`: a risk assessed before it is
    overdue (the same boundary as `is_assessment_overdue`, month ends included). For a
    query: `last_assessed_on < risk_assessment_cutoff(day)` finds the overdue risks."""
    first = add_months(date(day.year, day.month, 1), -RISK_ASSESSMENT_MONTHS) - timedelta(days=3)
    while is_assessment_overdue(first, day):
        first += timedelta(days=1)
    return first


# --- training ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingStatus:
    """One person's standing on one required course on a day."""

    person_id: int
    person_name: str
    course_id: int
    course_name: str
    legal_basis: str
    reasons: tuple[str, ...]  # the kinds that require it ("safety_rep", …, "leader")
    status: Status
    required_hours: Decimal
    hours_done: Decimal  # hours counting towards the current completion
    completed_on: date | None = None  # when the required hours were reached (latest)
    expires_on: date | None = None  # first day no longer valid
    due_on: date | None = None  # last day of the grace period
    since: date | None = None  # the day the current status began, when known
    appointment_ids: tuple[int, ...] = ()


def completions(
    records: Iterable[RecordFact], required_hours: Decimal
) -> tuple[list[date], Decimal]:
    """The days the required hours were reached (hours may be taken in parts; each
    completion starts a new count), and the hours counted since the last completion."""
    done: list[date] = []
    running = Decimal(0)
    for record in sorted(records, key=lambda r: (r.completed_on, r.id)):
        running += record.hours
        if running >= required_hours and running > 0:
            done.append(record.completed_on)
            running = Decimal(0)
    return done, running


def training_status(
    *,
    person_id: int,
    person_name: str,
    course: CourseFact,
    records: Iterable[RecordFact],
    appointed_on: date | None,
    reasons: tuple[str, ...],
    day: date,
    settings: RuleSettings,
    appointment_ids: tuple[int, ...] = (),
) -> TrainingStatus:
    """The standing of a person required to take `course`, on `day`.

    `appointed_on` is when the requirement began (the earliest start of the appointments
    that require it); the grace period runs from there. Records after `day` do not count.
    """
    relevant = [r for r in records if r.completed_on <= day]
    done, running = completions(relevant, course.required_hours)
    common = dict(
        person_id=person_id,
        person_name=person_name,
        course_id=course.id,
        course_name=course.name,
        legal_basis=course.legal_basis,
        reasons=reasons,
        required_hours=course.required_hours,
        appointment_ids=appointment_ids,
    )
    if done:
        completed_on = done[-1]
        if course.validity_months is None:
            return TrainingStatus(
                **common,
                status=Status.ok,
                hours_done=course.required_hours,
                completed_on=completed_on,
                since=completed_on,
            )
        expires_on = add_months(completed_on, course.validity_months)
        if day >= expires_on:
            return TrainingStatus(
                **common,
                status=Status.expired,
                hours_done=running,
                completed_on=completed_on,
                expires_on=expires_on,
                since=expires_on,
            )
        warn_from = expires_on - timedelta(days=settings.expiring_days)
        status = Status.expiring if day >= warn_from else Status.ok
        return TrainingStatus(
            **common,
            status=status,
            hours_done=course.required_hours,
            completed_on=completed_on,
            expires_on=expires_on,
            since=warn_from if status is Status.expiring else completed_on,
        )
    if appointed_on is not None:
        grace_ends = add_months(appointed_on, settings.grace_months)  # first day after grace
        due_on = grace_ends - timedelta(days=1)
        if day < grace_ends:
            return TrainingStatus(
                **common,
                status=Status.in_grace,
                hours_done=running,
                due_on=due_on,
                since=appointed_on,
            )
        return TrainingStatus(
            **common, status=Status.missing, hours_done=running, due_on=due_on, since=grace_ends
        )
    return TrainingStatus(**common, status=Status.missing, hours_done=running)


def training_overview(facts: Facts, day: date, settings: RuleSettings) -> list[TrainingStatus]:
    """Every person who must take a course on `day` × each course they must take."""
    active = [a for a in facts.holding(day) if a.person_id is not None]
    employed = facts.employed_on(day)
    open_departments = {d.id for d in facts.departments if d.is_open_on(day)}
    leader_since: dict[int, date | None] = {}
    for lf in facts.leaders:
        if lf.person_id in employed and lf.department_id in open_departments and lf.leads_on(day):
            known = leader_since.get(lf.person_id, lf.starts_on)
            leader_since[lf.person_id] = (
                None if known is None or lf.starts_on is None else min(known, lf.starts_on)
            )
    leaders = set(leader_since)
    records_by_key: dict[tuple[int, int], list[RecordFact]] = defaultdict(list)
    for record in facts.records:
        records_by_key[(record.person_id, record.course_type_id)].append(record)
    started = _unbroken_starts(facts.appointments, active)

    rows: list[TrainingStatus] = []
    for course in facts.courses:
        required: dict[int, tuple[set[str], list[int]]] = {}
        for a in active:
            if a.kind in course.required_kinds:
                kinds, ids = required.setdefault(a.person_id, (set(), []))
                kinds.add(a.kind)
                ids.append(a.id)
        if course.required_for_leaders:
            for person_id in leaders:
                required.setdefault(person_id, (set(), []))[0].add(LEADER)
        for person_id, (kinds, ids) in required.items():
            starts = [started[a_id] for a_id in ids if a_id in started]
            if LEADER in kinds and leader_since.get(person_id) is not None:
                starts.append(leader_since[person_id])
            rows.append(
                training_status(
                    person_id=person_id,
                    person_name=facts.name_of(person_id),
                    course=course,
                    records=records_by_key.get((person_id, course.id), []),
                    appointed_on=min(starts) if starts else None,
                    reasons=tuple(sorted(kinds)),
                    day=day,
                    settings=settings,
                    appointment_ids=tuple(sorted(ids)),
                )
            )
    rows.sort(key=lambda r: (r.person_name, r.course_name))
    return rows


def _unbroken_starts(
    appointments: Iterable[AppointmentFact], active: Iterable[AppointmentFact]
) -> dict[int, date]:
    """For each active appointment, when the holder's unbroken run in that kind began: a
    renewal that follows on the day after (or overlaps) the previous term continues the
    run, a gap starts a new one — and a new grace period."""
    by_holder: dict[tuple[int | None, str, str], list[AppointmentFact]] = defaultdict(list)
    for a in appointments:
        by_holder[(*a.holder(), a.kind)].append(a)
    result: dict[int, date] = {}
    for current in active:
        start = current.starts_on
        earlier = sorted(
            (b for b in by_holder[(*current.holder(), current.kind)] if b.starts_on < start),
            key=lambda b: b.starts_on,
            reverse=True,
        )
        for b in earlier:
            last = b.last_day
            if last is None or last >= start - timedelta(days=1):
                start = min(start, b.starts_on)
        result[current.id] = start
    return result


# --- company-wide rules -----------------------------------------------------------------


def _person_ref(facts: Facts, person_id: int | None, fallback: str = "") -> Ref:
    return Ref("person", person_id, facts.name_of(person_id) if person_id else fallback)


def _appointment_ref(facts: Facts, a: AppointmentFact) -> Ref:
    return Ref("appointment", a.id, facts.name_of(a.person_id) if a.person_id else a.name)


def safety_rep_rules(facts: Facts, day: date, settings: RuleSettings) -> list[Finding]:
    """AML § 6-1: a verneombud, a hovedverneombud when there are several, every area covered."""
    findings: list[Finding] = []
    active = facts.holding(day)
    reps = [a for a in active if a.kind in (SAFETY_REP, CHIEF_SAFETY_REP)]
    plain_reps = [a for a in active if a.kind == SAFETY_REP]
    chiefs = [a for a in active if a.kind == CHIEF_SAFETY_REP]
    employees = headcount_on(facts.employments, day)

    if reps:
        findings.append(
            Finding(
                "aml-6-1.safety-rep",
                Status.ok,
                "AML § 6-1",
                tuple(_appointment_ref(facts, a) for a in reps),
                {"employees": employees},
            )
        )
    else:
        # An agreement counts only while in force and for at most two years.
        in_force = [
            ag
            for ag in facts.agreements
            if ag.valid_from <= day <= ag.valid_to
            and day <= agreement_last_day(ag.valid_from, settings.agreement_max_years)
        ]
        if employees < settings.safety_rep_min_employees and in_force:
            findings.append(
                Finding(
                    "aml-6-1.safety-rep-agreement",
                    Status.ok,
                    "AML § 6-1",
                    tuple(Ref("agreement", ag.id, ag.valid_to.isoformat()) for ag in in_force),
                    {"employees": employees, "valid_to": max(ag.valid_to for ag in in_force)},
                )
            )
        else:
            # Why no registered agreement counts (said on /gaps): one in force stops counting
            # at the threshold; others ended on a day (their own end, or the longest term).
            ended = [
                min(ag.valid_to, agreement_last_day(ag.valid_from, settings.agreement_max_years))
                for ag in facts.agreements
                if ag.valid_from <= day and ag not in in_force
            ]
            findings.append(
                Finding(
                    "aml-6-1.safety-rep-missing",
                    Status.gap,
                    "AML § 6-1",
                    (),
                    {
                        "employees": employees,
                        "threshold": settings.safety_rep_min_employees,
                        "agreement_possible": employees < settings.safety_rep_min_employees,
                        "agreement_no_longer_counts": bool(in_force),
                        "agreement_ended_on": max(ended) if ended else None,
                        "hired_in": sum(
                            1
                            for e in facts.employments
                            if e.is_employed_on(day) and e.employment_type == "hired_in"
                        ),
                    },
                )
            )

    distinct_reps = {a.holder() for a in plain_reps}
    if len(distinct_reps) > 1:
        findings.append(
            Finding(
                "aml-6-1.chief-safety-rep",
                Status.ok if chiefs else Status.gap,
                "AML § 6-1",
                tuple(_appointment_ref(facts, a) for a in (chiefs or plain_reps)),
                {"safety_reps": len(distinct_reps)},
            )
        )

    if reps:
        open_departments = [d for d in facts.departments if d.is_open_on(day)]
        named: set[int] = set()
        whole_company = False
        for a in reps:
            if a.area_ids:
                named |= a.area_ids
            elif a.kind == SAFETY_REP or len(reps) == 1:
                whole_company = True
        # A verneområde that names a department covers the departments below it too.
        covered = subtree_of(named, {d.id: d.parent_id for d in facts.departments})
        uncovered = [] if whole_company else [d for d in open_departments if d.id not in covered]
        findings.append(
            Finding(
                "aml-6-1.safety-areas",
                Status.gap if uncovered else Status.ok,
                "AML § 6-1, forskrift § 3-1",
                tuple(Ref("department", d.id, d.name) for d in uncovered),
                {"departments": len(open_departments)},
            )
        )
    return findings


def amu_rules(facts: Facts, day: date, settings: RuleSettings) -> list[Finding]:
    """AML § 7-1 and forskrift §§ 3-7, 3-12: when AMU is required, and how it is composed."""
    findings: list[Finding] = []
    average = average_last_calendar_year(
        facts.employments, day, min_weekly_hours=settings.amu_min_weekly_hours
    )
    active = facts.holding(day)
    members = [a for a in active if a.kind == AMU_MEMBER]
    params = {"average": average, "year": day.year - 1}
    if not members:
        if average >= settings.amu_required_from:
            findings.append(
                Finding(
                    "aml-7-1.amu-missing",
                    Status.gap,
                    "AML § 7-1, forskrift § 3-7",
                    (),
                    dict(params, threshold=settings.amu_required_from),
                )
            )
        elif average >= settings.amu_may_be_demanded_from:
            findings.append(
                Finding(
                    "aml-7-1.amu-may-be-demanded",
                    Status.notice,
                    "AML § 7-1, forskrift § 3-7",
                    (),
                    dict(params, threshold=settings.amu_may_be_demanded_from),
                )
            )
        return findings

    findings.append(
        Finding(
            "aml-7-1.amu",
            Status.ok,
            "AML § 7-1",
            tuple(_appointment_ref(facts, a) for a in members),
            params,
        )
    )

    def side(members_: list[AppointmentFact], side_: str, deputy: bool) -> list[AppointmentFact]:
        return [a for a in members_ if a.amu_side == side_ and a.is_deputy == deputy]

    for deputy, rule in ((False, "aml-7-1.amu-sides-equal"), (True, "aml-7-1.amu-deputies-equal")):
        employer, employee = side(members, "employer", deputy), side(members, "employee", deputy)
        findings.append(
            Finding(
                rule,
                Status.ok if len(employer) == len(employee) else Status.gap,
                "AML § 7-1, forskrift § 3-7",
                tuple(_appointment_ref(facts, a) for a in employer + employee),
                {"employer": len(employer), "employee": len(employee)},
            )
        )

    # The employer or top management sits on the employer side.
    directors = {a.person_id for a in active if a.kind == MANAGING_DIRECTOR and a.person_id}
    top_departments = {d.id for d in facts.departments if d.parent_id is None}
    top_leaders = {
        lf.person_id
        for lf in facts.leaders
        if lf.department_id in top_departments and lf.leads_on(day)
    }
    employer_regulars = side(members, "employer", False)
    top = [a for a in employer_regulars if a.person_id in directors | top_leaders]
    findings.append(
        Finding(
            "aml-7-1.amu-employer-top-management",
            Status.ok if top else Status.gap,
            "AML § 7-1, forskrift § 3-7",
            tuple(_appointment_ref(facts, a) for a in top),
        )
    )

    # The hovedverneombud (or the only verneombud) is one of the employee side.
    chiefs = [a for a in active if a.kind == CHIEF_SAFETY_REP and a.person_id]
    reps = [a for a in active if a.kind == SAFETY_REP and a.person_id]
    expected = chiefs or (reps if len({a.person_id for a in reps}) == 1 else [])
    if expected:
        employee_side = {
            a.person_id for a in members if a.amu_side == "employee" and not a.is_deputy
        }
        missing = [a for a in expected if a.person_id not in employee_side]
        findings.append(
            Finding(
                "aml-7-1.amu-safety-rep-member",
                Status.gap if missing else Status.ok,
                "AML § 7-1, forskrift § 3-7",
                tuple(_appointment_ref(facts, a) for a in (missing or expected)),
                {"chief": bool(chiefs)},
            )
        )

    ohs = [a for a in members if a.amu_side == "ohs"]
    findings.append(
        Finding(
            "aml-7-1.amu-ohs-member",
            Status.ok if ohs else Status.gap,
            "AML § 7-1, forskrift § 3-7",
            tuple(_appointment_ref(facts, a) for a in ohs),
        )
    )

    findings.append(chair_rule(facts, day))
    return findings


def chair_rule(facts: Facts, day: date) -> Finding:
    """The chair is elected for one year at a time, alternately from each side (§ 3-12):
    a regular member of the employer or employee side who still holds the seat."""
    by_id = {a.id: a for a in facts.appointments}
    holding = {a.id for a in facts.holding(day)}
    periods = sorted(
        (c for c in facts.chairs if c.appointment_id in by_id and c.starts_on <= day),
        key=lambda c: c.starts_on,
    )
    current = [
        c for c in periods if c.starts_on <= day <= c.ends_on and c.appointment_id in holding
    ]
    basis = "AML § 7-1, forskrift § 3-12"
    if not current:
        return Finding("aml-7-1.amu-chair-missing", Status.gap, basis)
    chair = current[-1]
    chair_appointment = by_id[chair.appointment_id]
    evidence = [_appointment_ref(facts, chair_appointment)]
    if chair_appointment.amu_side not in ("employer", "employee") or chair_appointment.is_deputy:
        return Finding(
            "aml-7-1.amu-chair-not-eligible",
            Status.gap,
            basis,
            tuple(evidence),
            {"side": chair_appointment.amu_side, "deputy": chair_appointment.is_deputy},
        )
    if chair.ends_on > chair_last_day(chair.starts_on):
        return Finding(
            "aml-7-1.amu-chair-too-long",
            Status.gap,
            basis,
            tuple(evidence),
            {"side": chair_appointment.amu_side, "until": chair.ends_on},
        )
    earlier = [c for c in periods if c.ends_on < chair.starts_on]
    if earlier:
        previous = by_id[earlier[-1].appointment_id]
        evidence.append(_appointment_ref(facts, previous))
        if previous.amu_side == chair_appointment.amu_side:
            return Finding(
                "aml-7-1.amu-chair-same-side",
                Status.gap,
                basis,
                tuple(evidence),
                {"side": chair_appointment.amu_side},
            )
    return Finding(
        "aml-7-1.amu-chair",
        Status.ok,
        basis,
        tuple(evidence),
        {"side": chair_appointment.amu_side, "until": chair.ends_on},
    )


def term_rule(facts: Facts, day: date) -> Finding:
    """Two-year terms (forskrift §§ 3-4, 3-15): a term past its end date that was neither
    renewed nor ended is a gap."""
    lapsed: list[AppointmentFact] = []
    employed = facts.employed_on(day)
    for a in facts.appointments:
        if a.kind not in TERM_KINDS or a.ends_on is None or a.ends_on >= day:
            continue
        if a.person_id is not None and a.person_id not in employed:
            continue  # the holder has left; there is nothing to renew
        if a.amu_side == "ohs":
            continue  # the occupational health service is not elected
        if a.ended_on is not None and a.ended_on <= a.ends_on:
            continue  # ended deliberately
        renewed = any(
            b.id != a.id
            and b.kind == a.kind
            and b.holder() == a.holder()
            and b.starts_on > a.starts_on
            and b.starts_on <= day
            for b in facts.appointments
        )
        if not renewed:
            lapsed.append(a)
    return Finding(
        "forskrift-3-4.term-expired",
        Status.gap if lapsed else Status.ok,
        "forskrift §§ 3-4, 3-15",
        tuple(_appointment_ref(facts, a) for a in lapsed),
    )


def training_rules(rows: list[TrainingStatus], facts: Facts) -> list[Finding]:
    """One finding per required course: the people who lack it (missing or expired)."""
    findings: list[Finding] = []
    for course in facts.courses:
        course_rows = [r for r in rows if r.course_id == course.id]
        if not course_rows:
            continue
        lacking = [r for r in course_rows if r.status in (Status.missing, Status.expired)]
        findings.append(
            Finding(
                "training.required",
                Status.gap if lacking else Status.ok,
                course.legal_basis,
                tuple(Ref("person", r.person_id, r.person_name) for r in lacking),
                {
                    "course": course.name,
                    "course_id": course.id,
                    "required": len(course_rows),
                    "lacking": len(lacking),
                },
            )
        )
    return findings


WHISTLEBLOWING_TAG = "varsling"


def routine_review_rule(facts: Facts, day: date) -> list[Finding]:
    """Routines are kept up to date (internkontrollforskriften § 5 nr. 8): a routine in
    force past its review date is a gap. No routines, no finding."""
    if not facts.routines:
        return []
    overdue = sorted(
        (r for r in facts.routines if is_review_overdue(r.reviewed_on, r.interval_months, day)),
        key=lambda r: (r.review_due_on, r.title),
    )
    return [
        Finding(
            "routines.review-overdue",
            Status.gap if overdue else Status.ok,
            "internkontrollforskriften § 5 nr. 8",
            tuple(Ref("routine", r.id, r.title) for r in overdue),
            {"routines": len(facts.routines), "overdue": len(overdue)},
        )
    ]


def whistleblowing_rule(facts: Facts, day: date, settings: RuleSettings) -> list[Finding]:
    """AML § 2A-6: with at least 5 employees (counted as for the verneombud rule: everyone)
    the company has a written whistleblowing routine, here a routine in force tagged
    `varsling` that applies to the whole company (everyone may blow the whistle: a routine
    for one department does not satisfy it)."""
    employees = headcount_on(facts.employments, day)
    if employees < settings.whistleblowing_min_employees:
        return []
    routines = [r for r in facts.routines if WHISTLEBLOWING_TAG in r.tags and r.whole_company]
    return [
        Finding(
            "aml-2a-6.whistleblowing-routine",
            Status.ok if routines else Status.gap,
            "AML § 2A-6",
            tuple(Ref("routine", r.id, r.title) for r in routines),
            {"employees": employees, "threshold": settings.whistleblowing_min_employees},
        )
    ]


@dataclass(frozen=True)
class Report:
    day: date
    training: tuple[TrainingStatus, ...]
    findings: tuple[Finding, ...]

    @property
    def gaps(self) -> list[Finding]:
        return [f for f in self.findings if f.is_gap]


def serious_injury_rule(facts: Facts) -> list[Finding]:
    """AML § 5-2: death or serious personal injury is notified to Arbeidstilsynet and the
    police at once. Each serious injury without a recorded notification is a gap until the
    notification is recorded; without serious injuries there is no finding."""
    serious = [d for d in facts.deviations if d.serious_injury]
    if not serious:
        return []
    waiting = sorted((d for d in serious if not d.notified), key=lambda d: d.id)
    return [
        Finding(
            "aml-5-2.serious-injury-notification",
            Status.gap if waiting else Status.ok,
            "AML § 5-2",
            tuple(Ref("deviation", d.id, d.title) for d in waiting),
            {"waiting": len(waiting), "serious": len(serious)},
        )
    ]


def overdue_deviation_rule(facts: Facts, day: date) -> list[Finding]:
    """Internkontrollforskriften § 5 nr. 7: deviations are corrected. An open deviation
    past its deadline, or with a corrective action past its deadline, is a gap."""
    open_ = [d for d in facts.deviations if d.is_open]
    if not open_:
        return []
    overdue = sorted((d for d in open_ if d.is_overdue_on(day)), key=lambda d: d.id)
    return [
        Finding(
            "ik-5-7.deviations-overdue",
            Status.gap if overdue else Status.ok,
            "internkontrollforskriften § 5 nr. 7",
            tuple(Ref("deviation", d.id, d.title) for d in overdue),
            {"overdue": len(overdue), "open": len(open_)},
        )
    ]


def high_risk_routine_rule(facts: Facts, settings: RuleSettings) -> list[Finding]:
    """Internkontrollforskriften § 5 nr. 6: where the risk assessment finds a risk, there
    are plans and measures to reduce it. A risk scored at or above the threshold (a setting,
    10 by default) needs a linked routine with a published version in force; a draft or
    an archived routine does not count. Without such risks there is no finding."""
    high = [r for r in facts.risks if r.score >= settings.risk_routine_min_score]
    if not high:
        return []
    in_force = {r.id for r in facts.routines}
    missing = sorted(
        (r for r in high if not (r.routine_ids & in_force)), key=lambda r: (-r.score, r.title)
    )
    return [
        Finding(
            "ik-5-6.high-risk-without-routine",
            Status.gap if missing else Status.ok,
            "internkontrollforskriften § 5 nr. 6",
            tuple(Ref("risk", r.id, r.title) for r in missing),
            {
                "missing": len(missing),
                "high": len(high),
                "threshold": settings.risk_routine_min_score,
            },
        )
    ]


def risk_assessment_rule(facts: Facts, day: date) -> list[Finding]:
    """Risks are assessed again at least every 12 months (internkontrollforskriften § 5
    nr. 6 and the yearly review of nr. 8): a risk last assessed more than 12 months ago is
    a gap. Without risks there is no finding."""
    if not facts.risks:
        return []
    overdue = sorted(
        (r for r in facts.risks if is_assessment_overdue(r.last_assessed_on, day)),
        key=lambda r: (r.last_assessed_on, r.title),
    )
    return [
        Finding(
            "ik-5-6.risk-assessment-overdue",
            Status.gap if overdue else Status.ok,
            "internkontrollforskriften § 5 nr. 6 og 8",
            tuple(Ref("risk", r.id, r.title) for r in overdue),
            {"overdue": len(overdue), "risks": len(facts.risks)},
        )
    ]


def unhandled_deviation_rule(facts: Facts, day: date, settings: RuleSettings) -> list[Finding]:
    """Internkontrollforskriften § 5 nr. 7: a deviation is followed up. One still without a
    responsible person and a deadline more than `deviation_unhandled_days` days after it
    was reported is a gap (on the last day it is still in time)."""
    open_ = [d for d in facts.deviations if d.is_open]
    if not open_:
        return []
    limit = settings.deviation_unhandled_days
    waiting = sorted(
        (
            d
            for d in open_
            if d.unassigned and d.registered_on is not None and (day - d.registered_on).days > limit
        ),
        key=lambda d: d.id,
    )
    return [
        Finding(
            "ik-5-7.deviations-unhandled",
            Status.gap if waiting else Status.ok,
            "internkontrollforskriften § 5 nr. 7",
            tuple(Ref("deviation", d.id, d.title) for d in waiting),
            {"waiting": len(waiting), "days": limit},
        )
    ]


def overdue_risk_measure_rule(facts: Facts, day: date) -> list[Finding]:
    """Internkontrollforskriften § 5 nr. 6: the plans and measures to reduce a risk are
    carried out. A risk with a planned measure past its deadline is a gap (on the deadline
    itself the measure is still in time). Without open planned measures there is no
    finding."""
    planned = [r for r in facts.risks if r.measure_deadlines]
    if not planned:
        return []
    overdue = sorted(
        (r for r in planned if any(d < day for d in r.measure_deadlines)),
        key=lambda r: (min(r.measure_deadlines), r.title),
    )
    return [
        Finding(
            "ik-5-6.risk-measures-overdue",
            Status.gap if overdue else Status.ok,
            "internkontrollforskriften § 5 nr. 6",
            tuple(Ref("risk", r.id, r.title) for r in overdue),
            {
                "overdue": len(overdue),
                "planned": len(planned),
                "measures": sum(1 for r in overdue for d in r.measure_deadlines if d < day),
            },
        )
    ]


def amu_report_rule(facts: Facts, day: date) -> list[Finding]:
    """AML § 7-2 (6): the committee reports on its work each year. A year's report is due
    by the end of the following year's first quarter: from then on, a year in which anyone
    sat on the AMU without an approved report is a gap. The latest year due is checked;
    without a committee that year, no finding."""
    year = day.year - 1 if day >= date(day.year, 4, 1) else day.year - 2
    first, last = date(year, 1, 1), date(year, 12, 31)
    sat = any(
        a.kind == AMU_MEMBER and a.starts_on <= last and (a.last_day is None or a.last_day >= first)
        for a in facts.appointments
    )
    if not sat:
        return []
    return [
        Finding(
            "aml-7-2.amu-report",
            Status.ok if year in facts.amu_report_years else Status.gap,
            "AML § 7-2",
            (),
            {"year": year, "due": date(year + 1, 3, 31)},
        )
    ]


def evaluate(facts: Facts, day: date, settings: RuleSettings | None = None) -> Report:
    """Everything the law asks, on `day`."""
    settings = settings or RuleSettings()
    training = training_overview(facts, day, settings)
    findings = (
        safety_rep_rules(facts, day, settings)
        + amu_rules(facts, day, settings)
        + amu_report_rule(facts, day)
        + [term_rule(facts, day)]
        + training_rules(training, facts)
        + whistleblowing_rule(facts, day, settings)
        + routine_review_rule(facts, day)
        + serious_injury_rule(facts)
        + overdue_deviation_rule(facts, day)
        + unhandled_deviation_rule(facts, day, settings)
        + high_risk_routine_rule(facts, settings)
        + risk_assessment_rule(facts, day)
        + overdue_risk_measure_rule(facts, day)
    )
    return Report(day=day, training=tuple(training), findings=tuple(findings))
