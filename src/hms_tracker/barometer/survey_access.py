"""Who may do what with the pulse survey, and the dependencies that load the survey a
route acts on.

Every employee sees the open survey and answers it once, while employed; the coordinator
(admin) opens surveys and sees their results. Nobody, the coordinator included, sees who
answered what: no page shows participation per person, and the answers are not linked to
anyone (models.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from hms_tracker.barometer import survey as service
from hms_tracker.barometer.models import Survey
from hms_tracker.db import SessionDep
from hms_tracker.errors import NotFound
from hms_tracker.web.auth import (
    Action,
    CurrentUser,
    Principal,
    admin,
    anyone,
    ensure_route_action,
    register_actions,
)
from hms_tracker.web.dates import today
from hms_tracker.web.params import parse_id


def _employed_today(principal: Principal, survey: Any) -> bool:
    """The survey is for the people employed on the day they answer."""
    person = principal.person
    return person is not None and bool(person.is_active_on(today()))


register_actions(
    Action(
        "survey.view",
        anyone,
        everyone="the open pulse survey is the same for every employee; the page shows only "
        "it and whether the person has answered",
    ),
    Action("survey.answer", anyone, record=_employed_today),
    Action("surveys.list", admin),
    Action("survey.open", admin),
    Action("survey.results", admin),
)


def load_open_survey(
    request: Request, session: SessionDep, principal: CurrentUser
) -> Survey | None:
    """The survey open today (None when there is none), with the route's action checked
    on it: answering needs to be employed today (403 otherwise)."""
    survey = service.current_survey(session=session, day=today())
    if survey is not None:
        ensure_route_action(request, principal, survey)
    return survey


def load_survey(
    request: Request, survey_id: str, session: SessionDep, principal: CurrentUser
) -> Survey:
    """Load-or-404 by id (an id that is not a number is an unknown one)."""
    parsed = parse_id(survey_id)
    if parsed is None:
        raise NotFound()
    survey = service.get_survey(session=session, survey_id=parsed)
    ensure_route_action(request, principal, survey)
    return survey


load_open_survey.loads_record = True  # type: ignore[attr-defined]
load_survey.loads_record = True  # type: ignore[attr-defined]
OpenSurveyDep = Annotated[Survey | None, Depends(load_open_survey)]
SurveyDep = Annotated[Survey, Depends(load_survey)]
