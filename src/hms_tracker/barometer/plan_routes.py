"""The yearly review's decisions on /barometer: HMS goals and how they went, strengths and
improvements (each improvement with an owner and a deadline)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from hms_tracker.barometer import plan
from hms_tracker.barometer.presenter import measure_label, value_text
from hms_tracker.barometer.questions import barometer_for
from hms_tracker.barometer.service import Answers
from hms_tracker.db import SessionDep
from hms_tracker.errors import InvalidInput
from hms_tracker.organisation.service import person_choices
from hms_tracker.web.auth import Permission
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues
from hms_tracker.web.i18n import _, lazy
from hms_tracker.web.params import picker_search
from hms_tracker.web.templating import flash, redirect

router = APIRouter()
OUTCOME_LABELS = {
    "met": lazy("Nådd"),
    "partly": lazy("Delvis nådd"),
    "not_met": lazy("Ikke nådd"),
}


def outcome_label(outcome: str) -> str:
    return _(OUTCOME_LABELS[outcome])


ASSESS = [Permission("barometer.assess")]


def goal_years(day: date) -> tuple[int, ...]:
    """Goals are set for this year or the next (the review at the end of a year sets the
    coming year's)."""
    return (day.year, day.year + 1)


def plan_context(
    session: Session, *, day: date, answers: Answers, request: Request
) -> dict[str, Any]:
    """What the page shows of the review's decisions on `day`."""
    measures = {m.id: m for item in answers.questions for m in (item.measure, *item.also)}
    found_goals = plan.goals(session=session, years=(day.year - 1, *goal_years(day)))
    found_points = plan.points(session=session, year=day.year)
    follow_up = plan.open_improvements(session=session, before=day.year)
    search = picker_search(request, "owner_person_id")
    return {
        "goals": found_goals,
        "goal_years": goal_years(day),
        "goal_progress": {g.id: plan.progress(g, measures) for g in found_goals},
        "measure_options": [(m, measure_label(m)) for m in plan.FOLLOWABLE],
        "area_options": [(a.id, str(a.text)) for a in answers.barometer.improvement_areas],
        "year_options": [(str(y), str(y)) for y in goal_years(day)],
        "goal_target": lambda g: value_text(g.measure_id, g.target),
        "goal_value": lambda g, v: "–" if v is None else value_text(g.measure_id, v),
        "outcome_label": outcome_label,
        "review_points": found_points,
        "follow_up": follow_up,
        "point_owners": plan.owner_names(session=session, found=found_points + follow_up),
        "improvement_areas": answers.barometer.improvement_areas,
        "owner_choices": person_choices(session=session, today=day, search=search),
        "owner_search": search,
    }


def _failed(request: Request, session: SessionDep, values: dict[str, Any], form: str,
            errors: dict[str, str]) -> Response:  # fmt: skip
    from hms_tracker.barometer.routes import _page

    return _page(
        request, session, errors={f"{form}.{k}": v for k, v in errors.items()},
        typed={form: values}, status_code=422,
    )  # fmt: skip


@router.post("/barometer/goals", dependencies=ASSESS)
def goal_add(request: Request, session: SessionDep, values: FormValues) -> Response:
    try:
        plan.add_goal(session=session, values=values, years=goal_years(today()))
    except InvalidInput as exc:
        return _failed(request, session, values, "goal", exc.errors)
    flash(request, _("Målet er lagt til."))
    return redirect(request, "/barometer#goals")


@router.post("/barometer/goals/{goal_id:int}/outcome", dependencies=ASSESS)
def goal_outcome(
    request: Request, session: SessionDep, goal_id: int, values: FormValues
) -> Response:
    try:
        plan.record_outcome(session=session, goal_id=goal_id, values=values)
    except InvalidInput as exc:
        return _failed(request, session, values, f"outcome-{goal_id}", exc.errors)
    flash(request, _("Resultatet er lagret."))
    return redirect(request, "/barometer#goals")


@router.post("/barometer/points", dependencies=ASSESS)
def point_add(request: Request, session: SessionDep, values: FormValues) -> Response:
    day = today()
    try:
        plan.add_point(
            session=session, values=values, year=day.year, barometer=barometer_for(day.year),
            today=day,
        )  # fmt: skip
    except InvalidInput as exc:
        return _failed(request, session, values, "point", exc.errors)
    flash(request, _("Lagt til i gjennomgangen."))
    return redirect(request, "/barometer#review-points")


@router.post("/barometer/points/{point_id:int}/done", dependencies=ASSESS)
def point_done(
    request: Request, session: SessionDep, point_id: int, values: FormValues
) -> Response:
    try:
        plan.complete_point(session=session, point_id=point_id, values=values, today=today())
    except InvalidInput as exc:
        return _failed(request, session, values, f"done-{point_id}", exc.errors)
    flash(request, _("Forbedringen er ført som gjort."))
    return redirect(request, "/barometer#review-points")
