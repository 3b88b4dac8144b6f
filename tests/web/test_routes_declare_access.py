"""The route table says who may do what: every route names one registered action (or is
PUBLIC); a write route open to every logged-in person must load its record through its
domain's load-or-404 dependency, which applies the action's record rule; and the 403s of
the pages without a record follow the actions' `who` for every role."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute

from hms_tracker.accounts import service as accounts
from hms_tracker.app import create_app
from hms_tracker.appointments.models import Appointment, AppointmentKind
from hms_tracker.config import Settings
from hms_tracker.organisation.models import DepartmentLeader
from hms_tracker.web.auth import ACTIONS, Action, Principal, anyone, declared_permission
from tests.factories import make_department, make_user

PUBLIC_PATHS = {
    "/healthz",
    "/readyz",
    "/login",
    "/logout",
    "/language",
    # Anonymous deviation reports and the receipt-code status page (no login by design).
    "/report",
    "/report/receipt",
    "/report/status",
    "/report/status/add",
    # A person's calendar feed: the secret token in the address is the credential, for
    # calendar programs that cannot log in (revocable; only its hash is stored).
    "/calendar/feed/{token}.ics",
}
# Write actions every logged-in person takes with no record to check, and why.
OPEN_WRITES = {
    "deviation.report": "every employee may report a deviation (AML § 2-3)",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_routes(routes) -> list[APIRoute]:
    """Every APIRoute, also those inside included routers (FastAPI keeps them nested)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


def _declarations(route: APIRoute) -> list[str]:
    return [
        name
        for dep in route.dependant.dependencies
        if (name := declared_permission(dep.call)) is not None
    ]


def _loads_record(dependant: Any) -> bool:
    return any(
        getattr(dep.call, "loads_record", False) or _loads_record(dep)
        for dep in dependant.dependencies
    )


def _app(tmp_path) -> Any:
    return create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", var_dir=tmp_path))


def test_every_route_declares_exactly_one_registered_action(tmp_path):
    routes = api_routes(_app(tmp_path).routes)
    assert len(routes) > 100
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes if not _declarations(r)]
    assert undeclared == [], f"routes without Permission(...) or PUBLIC: {undeclared}"
    doubled = [r.path for r in routes if len(_declarations(r)) > 1]
    assert doubled == []
    unknown = [
        (r.path, name)
        for r in routes
        for name in _declarations(r)
        if name != "public" and name not in ACTIONS
    ]
    assert unknown == []


def test_no_write_route_is_open_to_everyone_without_a_record_rule(tmp_path):
    offenders = []
    for route in api_routes(_app(tmp_path).routes):
        (name,) = _declarations(route)
        if name == "public" or not route.methods & WRITE_METHODS:
            continue
        action = ACTIONS[name]
        if action.open_to_all() and name not in OPEN_WRITES:
            offenders.append(f"{route.path}: {name} is open to every logged-in person")
        if action.who is anyone and not _loads_record(route.dependant) and name not in OPEN_WRITES:
            offenders.append(f"{route.path}: {name} is open to everyone and loads no record")
    assert offenders == []


def test_an_action_open_to_everyone_must_say_why():
    with pytest.raises(ValueError, match="open to everyone"):
        from hms_tracker.web.auth import register_actions

        register_actions(Action("test.open", anyone))
    assert "test.open" not in ACTIONS


def test_only_the_expected_pages_are_public(tmp_path):
    public = {r.path for r in api_routes(_app(tmp_path).routes) if _declarations(r) == ["public"]}
    assert public <= PUBLIC_PATHS, f"unexpected public routes: {public - PUBLIC_PATHS}"


def test_a_route_without_declaration_is_caught(tmp_path):
    app = _app(tmp_path)

    @app.get("/forgotten")
    def forgotten() -> str:
        return "oops"

    route = next(r for r in api_routes(app.routes) if r.path == "/forgotten")
    assert _declarations(route) == []


# --- the matrix: every page without a record × every role, from the action table --------


def _principal(roles: set[str]) -> Principal:
    return Principal(
        user=None, person=None, session_row=None, roles=frozenset(roles), person_id=0,
        display_name="", csrf_token="",
    )  # fmt: skip


ROLES = {
    "employee": {"employee"},
    "leader": {"employee", "leader"},
    "safety_rep": {"employee", "safety_rep"},
    "amu_member": {"employee", "amu_member"},
    "admin": {"employee", "admin"},
}


def _users(session) -> dict[str, Any]:
    """One user per role, each getting the role from data as in production."""
    department = make_department(session, name="Lager")
    users = {role: make_user(session, department=department) for role in ROLES}
    users["admin"].is_admin = True
    session.add(DepartmentLeader(department_id=department.id, person_id=users["leader"].person_id))
    for role in ("safety_rep", "amu_member"):
        session.add(
            Appointment(
                kind=AppointmentKind(role).value,
                person_id=users[role].person_id,
                starts_on=date(2020, 1, 1),
                amu_side="employee" if role == "amu_member" else None,
            )
        )
    session.commit()
    return users


def test_every_page_without_a_record_answers_each_role_as_its_action_says(app, client, session):
    users = _users(session)
    pages = [
        r
        for r in api_routes(app.routes)
        if "GET" in r.methods
        and "{" not in r.path
        and _declarations(r) != ["public"]
        and not r.path.startswith("/static")
    ]
    assert len(pages) > 20
    mismatches = []
    for role, user in users.items():
        token = accounts.start_session(session=session, user=user)
        session.commit()
        client.cookies.set("hms_session", token)
        for route in pages:
            (name,) = _declarations(route)
            allowed = ACTIONS[name].who(_principal(ROLES[role]))
            status = client.get(route.path, follow_redirects=False).status_code
            if (status == 403) == allowed or status >= 500:
                mismatches.append((role, route.path, name, status))
    client.cookies.clear()
    assert mismatches == []
