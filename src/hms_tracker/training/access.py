"""Who may do what with training: the training domain's actions, and the load-or-404
dependencies that apply each route's action to the person or record it acts on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from hms_tracker.db import SessionDep
from hms_tracker.organisation import service as organisation
from hms_tracker.organisation.models import Person
from hms_tracker.training import service
from hms_tracker.training.models import CourseType, TrainingRecord
from hms_tracker.web.auth import (
    Action,
    CurrentUser,
    Principal,
    admin,
    anyone,
    ensure_route_action,
    register_actions,
)


def may_handle_training(principal: Principal, scope: Any) -> bool:
    """The admin, the person themselves, or a leader of the person's department."""
    return (
        principal.is_admin
        or scope.person_id == principal.person_id
        or (scope.department_id is not None and scope.department_id in principal.led_department_ids)
    )


register_actions(
    Action("courses.view", anyone, everyone="the list of course types and what they count for"),
    Action("courses.manage", admin),
    Action("training.view", anyone, record=may_handle_training),
    Action("training.register", anyone, record=may_handle_training),
    Action("training.withdraw", anyone, record=may_handle_training),
)


def load_course_type(course_type_id: int, session: SessionDep) -> CourseType:
    return service.get_course_type(session=session, course_type_id=course_type_id)


def load_record(
    request: Request, record_id: int, session: SessionDep, principal: CurrentUser
) -> TrainingRecord:
    """Load-or-404, then the route's action on the record's person (403 if not theirs)."""
    record = service.get_record(session=session, record_id=record_id)
    ensure_route_action(request, principal, service.scope_of_record(session=session, record=record))
    return record


def load_person(
    request: Request, person_id: int, session: SessionDep, principal: CurrentUser
) -> Person:
    """Load-or-404, then the route's action on this person's training (403 if not theirs)."""
    person = organisation.get_person(session=session, person_id=person_id)
    ensure_route_action(request, principal, service.scope_of_person(person))
    return person


load_course_type.loads_record = True  # type: ignore[attr-defined]
load_record.loads_record = True  # type: ignore[attr-defined]
load_person.loads_record = True  # type: ignore[attr-defined]
CourseTypeDep = Annotated[CourseType, Depends(load_course_type)]
RecordDep = Annotated[TrainingRecord, Depends(load_record)]
PersonDep = Annotated[Person, Depends(load_person)]
