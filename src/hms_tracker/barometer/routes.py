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
from hms_tracker.barometer import service
from hms_tracker.barometer.measures import Evidence, Measure
from hms_tracker.barometer.presenter import (
    evidence_label,
    evidence_url,
    figure_text,
    measure_label,
    rule_text,
)
from hms_tracker.barometer.questions import barometer_for, barometers
from hms_tracker.db import SessionDep
from hms_tracker.web.auth import Permission, Principal
from hms_tracker.web.dates import chosen_day, today
from hms_tracker.web.params import parse_int
from hms_tracker.web.templating import render

router = APIRouter()
EVIDENCE_SHOWN = 5  # records listed under a figure; the rest on the page it links to


@router.get("/barometer", dependencies=[Permission("barometer.view")])
def barometer_page(
    request: Request,
    session: SessionDep,
    on: str | None = None,
    national: str | None = None,
    show: str | None = None,
) -> Response:
    day, day_error = chosen_day(on)
    chosen = barometer_for(parse_int(national, maximum=9999) if national else None)
    answers = service.records_answers(session=session, barometer=chosen, day=day)
    return render(
        request,
        "barometer/index.html",
        day=day,
        is_today=day == today(),
        day_error=day_error,
        answers=answers,
        barometer=chosen,
        barometers=barometers(),
        evidence_shown=EVIDENCE_SHOWN,
        show_all=show or "",
        visible=_visible(session, request.state.principal, answers),
        show_url=lambda key: (
            "/barometer?"
            + urlencode(
                {k: v for k, v in {"on": on, "national": national, "show": key}.items() if v}
            )
        ),
        figure_text=figure_text,
        measure_label=measure_label,
        rule_text=rule_text,
        evidence_url=evidence_url,
        evidence_label=evidence_label,
        keep={"national": national or ""},  # kept by the day picker
    )


def _visible(
    session: SessionDep, principal: Principal, answers: Any
) -> Callable[[Measure], list[Evidence]]:
    """A measure's evidence without the deviations and risks the principal may not open
    (as on /gaps: a deviation's text can say who was involved; the page says how many
    were left out)."""
    from hms_tracker.deviations.access import visible_ids as visible_deviations
    from hms_tracker.risks.access import visible_ids as visible_risks

    wanted: dict[str, set[int]] = {"deviation": set(), "risk": set()}
    for item in answers.questions:
        for m in (item.measure, *item.also):
            for e in m.evidence:
                if e.kind in wanted and e.id is not None:
                    wanted[e.kind].add(e.id)
    allowed = {
        "deviation": visible_deviations(
            session=session, principal=principal, ids=wanted["deviation"]
        ),
        "risk": visible_risks(session=session, principal=principal, ids=wanted["risk"]),
    }
    return lambda m: [e for e in m.evidence if e.kind not in allowed or e.id in allowed[e.kind]]
