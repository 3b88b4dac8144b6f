"""The pulse survey's pages: the employee's form (/survey) and the coordinator's surveys
and results (/barometer/surveys).

Routes parse and render; what may be answered, by whom and when, and what results may be
shown, is decided in survey.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.barometer import survey as service
from hms_tracker.barometer.models import Survey
from hms_tracker.barometer.questions import barometers
from hms_tracker.barometer.survey_access import OpenSurveyDep, SurveyDep
from hms_tracker.barometer.survey_forms import SurveyForm
from hms_tracker.db import SessionDep
from hms_tracker.errors import InvalidInput, TransitionRefused
from hms_tracker.web.auth import CurrentUser, Permission
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues
from hms_tracker.web.handlers import submit
from hms_tracker.web.i18n import _
from hms_tracker.web.params import parse_id
from hms_tracker.web.templating import flash, redirect, render

router = APIRouter()
DEFAULT_OPEN_DAYS = 14  # the suggested period of a new survey, both days included


def _minimum(request: Request) -> int:
    return int(request.app.state.settings.survey_min_answers)


def _status_labels() -> dict[str, tuple[str, str]]:
    return {
        "planned": (_("Planlagt"), "info"),
        "open": (_("Åpen"), "success"),
        "closed": (_("Avsluttet"), "neutral"),
    }


# --- the employee's survey -------------------------------------------------------------


def _survey_page(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    survey: Survey | None,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    refused: str | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    state = "none"
    barometer = None
    labels: dict[str, str] = {}
    if survey is not None:
        barometer = service.barometer_of(survey)
        if service.has_answered(session=session, survey=survey, person_id=principal.person_id):
            state = "answered"
        elif not principal.person.is_active_on(day):
            state = "not_employed"
        else:
            state = "form"
        labels = {
            service.answer_field(q.id): str(q.text) for q in service.survey_questions(barometer)
        }
        labels |= {service.comment_field(f.id): str(f.text) for f in barometer.free_text}
    return render(
        request,
        "barometer/survey.html",
        status_code=status_code,
        survey=survey,
        state=state,
        barometer=barometer,
        questions=service.survey_questions(barometer) if barometer else [],
        values=values or {},
        errors=errors or {},
        labels=labels,
        refused=refused,
        minimum=_minimum(request),
        answer_field=service.answer_field,
        comment_field=service.comment_field,
        no_answer=service.NO_ANSWER,
        max_comment=service.MAX_COMMENT_LENGTH,
    )


@router.get("/survey", dependencies=[Permission("survey.view")])
def survey_form(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    survey = service.current_survey(session=session, day=today())
    return _survey_page(request, session, principal, survey)


@router.post("/survey", dependencies=[Permission("survey.answer")])
def survey_answer(
    request: Request,
    survey: OpenSurveyDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    if survey is None or parse_id(values.get("survey_id")) != survey.id:
        # The survey closed (or another opened) after the form was shown.
        return _survey_page(
            request, session, principal, survey, status_code=409,
            refused=_(
                "Undersøkelsen du svarte på, er ikke åpen lenger, så svaret ble ikke lagret."
            ),
        )  # fmt: skip
    answers, comments = service.answers_from_form(values, service.barometer_of(survey))
    try:
        service.answer(
            session=session, survey=survey, person=principal.person, answers=answers,
            comments=comments, day=today(),
        )  # fmt: skip
    except InvalidInput as exc:
        return _survey_page(
            request, session, principal, survey, values=values, errors=exc.errors,
            status_code=422,
        )  # fmt: skip
    except service.AlreadyAnswered as exc:
        flash(request, exc.message, "info")
        return redirect(request, "/survey")
    except TransitionRefused as exc:
        flash(request, exc.message, "danger")
        return redirect(request, "/survey")
    flash(
        request,
        _("Takk for at du svarte! Svaret ditt er lagret uten navnet ditt."),
    )
    return redirect(request, "/survey")


# --- the coordinator's surveys ---------------------------------------------------------


def _list_page(
    request: Request,
    session: SessionDep,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    day = today()
    newest = barometers()[0]
    defaults = {
        "title": _("Pulsundersøkelse %(year)s", year=day.year),
        "opens_on": day.isoformat(),
        "closes_on": (day + timedelta(days=DEFAULT_OPEN_DAYS - 1)).isoformat(),
        "barometer_year": str(newest.year),
    }
    return render(
        request,
        "barometer/surveys.html",
        rows=service.list_surveys(session=session, day=day),
        values=values if values is not None else defaults,
        errors=errors or {},
        barometer_options=[(str(b.year), str(b.title)) for b in barometers()],
        status_labels=_status_labels(),
        minimum=_minimum(request),
    )


@router.get("/barometer/surveys", dependencies=[Permission("surveys.list")])
def survey_list(request: Request, session: SessionDep) -> Response:
    return _list_page(request, session)


@router.post("/barometer/surveys", dependencies=[Permission("survey.open")])
def survey_open(
    request: Request, values: FormValues, session: SessionDep, principal: CurrentUser
) -> Response:
    return submit(
        request, values, SurveyForm,
        lambda data: service.open_survey(
            session=session, actor=principal, data=data, today=today()
        ),
        again=lambda errors: _list_page(request, session, values=values, errors=errors),
        done=lambda survey: f"/barometer/surveys/{survey.id}",
        message=lambda survey: _(
            "Undersøkelsen «%(title)s» er opprettet. De ansatte finner den under "
            "«Pulsundersøkelse» på forsiden mens den er åpen.",
            title=survey.title,
        ),
    )  # fmt: skip


@router.get("/barometer/surveys/{survey_id}", dependencies=[Permission("survey.results")])
def survey_results(
    request: Request, survey: SurveyDep, session: SessionDep, department: str | None = None
) -> Response:
    page = service.survey_page(
        session=session,
        survey=survey,
        minimum=_minimum(request),
        day=today(),
        department_id=parse_id(department) if department else None,
    )
    return render(
        request,
        "barometer/survey_results.html",
        page=page,
        survey=survey,
        status_labels=_status_labels(),
    )
