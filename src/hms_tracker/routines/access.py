"""Who may do what with routines: the routines domain's actions, and the load-or-404
dependency that applies each route's action to the routine it acts on.

A routine is read by those in its scope once published (`service.access_to`); its owner
and the coordinator edit its draft and review it; only the coordinator publishes and
archives. An unpublished routine does not exist for anyone else (404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from hms_tracker.db import SessionDep
from hms_tracker.errors import Forbidden
from hms_tracker.routines import service
from hms_tracker.routines.models import Routine
from hms_tracker.web.auth import (
    Action,
    CurrentUser,
    Principal,
    admin,
    anyone,
    register_actions,
    route_action,
)


def _reads(principal: Principal, access: Any) -> bool:
    """On the principal's `service.Access` to the routine."""
    return bool(access.may_read)


register_actions(
    Action("routines.list", anyone, everyone="the routines that apply to the person"),
    Action("reading.view", anyone, everyone="the person's own routines to read"),
    Action("routine.create", admin),
    Action("routine.publish", admin),
    Action("routine.archive", admin),
    Action("routine.view", anyone, record=_reads),
    Action("routine.acknowledge", anyone, record=_reads),
    Action("routine.edit", anyone, record=service.is_editor),
    Action("routine.review", anyone, record=service.is_editor),
)

READING = {"routine.view", "routine.acknowledge"}
EDITING = {"routine.edit", "routine.review"}


def load_routine(
    request: Request, routine_id: int, session: SessionDep, principal: CurrentUser
) -> Routine:
    """Load-or-404, then the route's action on it: 404 for an unpublished routine one may
    not edit, 403 for one outside one's scope or not one's to edit."""
    routine = service.get_routine(session=session, routine_id=routine_id)
    action = route_action(request)
    if action in READING:
        service.ensure_readable(session=session, principal=principal, routine=routine)
    elif action in EDITING and not service.is_editor(principal, routine):
        raise Forbidden()
    return routine


load_routine.loads_record = True  # type: ignore[attr-defined]
RoutineDep = Annotated[Routine, Depends(load_routine)]
