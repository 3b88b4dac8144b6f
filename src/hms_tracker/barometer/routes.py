"""The barometer page (/barometer): each question of HMS-barometeret answered from the
company's own records on a day, with the figures behind it, the rule that turned them into
the answer, and the national figure beside it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.barometer import access as _access  # noqa: F401  (registers the actions)
from hms_tracker.barometer import checklist as checklist_parts
from hms_tracker.barometer import review, service
from hms_tracker.barometer.chart import answers_chart
from hms_tracker.barometer.measures import Evidence, Measure
from hms_tracker.barometer.models import BarometerSnapshot
from hms_tracker.barometer.next_steps import step_text, steps_for_page
from hms_tracker.barometer.plan_routes import outcome_label, plan_context
from hms_tracker.barometer.presenter import (
    evidence_label,
    evidence_url,
    figure_text,
    measure_label,
    national_group,
    rule_text,
    snapshot_figure,
)
from hms_tracker.barometer.questions import barometer_for, barometers
from hms_tracker.db import SessionDep
from hms_tracker.errors import InvalidInput, NotFound, TransitionRefused
from hms_tracker.web.auth import CurrentUser, Permission, Principal
from hms_tracker.web.dates import chosen_day, today
from hms_tracker.web.forms import FormValues
from hms_tracker.web.i18n import _
from hms_tracker.web.params import parse_int
from hms_tracker.web.templating import flash, redirect, render

router = APIRouter()
EVIDENCE_SHOWN = 5  # records listed under a figure; the rest on the page it links to


@router.get("/barometer", dependencies=[Permission("barometer.view")])
def barometer_page(
    request: Request,
    session: SessionDep,
    on: str | None = None,
    national: str | None = None,
    show: str | None = None,
    assess: str | None = None,
) -> Response:
    return _page(request, session, on=on, national=national, show=show, assess=assess)


def _page(
    request: Request,
    session: SessionDep,
    *,
    on: str | None = None,
    national: str | None = None,
    show: str | None = None,
    assess: str | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    day, day_error = chosen_day(on)
    chosen = barometer_for(parse_int(national, maximum=9999) if national else None)
    answers = service.records_answers(session=session, barometer=chosen, day=day)
    minimum = request.app.state.settings.survey_min_answers
    past = review.history(session=session)
    allowed = _allowed(session, request.state.principal, answers)
    return render(
        request,
        "barometer/index.html",
        status_code=status_code,
        past=past,
        chart=answers_chart(answers, past),
        **plan_context(session, day=day, answers=answers, request=request),
        surveyed=review.survey_answers(session=session, barometer=chosen, day=day, minimum=minimum),
        final=review.assessments(session=session, year=day.year),
        locked=review.snapshot_for(session=session, year=day.year) is not None,
        snapshot_years=review.snapshot_years(session=session),
        errors=errors or {},
        typed=typed or {},
        day=day,
        is_today=day == today(),
        day_error=day_error,
        answers=answers,
        barometer=chosen,
        barometers=barometers(),
        evidence_shown=EVIDENCE_SHOWN,
        show_all=show or "",
        visible=_visible(allowed),
        steps=steps_for_page(session=session, answers=answers, allowed=allowed),
        step_text=step_text,
        checklist=checklist_parts.cached_checklist(session=session, day=day, answers=answers),
        **checklist_parts.helpers(),
        show_url=lambda key: (
            "/barometer?"
            + urlencode(
                {k: v for k, v in {"on": on, "national": national, "show": key}.items() if v}
            )
        ),
        # The coordinator's form of one question at a time (`?assess=<question>`): the page
        # stays a page to read, not thirteen forms.
        assessing=assess or "",
        assess_url=lambda question: (
            "/barometer?"
            + urlencode(
                {k: v for k, v in {"on": on, "national": national, "assess": question}.items() if v}
            )
        ),  # fmt: skip
        figure_text=figure_text,
        measure_label=measure_label,
        rule_text=rule_text,
        national_group=national_group,
        evidence_url=evidence_url,
        evidence_label=evidence_label,
        keep={"national": national or ""},  # kept by the day picker
    )


def _allowed(session: SessionDep, principal: Principal, answers: Any) -> dict[str, set[int]]:
    """The deviations and risks among the evidence that the principal may open (as on
    /gaps: a deviation's text can say who was involved; the page says how many were left
    out). Other kinds of records are not limited."""
    from hms_tracker.deviations.access import visible_ids as visible_deviations
    from hms_tracker.risks.access import visible_ids as visible_risks

    if principal.is_admin:
        return {}  # the coordinator may open every record
    wanted: dict[str, set[int]] = {"deviation": set(), "risk": set()}
    for item in answers.questions:
        for m in (item.measure, *item.also):
            for e in m.evidence:
                if e.kind in wanted and e.id is not None:
                    wanted[e.kind].add(e.id)
    return {
        "deviation": visible_deviations(
            session=session, principal=principal, ids=wanted["deviation"]
        ),
        "risk": visible_risks(session=session, principal=principal, ids=wanted["risk"]),
    }


def _visible(allowed: dict[str, set[int]]) -> Callable[[Measure], list[Evidence]]:
    return lambda m: [e for e in m.evidence if e.kind not in allowed or e.id in allowed[e.kind]]


@router.post("/barometer/assessments", dependencies=[Permission("barometer.assess")])
def assessment_save(
    request: Request, session: SessionDep, principal: CurrentUser, values: FormValues
) -> Response:
    """The coordinator's own answer to one question for the year of the day shown."""
    question_id = str(values.get("question_id", ""))
    day, _error = chosen_day(str(values.get("on", "")) or None)
    try:
        review.save_assessment(
            session=session,
            actor=principal,
            barometer=barometer_for(day.year),
            year=day.year,
            question_id=question_id,
            answer=str(values.get("answer", "")),
            comment=str(values.get("comment", "")),
            version=parse_int(str(values.get("version", "")), maximum=2**31) or None,
        )
    except InvalidInput as exc:
        session.rollback()
        return _page(
            request, session, on=values.get("on") or None,
            errors={f"{question_id}.{k}": v for k, v in exc.errors.items()},
            typed={question_id: values}, status_code=422,
        )  # fmt: skip
    except TransitionRefused as exc:
        session.rollback()
        flash(request, exc.message, "warning")
        return redirect(request, _back(values, question_id))
    flash(request, _("Vurderingen er lagret."))
    return redirect(request, _back(values, question_id))


@router.post("/barometer/snapshots", dependencies=[Permission("barometer.assess")])
def snapshot_take(
    request: Request, session: SessionDep, principal: CurrentUser, values: FormValues
) -> Response:
    """Freeze this year's review: the three answers to every question as they stand today."""
    day = today()
    chosen = barometer_for(day.year)
    answers = service.records_answers(session=session, barometer=chosen, day=day)
    minimum = request.app.state.settings.survey_min_answers
    try:
        review.take_snapshot(
            session=session,
            taken_by_person_id=principal.person_id,
            answers=answers,
            surveyed=review.survey_answers(
                session=session, barometer=chosen, day=day, minimum=minimum
            ),
            year=day.year,
        )
    except TransitionRefused as exc:
        session.rollback()
        flash(request, exc.message, "warning")
        return redirect(request, "/barometer")
    flash(request, _("Gjennomgangen for %(year)s er lagret og låst.", year=day.year))
    return redirect(request, f"/barometer/{day.year}")


@router.get("/barometer/{year:int}", dependencies=[Permission("barometer.view")])
def snapshot_page(request: Request, session: SessionDep, year: int) -> Response:
    """One year's review as it was frozen."""
    snapshot = _snapshot_or_404(session, year)
    return render(
        request,
        "barometer/snapshot.html",
        snapshot=snapshot,
        content=review.read_snapshot(snapshot),
        measure_label=measure_label,
        snapshot_figure=snapshot_figure,
        outcome_label=outcome_label,
        snapshot_years=review.snapshot_years(session=session),
    )


def _back(values: dict[str, Any], question_id: str) -> str:
    on = str(values.get("on", ""))
    query = "?" + urlencode({"on": on}) if on else ""
    return f"/barometer{query}#q-{question_id}"


def _snapshot_or_404(session: SessionDep, year: int) -> BarometerSnapshot:
    snapshot = review.snapshot_for(session=session, year=year) if 2000 <= year <= 2200 else None
    if snapshot is None:
        raise NotFound(_("Det finnes ingen årlig gjennomgang for %(year)s.", year=year))
    return snapshot


@router.get("/barometer/{year:int}.pdf", dependencies=[Permission("barometer.view")])
def snapshot_pdf_download(request: Request, session: SessionDep, year: int) -> Response:
    """One year's review as an A4 PDF (`/barometer/2026` is the page: `{year:int}` takes
    digits only, so the two paths never meet)."""
    from hms_tracker.barometer.export import snapshot_pdf
    from hms_tracker.web.templating import company_name

    content = snapshot_pdf(_snapshot_or_404(session, year), company_name=company_name(request))
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="hms-barometer-{year}.pdf"'},
    )


@router.get("/barometer/{year:int}.csv", dependencies=[Permission("barometer.view")])
def snapshot_csv_download(session: SessionDep, year: int) -> Response:
    """One year's review as CSV: a row per question and figure."""
    from hms_tracker.barometer.export import snapshot_csv

    return Response(
        snapshot_csv(_snapshot_or_404(session, year)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="hms-barometer-{year}.csv"'},
    )
