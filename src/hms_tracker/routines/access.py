"""Who may do what with routines: the routines domain's actions, and the load-or-404
dependency that applies each route's action to the routine it acts on.

A routine is read by those in its scope once published (`access_to`); its owner
and the coordinator edit its draft and review it; only the coordinator publishes and
archives. An unpublished routine does not exist for anyone else (404)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session, col, select

from hms_tracker.db import SessionDep, request_memo
from hms_tracker.errors import Forbidden, NotFound
from hms_tracker.organisation.service import department_parents
from hms_tracker.routines.models import Routine, RoutineDepartment, RoutineVersion, VersionStatus
from hms_tracker.rules.departments import Tree
from hms_tracker.web.auth import (
    Action,
    CurrentUser,
    Principal,
    admin,
    admin_or_leader,
    anyone,
    register_actions,
    route_action,
)


def get_routine(*, session: Session, routine_id: int) -> Routine:
    routine = session.get(Routine, routine_id)
    if routine is None:
        raise NotFound()
    return routine


def current_version(*, session: Session, routine: Routine) -> RoutineVersion | None:
    """The published version (in force), if any; read once per request."""
    return request_memo(
        session,
        ("routine_version_in_force", routine.id),
        lambda: session.exec(
            select(RoutineVersion).where(
                RoutineVersion.routine_id == routine.id,
                RoutineVersion.status == VersionStatus.published.value,
            )
        ).first(),
    )


@dataclass(frozen=True)
class Scope:
    """Who a routine applies to: everyone, or the people of these departments (with the
    departments below the chosen ones)."""

    whole_company: bool
    department_ids: frozenset[int] = frozenset()  # expanded to sub-departments

    def covers(self, department_id: int | None) -> bool:
        return self.whole_company or (
            department_id is not None and department_id in self.department_ids
        )

    def covers_any(self, department_ids: Iterable[int]) -> bool:
        return self.whole_company or bool(self.department_ids & set(department_ids))


def chosen_departments(session: Session, routine_ids: list[int]) -> dict[int, set[int]]:
    """The departments chosen for each routine (not expanded), in one statement."""
    chosen: dict[int, set[int]] = {}
    if routine_ids:
        for routine_id, department_id in session.exec(
            select(RoutineDepartment.routine_id, RoutineDepartment.department_id).where(
                col(RoutineDepartment.routine_id).in_(routine_ids)
            )
        ).all():
            chosen.setdefault(routine_id, set()).add(department_id)
    return chosen


def scopes_of(
    session: Session,
    routines: list[Routine],
    parents: dict[int, int | None] | None = None,
    chosen: Mapping[int, Collection[int]] | None = None,
) -> dict[int, Scope]:
    """Every routine's scope, in two statements (fewer when the department tree, `parents`,
    or the chosen departments, `chosen`, are at hand)."""
    if chosen is None:
        chosen = chosen_departments(session, [r.id for r in routines if r.id is not None])
    if parents is None:
        parents = department_parents(session=session) if chosen else {}
    tree = Tree(parents)
    return {
        r.id: Scope(r.whole_company, tree.subtree(chosen.get(r.id, ())))  # type: ignore[misc]
        for r in routines
    }


def scope_of(*, session: Session, routine: Routine) -> Scope:
    """The routine's scope, read once per request (the page asks it for access, the detail
    and the coverage)."""
    return request_memo(
        session, ("routine_scope", routine.id),
        lambda: scopes_of(session, [routine], chosen={
            routine.id: chosen_of(session=session, routine=routine)})[routine.id],  # type: ignore[index, dict-item]
    )  # fmt: skip


def chosen_of(*, session: Session, routine: Routine) -> frozenset[int]:
    """The departments chosen for the routine (not expanded), read once per request."""
    return request_memo(
        session, ("routine_chosen", routine.id),
        lambda: frozenset(chosen_departments(session, [routine.id]).get(routine.id, ())),  # type: ignore[list-item]
    )  # fmt: skip


@dataclass(frozen=True)
class Access:
    may_read: bool
    may_edit: bool  # the draft's text (coordinator and owner)
    may_manage: bool  # publish, archive, owner, scope, tags (coordinator)
    may_review: bool
    # The departments whose reading the principal may see; None: everyone in scope.
    coverage_departments: frozenset[int] | None
    sees_coverage: bool


def is_editor(principal: Principal, routine: Routine) -> bool:
    """The coordinator, or the routine's owner."""
    return principal.is_admin or (
        routine.owner_id is not None and routine.owner_id == principal.person_id
    )


def reader_departments(principal: Principal) -> set[int]:
    own = {principal.person.department_id} if principal.person.department_id else set()
    return own | set(principal.led_department_ids) | set(principal.scopes.get("safety_area", ()))


def access_to(principal: Principal, routine: Routine, scope: Scope, *, published: bool) -> Access:
    editor = is_editor(principal, routine)
    in_scope = scope.covers_any(reader_departments(principal))
    may_read = editor or (published and in_scope)
    led_in_scope = (
        frozenset(principal.led_department_ids)
        if scope.whole_company
        else frozenset(principal.led_department_ids) & scope.department_ids
    )
    sees_all = editor
    return Access(
        may_read=may_read,
        may_edit=editor and routine.archived_on is None,
        may_manage=principal.is_admin,
        may_review=editor and published and routine.archived_on is None,
        coverage_departments=None if sees_all else led_in_scope,
        sees_coverage=published and (sees_all or bool(led_in_scope)),
    )


def ensure_readable(*, session: Session, principal: Principal, routine: Routine) -> Access:
    """The principal's access, or NotFound (an unpublished routine) / Forbidden."""
    published = current_version(session=session, routine=routine) is not None
    access = access_to(
        principal, routine, scope_of(session=session, routine=routine), published=published
    )
    if not access.may_read:
        if not published and not is_editor(principal, routine):
            raise NotFound()
        raise Forbidden()
    return access


def _reads(principal: Principal, access: Any) -> bool:
    """On the principal's `Access` to the routine."""
    return bool(access.may_read)


register_actions(
    Action("routines.list", anyone, everyone="the routines that apply to the person"),
    Action("reading.view", anyone, everyone="the person's own routines to read"),
    Action("routines.coverage", admin_or_leader),
    Action("routine.create", admin),
    Action("routine.publish", admin),
    Action("routine.archive", admin),
    Action("routine.view", anyone, record=_reads),
    Action("routine.acknowledge", anyone, record=_reads),
    Action("routine.edit", anyone, record=lambda p, routine: is_editor(p, routine)),
    Action("routine.review", anyone, record=lambda p, routine: is_editor(p, routine)),
)

READING = {"routine.view", "routine.acknowledge"}
EDITING = {"routine.edit", "routine.review"}


def load_routine(
    request: Request, routine_id: int, session: SessionDep, principal: CurrentUser
) -> Routine:
    """Load-or-404, then the route's action on it: 404 for an unpublished routine one may
    not edit, 403 for one outside one's scope or not one's to edit."""
    routine = get_routine(session=session, routine_id=routine_id)
    action = route_action(request)
    if action in READING:
        ensure_readable(session=session, principal=principal, routine=routine)
    elif action in EDITING and not is_editor(principal, routine):
        raise Forbidden()
    return routine


load_routine.loads_record = True  # type: ignore[attr-defined]
RoutineDep = Annotated[Routine, Depends(load_routine)]


def readable_ids(*, session: Session, principal: Principal, ids: set[int]) -> set[int]:
    """Those of `ids` (routines) the principal may open (the rule `ensure_readable`
    applies), in three statements: a list names the others without a link to a refusal."""
    if principal.is_admin or not ids:
        return set(ids)
    routines = list(session.exec(select(Routine).where(col(Routine.id).in_(sorted(ids)))).all())
    published = set(
        session.exec(
            select(RoutineVersion.routine_id).where(
                col(RoutineVersion.routine_id).in_(sorted(ids)),
                RoutineVersion.status == VersionStatus.published.value,
            )
        ).all()
    )
    scopes = scopes_of(session, routines)
    return {
        r.id
        for r in routines
        if r.id is not None
        and access_to(principal, r, scopes[r.id], published=r.id in published).may_read
    }
