"""The start page (`/`): what needs the person who logs in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.db import SessionDep
from hms_tracker.home.service import what_needs
from hms_tracker.rules.facts import employee_counts
from hms_tracker.rules.headcount import as_decimal
from hms_tracker.web.auth import CurrentUser, Permission
from hms_tracker.web.dates import today
from hms_tracker.web.templating import render

router = APIRouter()


@router.get("/", dependencies=[Permission("home.view")])
def home(request: Request, principal: CurrentUser, session: SessionDep) -> Response:
    """What needs the person: their own tasks first, then each role's."""
    day = today()
    counts = None
    if principal.is_admin or principal.is_leader:
        counts = employee_counts(session=session, day=day)
    return render(
        request,
        "home.html",
        home=what_needs(session=session, principal=principal, day=day),
        counts=counts,
        as_decimal=as_decimal,
    )
