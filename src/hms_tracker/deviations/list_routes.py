"""The deviation list (/deviations) with filters, search, sorting and pages, and its export
as CSV and XLSX.

Everyone logged in sees the deviations visible to them (access.visible_clause: their own
reports and what they are responsible for or own an action in; leaders their departments,
verneombud their verneområde, the admin all). The filter form is a plain GET form; with
htmx it replaces only the results block. The export is for leaders and the admin and takes
the same filters, without pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.db import SessionDep
from hms_tracker.deviations import export, service
from hms_tracker.deviations.forms import category_options, status_options
from hms_tracker.deviations.routes import helpers
from hms_tracker.risk import level_options
from hms_tracker.web.auth import CurrentUser, Permission
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import _
from hms_tracker.web.templating import render

router = APIRouter()

LIST_URL = "/deviations"


def _url(path: str, params: dict[str, str]) -> str:
    query = urlencode(params)
    return f"{path}?{query}" if query else path


def _filters(request: Request) -> service.ListFilters:
    return service.ListFilters.from_query(dict(request.query_params))


def _sort_options() -> list[tuple[str, str]]:
    return [
        ("newest", _("Nyeste først")),
        ("oldest", _("Eldste først")),
        ("risk", _("Høyest risiko først")),
        ("deadline", _("Nærmeste frist først")),
    ]


def _status_options() -> list[tuple[str, str]]:
    return [("open", _("Åpne (ikke lukket eller avvist)")), *status_options()]


@router.get(LIST_URL, dependencies=[Permission("deviations.list")])
def deviation_list(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    filters = _filters(request)
    result = service.list_deviations(
        session=session, principal=principal, filters=filters, today=today()
    )
    params = result.filters.query_params(page="")

    def page_url(number: int) -> str:
        return _url(LIST_URL, result.filters.query_params(page=number if number > 1 else ""))

    return render(
        request,
        "deviations/list.html",
        block="results",
        result=result,
        filters=result.filters,
        status_options=_status_options(),
        category_options=category_options(),
        risk_options=level_options(),
        sort_options=_sort_options(),
        departments=service.department_filter_options(session=session, principal=principal),
        page_url=page_url,
        quick_links=[
            (_("Alle"), LIST_URL),
            (_("Åpne"), _url(LIST_URL, {"status": "open"})),
            (_("Forfalte"), _url(LIST_URL, {"overdue": "1"})),
            (_("Tildelt meg"), _url(LIST_URL, {"assigned": "1"})),
            (_("Meldt av meg"), _url(LIST_URL, {"mine": "1"})),
        ],
        current_url=_url(LIST_URL, params),
        export_csv_url=_url(f"{LIST_URL}/export.csv", params),
        export_xlsx_url=_url(f"{LIST_URL}/export.xlsx", params),
        **helpers(),
    )


def _attachment(content: bytes, media_type: str, day: date, extension: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="avvik-{day.isoformat()}.{extension}"',
            "Cache-Control": "no-store",
        },
    )


def _export_rows(
    request: Request, session: SessionDep, principal: CurrentUser
) -> tuple[list[Any], date]:
    day = today()
    rows = service.export_deviations(
        session=session, principal=principal, filters=_filters(request), today=day
    )
    return rows, day


@router.get(f"{LIST_URL}/export.csv", dependencies=[Permission("deviations.export")])
def deviation_export_csv(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    rows, day = _export_rows(request, session, principal)
    return _attachment(export.write_csv(rows), "text/csv; charset=utf-8", day, "csv")


@router.get(f"{LIST_URL}/export.xlsx", dependencies=[Permission("deviations.export")])
def deviation_export_xlsx(
    request: Request, session: SessionDep, principal: CurrentUser
) -> Response:
    rows, day = _export_rows(request, session, principal)
    return _attachment(
        export.write_xlsx(rows),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        day,
        "xlsx",
    )
