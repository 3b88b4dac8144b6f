"""The figures the barometer's questions are answered with, computed from the registers on
a day: each a `Measure` (the value the data file's bands read, the figure in words' parts,
and the records behind it). Legal rules are not decided here: who lacks training, which
high risks have no routine, which areas have no verneombud come from the rule engine's
report for the day (`rules/`); deviation figures from the statistics (`deviations/stats`).

Each measure is a function of a `Context` (the session, the day, and what several measures
share, loaded once). A measure without data (no verneombud to count, no survey yet) has
`value` None: the question then has no answer from the records, and the page says why.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from hms_tracker.rules.findings import GAP_STATUSES, Finding, Ref, Status

WINDOW_DAYS = 365  # "the last 12 months", as on the statistics page


@dataclass(frozen=True)
class Evidence:
    """A record behind a figure, for the drill-down: what it is and where it is fixed."""

    kind: str  # "person", "department", "routine", "risk", "deviation", "appointment", "rule"
    id: int | None  # for a rule: its place in the measure's params["findings"]
    label: str
    note: str = ""  # e.g. "since 3 March 2026", "41 %"
    since: date | None = None


@dataclass(frozen=True)
class Measure:
    """One figure. `value` is what the bands read (a count, a share 0–1, a ratio);
    `count`/`total` give it in words ("2 of 7"); `evidence` lists the records (all of
    them: the page shows the first few and the rest on request); `link` is the page
    where the whole list lives."""

    id: str
    value: float | None
    count: int | None = None
    total: int | None = None
    evidence: tuple[Evidence, ...] = ()
    link: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.value is not None


class Context:
    """What the measures of one day read, each loaded once when first asked for."""

    def __init__(self, *, session: Session, day: date):
        self.session = session
        self.day = day

    @cached_property
    def report(self) -> Any:
        from hms_tracker.rules.facts import evaluate_on

        return evaluate_on(session=self.session, day=self.day)

    @cached_property
    def stats(self) -> Any:
        from hms_tracker.deviations.stats import load_stats

        return load_stats(self.session, today=self.day)

    def findings(self, rule: str) -> list[Finding]:
        return [f for f in self.report.findings if f.rule == rule]

    @property
    def window_first(self) -> date:
        return self.day - timedelta(days=WINDOW_DAYS - 1)


MEASURES: dict[str, Callable[[Context], Measure]] = {}


def measure(name: str) -> Callable[[Callable[[Context], Measure]], Callable[[Context], Measure]]:
    def register(fn: Callable[[Context], Measure]) -> Callable[[Context], Measure]:
        MEASURES[name] = fn
        return fn

    return register


def compute(name: str, context: Context) -> Measure:
    return MEASURES[name](context)


# --- training (the rule engine's training overview) ---------------------------------------

SAFETY_REP_REASONS = frozenset({"safety_rep", "chief_safety_rep"})
AMU_REASONS = frozenset({"amu_member"})
LEADER_REASONS = frozenset({"leader"})
LACKING = frozenset({Status.missing, Status.expired})


def _untrained(context: Context, name: str, reasons: frozenset[str], statuses: frozenset[Status],
               link: str) -> Measure:  # fmt: skip
    """People required (by `reasons`) to take a course, and those of them whose status on
    the day is one of `statuses`: one row per person (the earliest "since")."""
    rows = [r for r in context.report.training if set(r.reasons) & reasons]
    people = {r.person_id for r in rows}
    found: dict[int, Any] = {}
    for r in rows:
        if r.status in statuses:
            earlier = found.get(r.person_id)
            if earlier is None or (r.since or context.day) < (earlier.since or context.day):
                found[r.person_id] = r
    evidence = tuple(
        Evidence("person", r.person_id, r.person_name, note=r.course_name, since=r.since)
        for r in sorted(found.values(), key=lambda r: (r.since or context.day, r.person_name))
    )
    if not people:
        return Measure(name, None, 0, 0, link=link)
    return Measure(name, float(len(found)), len(found), len(people), evidence, link)


@measure("safety_reps_untrained")
def safety_reps_untrained(context: Context) -> Measure:
    return _untrained(
        context, "safety_reps_untrained", SAFETY_REP_REASONS, LACKING,
        "/training?status=missing",
    )  # fmt: skip


@measure("safety_reps_in_grace")
def safety_reps_in_grace(context: Context) -> Measure:
    return _untrained(
        context, "safety_reps_in_grace", SAFETY_REP_REASONS, frozenset({Status.in_grace}),
        "/training?status=in_grace",
    )  # fmt: skip


@measure("amu_members_untrained")
def amu_members_untrained(context: Context) -> Measure:
    return _untrained(
        context, "amu_members_untrained", AMU_REASONS, LACKING, "/training?status=missing"
    )


@measure("leaders_untrained")
def leaders_untrained(context: Context) -> Measure:
    return _untrained(
        context, "leaders_untrained", LEADER_REASONS, LACKING, "/training?status=missing"
    )


# --- routines ------------------------------------------------------------------------


@measure("acknowledgement_coverage")
def acknowledgement_coverage(context: Context) -> Measure:
    """Of what the people employed on the day must read (each routine in force, for the
    people in its scope), the share they have acknowledged. The departments furthest
    behind are the evidence."""
    from hms_tracker.routines.service import company_coverage

    departments = company_coverage(session=context.session, today=context.day)
    required = sum(d.required for d in departments)
    acknowledged = sum(d.acknowledged for d in departments)
    if not required:
        return Measure("acknowledgement_coverage", None, 0, 0, link="/routines/coverage")
    behind = sorted(departments, key=lambda d: (d.acknowledged / d.required, d.name))
    evidence = tuple(
        Evidence("department", d.department_id, d.name, note=f"{d.acknowledged}/{d.required}")
        for d in behind
        if d.acknowledged < d.required
    )
    return Measure(
        "acknowledgement_coverage", acknowledged / required, acknowledged, required, evidence,
        "/routines/coverage",
    )  # fmt: skip


@measure("routines_reviewed_on_time")
def routines_reviewed_on_time(context: Context) -> Measure:
    """Routines in force not past their review date (the rule engine's review rule)."""
    found = context.findings("routines.review-overdue")
    if not found:
        return Measure("routines_reviewed_on_time", None, 0, 0, link="/routines")
    finding = found[0]
    total = int(finding.params["routines"])
    overdue = int(finding.params["overdue"])
    return Measure(
        "routines_reviewed_on_time", (total - overdue) / total, total - overdue, total,
        _refs(finding.evidence), "/routines?overdue=1",
    )  # fmt: skip


@measure("routine_breaches_12m")
def routine_breaches_12m(context: Context) -> Measure:
    """Deviations of the category "breach of routine" registered in the last 12 months,
    per routine in force; the routines breached most are the evidence."""
    from hms_tracker.deviations.models import Deviation, DeviationCategory
    from hms_tracker.routines.models import Routine

    since, until = _window(context)
    breaches = [
        (routine_id, title, int(n))
        for routine_id, title, n in context.session.exec(
            select(Deviation.routine_id, Routine.title, func.count())
            .join(Routine, col(Routine.id) == Deviation.routine_id, isouter=True)
            .where(
                Deviation.category == DeviationCategory.routine_breach.value,
                col(Deviation.created_at) >= since,
                col(Deviation.created_at) < until,
            )
            .group_by(Deviation.routine_id, Routine.title)
        ).all()
    ]
    total = sum(n for _r, _t, n in breaches)
    in_force = _routines_in_force(context)
    evidence = tuple(
        Evidence("routine", routine_id, title or "", note=str(n))
        for routine_id, title, n in sorted(breaches, key=lambda b: (-b[2], b[1] or ""))
        if routine_id is not None
    )
    value = total / in_force if in_force else None
    return Measure(
        "routine_breaches_12m", value, total, in_force, evidence,
        "/deviations?category=routine_breach",
    )  # fmt: skip


@measure("high_risks_without_routine")
def high_risks_without_routine(context: Context) -> Measure:
    found = context.findings("ik-5-6.high-risk-without-routine")
    if not found:
        return Measure("high_risks_without_routine", 0.0, 0, 0, link="/risks")
    finding = found[0]
    missing = int(finding.params["missing"])
    return Measure(
        "high_risks_without_routine", float(missing), missing, int(finding.params["high"]),
        _refs(finding.evidence), "/risks", {"threshold": finding.params["threshold"]},
    )  # fmt: skip


# --- deviations (the statistics of the last 12 months) ---------------------------------------


@measure("reports_per_100_employees")
def reports_per_100_employees(context: Context) -> Measure:
    stats = context.stats
    per_100 = stats.reports_per_100
    return Measure(
        "reports_per_100_employees",
        None if per_100 is None else float(per_100),
        stats.registrations,
        round(float(stats.average_headcount)),
        link="/deviations/stats",
    )


@measure("departments_without_reports")
def departments_without_reports(context: Context) -> Measure:
    stats = context.stats
    quiet = stats.departments_without_reports
    return Measure(
        "departments_without_reports", float(len(quiet)), len(quiet), None,
        tuple(Evidence("department", d.id, d.name) for d in quiet), "/deviations/stats",
    )  # fmt: skip


@measure("near_misses_per_injury")
def near_misses_per_injury(context: Context) -> Measure:
    stats = context.stats
    ratio = stats.near_miss_ratio
    return Measure(
        "near_misses_per_injury", None if ratio is None else float(ratio),
        stats.near_misses, stats.injuries, link="/deviations/stats",
    )  # fmt: skip


@measure("median_days_to_report")
def median_days_to_report(context: Context) -> Measure:
    """Days from the event to its report, for reports registered in the last 12 months
    (Norwegian dates; the same day = 0): the median."""
    from hms_tracker.deviations.models import Deviation
    from hms_tracker.translation import OSLO

    since, until = _window(context)
    days = [
        max(0, (created.astimezone(OSLO).date() - occurred.astimezone(OSLO).date()).days)
        for created, occurred in context.session.exec(
            select(Deviation.created_at, Deviation.occurred_at).where(
                col(Deviation.created_at) >= since, col(Deviation.created_at) < until
            )
        ).all()
    ]
    if not days:
        return Measure("median_days_to_report", None, 0, 0, link="/deviations/stats")
    return Measure(
        "median_days_to_report", float(statistics.median(days)), None, len(days),
        link="/deviations/stats",
    )  # fmt: skip


@measure("overdue_actions")
def overdue_actions(context: Context) -> Measure:
    stats = context.stats
    return Measure(
        "overdue_actions", float(stats.overdue_count), stats.overdue_count, None,
        tuple(
            Evidence("deviation", a.deviation_id, a.description, note=a.owner_name,
                     since=a.deadline)  # fmt: skip
            for a in stats.overdue_actions
        ),
        "/deviations?overdue=1",
    )  # fmt: skip


@measure("median_days_to_close")
def median_days_to_close(context: Context) -> Measure:
    stats = context.stats
    median = stats.median_days_to_close
    return Measure(
        "median_days_to_close", None if median is None else float(median), None,
        stats.closed_count, link="/deviations/stats",
    )  # fmt: skip


@measure("share_closed_actions_worked")
def share_closed_actions_worked(context: Context) -> Measure:
    """Of the deviations closed in the last 12 months with an answer to "did the actions
    work?", the share answered yes."""
    from hms_tracker.deviations.models import ActionsEffect, Deviation

    since, until = _window(context)
    rows = dict(
        context.session.exec(
            select(Deviation.actions_effect, func.count())
            .where(
                col(Deviation.closed_at) >= since,
                col(Deviation.closed_at) < until,
                col(Deviation.actions_effect).is_not(None),
            )
            .group_by(Deviation.actions_effect)
        ).all()
    )
    answered = sum(int(n) for n in rows.values())
    worked = int(rows.get(ActionsEffect.yes.value, 0))
    if not answered:
        return Measure("share_closed_actions_worked", None, 0, 0, link="/deviations?status=closed")
    return Measure(
        "share_closed_actions_worked", worked / answered, worked, answered,
        link="/deviations?status=closed",
    )  # fmt: skip


# --- participation -------------------------------------------------------------------


@measure("reports_by_employees_share")
def reports_by_employees_share(context: Context) -> Measure:
    """Of the reports of the last 12 months whose reporter is known, the share made by
    people who led no department on the day they reported. Anonymous reports are left out
    (who made them is not known)."""
    from hms_tracker.deviations.models import Deviation
    from hms_tracker.organisation.models import DepartmentLeader

    since, until = _window(context)
    leader = (
        sa.exists()
        .where(
            col(DepartmentLeader.person_id) == Deviation.reporter_person_id,
            sa.or_(
                col(DepartmentLeader.starts_on).is_(None),
                col(DepartmentLeader.starts_on) <= sa.func.date(Deviation.created_at),
            ),
        )
        .correlate(Deviation)
    )
    known, by_leaders = context.session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(sa.case((leader, 1), else_=0)), 0),
        ).where(
            col(Deviation.created_at) >= since,
            col(Deviation.created_at) < until,
            col(Deviation.reporter_person_id).is_not(None),
        )
    ).one()
    known, by_leaders = int(known), int(by_leaders)
    if not known:
        return Measure("reports_by_employees_share", None, 0, 0, link="/deviations/stats")
    return Measure(
        "reports_by_employees_share", (known - by_leaders) / known, known - by_leaders, known,
        link="/deviations/stats",
    )  # fmt: skip


@measure("survey_turnout")
def survey_turnout(context: Context) -> Measure:
    """The share of those asked who answered the latest pulse survey that has opened by
    the day (none yet: no data)."""
    turnout = _survey_turnout(context)
    if turnout is None:
        return Measure("survey_turnout", None, link="/survey")
    answered, asked = turnout
    return Measure(
        "survey_turnout", answered / asked if asked else None, answered, asked, link="/survey"
    )


def _survey_turnout(context: Context) -> tuple[int, int] | None:
    """(answered, asked) of the latest pulse survey opened by the day; None without one."""
    from hms_tracker.barometer.survey import turnout_on

    return turnout_on(session=context.session, day=context.day)


# --- verneombud and AMU ----------------------------------------------------------------


@measure("areas_without_safety_rep")
def areas_without_safety_rep(context: Context) -> Measure:
    """Open departments no verneombud covers (the rule engine's area rule); with no
    verneombud at all, every open department."""
    found = context.findings("aml-6-1.safety-areas")
    if found:
        finding = found[0]
        return Measure(
            "areas_without_safety_rep", float(len(finding.evidence)), len(finding.evidence),
            int(finding.params["departments"]), _refs(finding.evidence), "/appointments",
        )  # fmt: skip
    if context.findings("aml-6-1.safety-rep-missing"):
        return Measure("areas_without_safety_rep", None, link="/appointments")
    return Measure("areas_without_safety_rep", 0.0, 0, None, link="/appointments")


@measure("safety_rep_conditions_met")
def safety_rep_conditions_met(context: Context) -> Measure:
    """Of three conditions for the verneombud to do the job, how many hold: there is a
    verneombud where the law asks for one (or an agreement), every area is covered, and
    every verneombud has the training."""
    present = not [f for f in context.findings("aml-6-1.safety-rep-missing") if f.is_gap]
    areas = compute("areas_without_safety_rep", context)
    trained = compute("safety_reps_untrained", context)
    conditions = {
        "present": present,
        "areas": areas.value == 0,
        "trained": trained.value == 0,
    }
    met = sum(conditions.values())
    return Measure(
        "safety_rep_conditions_met", float(met), met, len(conditions), link="/gaps",
        params={"conditions": conditions},
    )  # fmt: skip


@measure("amu_conditions_met")
def amu_conditions_met(context: Context) -> Measure:
    """Of what the registers show about the AMU: it is in place where the law asks for it
    (no gap in the AMU rules), and its members (deputies too) have the training. Meetings
    and the annual report are not recorded in the product yet and do not count."""
    amu_gaps = [f for f in context.report.findings if f.rule.startswith("aml-7-1.") and f.is_gap]
    trained = compute("amu_members_untrained", context)
    conditions = {"in_place": not amu_gaps, "trained": trained.value == 0}
    met = sum(conditions.values())
    return Measure(
        "amu_conditions_met", float(met), met, len(conditions),
        tuple(Evidence("rule", i, f.rule) for i, f in enumerate(amu_gaps)), "/gaps",
        params={"conditions": conditions, "findings": amu_gaps},
    )  # fmt: skip


# --- overall ---------------------------------------------------------------------------


@measure("legal_gaps")
def legal_gaps(context: Context) -> Measure:
    """The gaps the rule engine finds on the day (as on /gaps): one per broken rule."""
    gaps = [f for f in context.report.findings if f.status in GAP_STATUSES]
    return Measure(
        "legal_gaps", float(len(gaps)), len(gaps), len(context.report.findings),
        tuple(Evidence("rule", i, f.rule) for i, f in enumerate(gaps)), "/gaps",
        params={"findings": gaps},
    )  # fmt: skip


# --- shared --------------------------------------------------------------------------


def _refs(refs: tuple[Ref, ...]) -> tuple[Evidence, ...]:
    return tuple(Evidence(r.kind, r.id, r.label) for r in refs)


def _window(context: Context) -> tuple[Any, Any]:
    """The last 12 months as UTC instants: from the start of `window_first` to the end of
    the day, in Norwegian time (as the statistics count)."""
    from hms_tracker.deviations.stats import start_of

    return start_of(context.window_first), start_of(context.day + timedelta(days=1))


def _routines_in_force(context: Context) -> int:
    found = context.findings("routines.review-overdue")
    return int(found[0].params["routines"]) if found else 0
