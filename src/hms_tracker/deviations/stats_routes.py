"""The statistics page (/deviations/stats) and the form for hours worked per year.

Who sees it: the coordinator (admin), leaders, verneombud, the hovedverneombud and AMU
members, like the gaps page. They all see the whole company's figures: the page shows
counts, never a deviation's content, and a leader judging the reporting culture needs to
compare with the rest of the company. `?department=` narrows the figures to a department
and the departments below it. Only the admin enters hours worked.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from babel.dates import format_date as babel_format_date
from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.db import SessionDep
from hms_tracker.deviations import stats as stats_service
from hms_tracker.deviations.access import visible_ids
from hms_tracker.errors import InvalidInput
from hms_tracker.organisation import service as organisation
from hms_tracker.web.auth import Permission
from hms_tracker.web.charts import Bar, horizontal_bar_chart, vertical_bar_chart
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues
from hms_tracker.web.i18n import _, babel_locale, format_number
from hms_tracker.web.params import parse_id
from hms_tracker.web.templating import flash, redirect, render

STATS_URL = "/deviations/stats"


router = APIRouter()


def one_decimal(value: Fraction | None) -> str:
    """A rate for display: rounded half up to one decimal, in the page's language."""
    if value is None:
        return "—"
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return format_number(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def age_label(bucket: stats_service.AgeBucket) -> str:
    if bucket.max_days is None:
        return _("Over %(days)s dager", days=bucket.min_days - 1)
    return _("%(low)s–%(high)s dager", low=bucket.min_days, high=bucket.max_days)


def _department_filter(
    session: SessionDep, department: str | None
) -> tuple[int | None, frozenset[int] | None, str | None]:
    if not department:
        return None, None, None
    options = dict(organisation.department_options(session=session))
    dept_id = parse_id(department)
    if dept_id is None or dept_id not in options:
        return None, None, _("Ukjent avdeling. Viser hele bedriften.")
    ids = organisation.subtree_ids(session=session, department_ids=[dept_id])
    return dept_id, ids, None


LISTED_OVERDUE = 20


def _page(
    request: Request,
    session: SessionDep,
    *,
    department: str | None = None,
    hours_values: dict[str, Any] | None = None,
    hours_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    dept_id, dept_ids, dept_error = _department_filter(session, department)
    stats = stats_service.load_stats(session, today=day, department_ids=dept_ids)
    locale = babel_locale()

    months = [
        (babel_format_date(m.month, "MMMM y", locale=locale), m.count) for m in stats.per_month
    ]
    # The window's first and last months share a name (part of each): those two with the year.
    repeated = {m.month.month for m in stats.per_month[:1]} & {
        m.month.month for m in stats.per_month[1:]
    }
    month_chart = vertical_bar_chart(
        [
            Bar(
                babel_format_date(
                    m.month, "MMM yy" if m.month.month in repeated else "MMM", locale=locale
                ),
                m.count,
            )  # fmt: skip
            for m in stats.per_month
        ],
        chart_id="chart-months",
        title=_("Registrerte avvik per måned"),
        description=_(
            "Søylediagram: antall registrerte avvik i hver av de siste 12 månedene, "
            "fra %(first)s til %(last)s. Tallene står i tabellen under.",
            first=months[0][0],
            last=months[-1][0],
        ),
        empty_text=_("Ingen avvik registrert i perioden."),
    )
    department_chart = horizontal_bar_chart(
        [Bar(d.name, d.count) for d in stats.per_department],
        chart_id="chart-departments",
        title=_("Registrerte avvik per avdeling, siste 12 måneder"),
        description=_(
            "Liggende søylediagram: antall registrerte avvik per avdeling. "
            "Tallene står i tabellen under."
        ),
        empty_text=_("Ingen avvik registrert i perioden."),
    )
    age_chart = horizontal_bar_chart(
        [Bar(age_label(b), b.count) for b in stats.open_by_age],
        chart_id="chart-age",
        title=_("Åpne avvik etter alder"),
        description=_(
            "Liggende søylediagram: antall åpne avvik etter dager siden registrering. "
            "Tallene står i tabellen under."
        ),
        empty_text=_("Ingen åpne avvik."),
    )
    # The list of overdue actions names what is to be done and by whom: only those of
    # deviations the viewer may open are listed; the count covers them all.
    principal = request.state.principal
    wanted = {a.deviation_id for a in stats.overdue_actions}
    may_open = visible_ids(session=session, principal=principal, ids=wanted)
    visible = [a for a in stats.overdue_actions if a.deviation_id in may_open]
    listed = visible[:LISTED_OVERDUE]  # the longest overdue; the rest in the deviation list
    return render(
        request,
        "deviations/stats.html",
        status_code=status_code,
        stats=stats,
        listed_overdue=listed,
        more_overdue=len(visible) - len(listed),
        overdue_list_url="/deviations?overdue=1",
        unlisted_overdue=len(stats.overdue_actions) - len(visible),
        months=months,
        month_chart=month_chart,
        department_chart=department_chart,
        age_chart=age_chart,
        age_rows=[(age_label(b), b.count) for b in stats.open_by_age],
        one_decimal=one_decimal,
        department=dept_id,
        department_error=dept_error,
        department_options=organisation.department_options(session=session),
        hours_values=hours_values
        if hours_values is not None
        else {"year": str(day.year - 1), "hours": ""},
        hours_errors=hours_errors or {},
        year_min=stats_service.HOURS_YEAR_MIN,
        year_max=stats_service.HOURS_YEAR_MAX,
    )


@router.get(STATS_URL, dependencies=[Permission("deviations.stats")])
def stats_page(request: Request, session: SessionDep, department: str | None = None) -> Response:
    return _page(request, session, department=department)


@router.post(STATS_URL + "/hours", dependencies=[Permission("deviations.hours_worked")])
def save_hours(request: Request, session: SessionDep, values: FormValues) -> Response:
    try:
        year, hours = stats_service.save_hours_worked(session=session, values=values)
    except InvalidInput as exc:
        typed = {k: str(values.get(k) or "") for k in ("year", "hours")}
        return _page(request, session, hours_values=typed, hours_errors=exc.errors, status_code=422)
    if hours is None:
        flash(request, _("Arbeidstimene for %(year)s er fjernet.", year=year))
    else:
        flash(request, _("Arbeidstimene for %(year)s er lagret.", year=year))
    return redirect(request, STATS_URL + "#hours")
