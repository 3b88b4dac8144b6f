"""The notice (oppslag) of who represents whom: /notice, for the noticeboard and the
intranet; `?department=<id>` puts that department's verneombud first, `?on=` shows any day.

Everyone logged in reads it: who is verneombud is known to every employee (AML § 6-1).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.appointments import access as _access  # noqa: F401  (registers the actions)
from hms_tracker.appointments.forms import amu_side_label
from hms_tracker.appointments.notice import notice_on
from hms_tracker.db import SessionDep
from hms_tracker.errors import NotFound
from hms_tracker.web.auth import Permission
from hms_tracker.web.dates import chosen_day, today
from hms_tracker.web.params import parse_id
from hms_tracker.web.templating import render

router = APIRouter()


@router.get("/notice", dependencies=[Permission("appointments.view")])
def notice(
    request: Request,
    session: SessionDep,
    department: str | None = None,
    on: str | None = None,
) -> Response:
    department_id = parse_id(department)
    if department and department.strip() and department_id is None:
        raise NotFound()  # names a department that cannot exist
    day, day_error = chosen_day(on)
    return render(
        request,
        "appointments/notice.html",
        notice=notice_on(session=session, day=day, department_id=department_id),
        day=day,
        is_today=day == today(),
        day_error=day_error,
        amu_side_label=amu_side_label,
    )
