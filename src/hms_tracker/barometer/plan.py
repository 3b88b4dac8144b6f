"""What the yearly review decides: HMS goals for a year (internkontrollforskriften § 5 nr.
4) with how each is measured and, at the next review, how it went; and the strengths to
keep and the improvements to make, each improvement an action with an owner and a
deadline that stays on the page until it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from hms_tracker.barometer.measures import MEASURES, Measure
from hms_tracker.barometer.models import BarometerGoal, BarometerPoint
from hms_tracker.barometer.questions import Barometer
from hms_tracker.db import claim_version
from hms_tracker.errors import InvalidInput, NotFound
from hms_tracker.organisation.models import Person
from hms_tracker.web.i18n import _
from hms_tracker.web.params import parse_id

TEXT_MAX = 500
NOTE_MAX = 2000
KINDS = ("strength", "improvement")
OUTCOMES = ("met", "partly", "not_met")
# Figures a goal can follow, each with the direction that is better.
HIGHER_IS_BETTER = {
    "acknowledgement_coverage", "routines_reviewed_on_time", "reports_per_100_employees",
    "share_closed_actions_worked", "reports_by_employees_share", "survey_turnout",
    "near_misses_per_injury", "safety_rep_conditions_met", "amu_conditions_met",
}  # fmt: skip
LOWER_IS_BETTER = {
    "safety_reps_untrained", "amu_members_untrained", "leaders_untrained",
    "high_risks_without_routine", "departments_without_reports", "median_days_to_report",
    "overdue_actions", "median_days_to_close", "legal_gaps", "areas_without_safety_rep",
    "routine_breaches_12m",
}  # fmt: skip
FOLLOWABLE = sorted(HIGHER_IS_BETTER | LOWER_IS_BETTER)


def _text(values: dict[str, Any], name: str, errors: dict[str, str], *, required: bool,
          limit: int = TEXT_MAX) -> str:  # fmt: skip
    text = str(values.get(name, "")).strip()
    if required and not text:
        errors[name] = _("Skriv noe her.")
    elif len(text) > limit:
        errors[name] = _("Høyst %(max)s tegn.", max=limit)
    return text


def _year(values: dict[str, Any], errors: dict[str, str], allowed: tuple[int, ...]) -> int:
    year = parse_id(str(values.get("year", "")))
    if year not in allowed:
        errors["year"] = _("Velg et av årene i listen.")
        return allowed[0]
    return year


# --- goals ---------------------------------------------------------------------------


def goals(*, session: Session, years: tuple[int, ...]) -> list[BarometerGoal]:
    return list(
        session.exec(
            select(BarometerGoal)
            .where(col(BarometerGoal.year).in_(years))
            .order_by(col(BarometerGoal.year), col(BarometerGoal.id))
        ).all()
    )


def add_goal(*, session: Session, values: dict[str, Any], years: tuple[int, ...]) -> BarometerGoal:
    """A goal for one of `years` (this year or the next), with how it is measured; a
    figure of the barometer to follow and a target are optional, but go together."""
    errors: dict[str, str] = {}
    year = _year(values, errors, years)
    text = _text(values, "text", errors, required=True)
    measured_by = _text(values, "measured_by", errors, required=True)
    measure_id = str(values.get("measure_id", "")).strip() or None
    if measure_id is not None and measure_id not in FOLLOWABLE:
        errors["measure_id"] = _("Velg et av tallene i listen.")
    raw_target = str(values.get("target", "")).strip().replace(",", ".")
    target: float | None = None
    if raw_target:
        try:
            target = float(raw_target)
        except ValueError:
            errors["target"] = _("Skriv målet som et tall, for eksempel 90 eller 2,5.")
        else:
            if not 0 <= target <= 100_000:
                errors["target"] = _("Skriv et tall mellom 0 og 100 000.")
    if (measure_id is None) != (target is None) and "target" not in errors:
        errors["target" if measure_id else "measure_id"] = _(
            "Et tall å følge og et mål hører sammen: fyll inn begge eller ingen."
        )
    if errors:
        raise InvalidInput(errors)
    if measure_id is not None and target is not None and _is_share(measure_id):
        target = target / 100  # typed as per cent
    goal = BarometerGoal(
        year=year, text=text, measured_by=measured_by, measure_id=measure_id, target=target
    )
    session.add(goal)
    session.flush()
    return goal


def record_outcome(*, session: Session, goal_id: int, values: dict[str, Any]) -> BarometerGoal:
    goal = session.get(BarometerGoal, goal_id)
    if goal is None:
        raise NotFound()
    errors: dict[str, str] = {}
    outcome = str(values.get("outcome", ""))
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Velg hvordan det gikk.")
    note = _text(values, "outcome_note", errors, required=False, limit=NOTE_MAX)
    if errors:
        raise InvalidInput(errors)
    claim_version(session, goal, parse_id(str(values.get("version", ""))) or 0)
    goal.outcome, goal.outcome_note = outcome, note
    session.add(goal)
    session.flush()
    return goal


def _is_share(measure_id: str) -> bool:
    from hms_tracker.barometer.presenter import KINDS as MEASURE_KINDS

    return MEASURE_KINDS.get(measure_id) == "share"


@dataclass(frozen=True)
class Progress:
    """Where a followed figure stands against a goal's target today."""

    value: float | None
    reached: bool | None  # None without a figure today


def progress(goal: BarometerGoal, measures: dict[str, Measure]) -> Progress | None:
    if goal.measure_id is None or goal.target is None or goal.measure_id not in MEASURES:
        return None
    found = measures.get(goal.measure_id)
    value = found.value if found else None
    if value is None:
        return Progress(None, None)
    if goal.measure_id in LOWER_IS_BETTER:
        return Progress(value, value <= goal.target)
    return Progress(value, value >= goal.target)


# --- strengths and improvements --------------------------------------------------------


def points(*, session: Session, year: int) -> list[BarometerPoint]:
    return list(
        session.exec(
            select(BarometerPoint)
            .where(BarometerPoint.year == year)
            .order_by(col(BarometerPoint.kind), col(BarometerPoint.id))
        ).all()
    )


def open_improvements(*, session: Session, before: int) -> list[BarometerPoint]:
    """Improvements of earlier reviews not done yet: followed up at this one."""
    return list(
        session.exec(
            select(BarometerPoint)
            .where(
                BarometerPoint.kind == "improvement",
                col(BarometerPoint.year) < before,
                col(BarometerPoint.done_on).is_(None),
            )
            .order_by(col(BarometerPoint.deadline), col(BarometerPoint.id))
        ).all()
    )


def owner_names(*, session: Session, found: list[BarometerPoint]) -> dict[int, str]:
    ids = {p.owner_person_id for p in found if p.owner_person_id}
    if not ids:
        return {}
    return dict(session.exec(select(Person.id, Person.name).where(col(Person.id).in_(ids))).all())


def add_point(
    *,
    session: Session,
    values: dict[str, Any],
    year: int,
    barometer: Barometer,
    today: date,
) -> BarometerPoint:
    """A strength, or an improvement with an owner (employed today) and a deadline."""
    errors: dict[str, str] = {}
    kind = str(values.get("kind", ""))
    if kind not in KINDS:
        errors["kind"] = _("Velg styrke eller forbedring.")
    areas = {a.id for a in barometer.improvement_areas}
    area = str(values.get("area", "")).strip() or None
    if area is not None and area not in areas:
        errors["area"] = _("Velg et av områdene i listen.")
    text = _text(values, "text", errors, required=area is None)
    owner_id: int | None = None
    deadline: date | None = None
    if kind == "improvement":
        owner_id = parse_id(str(values.get("owner_person_id", "")))
        owner = session.get(Person, owner_id) if owner_id else None
        if owner is None or not owner.is_active_on(today):
            errors["owner_person_id"] = _("Velg hvem som har ansvaret (en som er ansatt nå).")
        raw = str(values.get("deadline", "")).strip()
        try:
            deadline = date.fromisoformat(raw) if raw else None
        except ValueError:
            deadline = None
        if deadline is None:
            errors["deadline"] = _("Skriv fristen som åååå-mm-dd.")
        elif deadline < today:
            errors["deadline"] = _("Fristen kan ikke ha vært.")
        elif deadline.year > today.year + 5:
            errors["deadline"] = _("Velg en frist innen fem år.")
    if errors:
        raise InvalidInput(errors)
    if not text and area is not None:
        text = next(str(a.text) for a in barometer.improvement_areas if a.id == area)
    point = BarometerPoint(
        year=year, kind=kind, area=area, text=text, owner_person_id=owner_id, deadline=deadline
    )
    session.add(point)
    session.flush()
    return point


def complete_point(
    *, session: Session, point_id: int, values: dict[str, Any], today: date
) -> BarometerPoint:
    point = session.get(BarometerPoint, point_id)
    if point is None or point.kind != "improvement":
        raise NotFound()
    errors: dict[str, str] = {}
    note = _text(values, "done_note", errors, required=True, limit=NOTE_MAX)
    if point.done_on is not None:
        errors["done_note"] = _("Forbedringen er allerede ført som gjort.")
    if errors:
        raise InvalidInput(errors)
    claim_version(session, point, parse_id(str(values.get("version", ""))) or 0)
    point.done_on, point.done_note = today, note
    session.add(point)
    session.flush()
    return point
