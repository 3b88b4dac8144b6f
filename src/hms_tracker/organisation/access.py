"""Who may do what with people and departments: the organisation domain's actions, and the
load-or-404 dependencies that apply each route's action to the record it acts on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from hms_tracker.db import SessionDep
from hms_tracker.organisation import service
from hms_tracker.organisation.models import Department, Person
from hms_tracker.web.auth import (
    Action,
    CurrentUser,
    Principal,
    admin,
    admin_or_leader,
    anyone,
    ensure_route_action,
    register_actions,
)


def leads(principal: Principal, department_id: int | None) -> bool:
    return department_id is not None and department_id in principal.led_department_ids


def may_view_person(principal: Principal, person: Any) -> bool:
    """The coordinator, the person themselves, or a leader of the person's department."""
    return (
        principal.is_admin
        or person.id == principal.person_id
        or leads(principal, person.department_id)
    )


def may_change_person(principal: Principal, person: Any) -> bool:
    """Edit or end a person, or place one (new or moved) in a department."""
    return principal.is_admin or leads(principal, person.department_id)


register_actions(
    Action("people.list", admin_or_leader),
    # A person picker's search in the forms of coordinators and leaders (the same people
    # as /people lists to them: names and departments of those employed).
    Action("people.choose", admin_or_leader),
    Action("people.export", admin_or_leader),
    Action("people.import", admin),
    Action("person.view", anyone, record=may_view_person),
    Action("person.create", admin_or_leader, record=may_change_person),
    Action("person.edit", admin_or_leader, record=may_change_person),
    Action("person.end", admin_or_leader, record=may_change_person),
    Action("departments.view", anyone, everyone="the company's departments and who leads them"),
    Action("departments.manage", admin),
    Action("accounts.manage", admin),
)


def load_person(
    request: Request, person_id: int, session: SessionDep, principal: CurrentUser
) -> Person:
    """Load-or-404, then the route's action on this person (403 if not theirs)."""
    person = service.get_person(session=session, person_id=person_id)
    ensure_route_action(request, principal, person)
    return person


def load_department(department_id: int, session: SessionDep) -> Department:
    return service.get_department(session=session, department_id=department_id)


load_person.loads_record = True  # type: ignore[attr-defined]
load_department.loads_record = True  # type: ignore[attr-defined]
PersonDep = Annotated[Person, Depends(load_person)]
DepartmentDep = Annotated[Department, Depends(load_department)]
