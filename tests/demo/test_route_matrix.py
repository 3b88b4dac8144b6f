"""Every page on one record × every demo role, from the action table, on the demo company.

For each GET route with record ids in its path (filled with real ids of the demo), each
of the five demo logins: 403 wherever the route's action's `who` says no; where it says
yes, the record rule decides (200, or 403/404 for a record that is not theirs) — never a
5xx. The pages without a record are covered the same way in
tests/web/test_routes_declare_access.py; the deviation operations by their own matrix.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import select

from hms_tracker.accounts.models import User, UserSession
from hms_tracker.accounts.principal import build_principal
from hms_tracker.appointments.models import Appointment
from hms_tracker.demo.service import DEMO_ACCOUNTS
from hms_tracker.deviations.models import Deviation
from hms_tracker.organisation.models import Department, Person
from hms_tracker.risks.models import Risk
from hms_tracker.routines.models import RoutineVersion
from hms_tracker.training.models import CourseType, TrainingRecord
from hms_tracker.web.auth import ACTIONS, declared_permission
from hms_tracker.web.dates import today
from tests.login import login_as
from tests.web.test_routes_declare_access import api_routes

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _ids(session) -> dict[str, Any]:
    """One real id for every path parameter the record routes use."""

    def first(model: Any, *where: Any) -> Any:
        return session.exec(select(model.id).where(*where).order_by(model.id)).first()

    routine_id, number = session.exec(
        select(RoutineVersion.routine_id, RoutineVersion.number)
        .where(RoutineVersion.number.is_not(None))  # type: ignore[union-attr]
        .order_by(RoutineVersion.routine_id)
    ).first()
    return {
        "person_id": first(Person),
        "department_id": first(Department),
        "deviation_id": first(Deviation),
        "risk_id": first(Risk),
        "routine_id": routine_id,
        "number": number,
        "appointment_id": first(Appointment),
        "record_id": first(TrainingRecord),
        "course_type_id": first(CourseType),
    }


def test_every_record_page_answers_each_demo_role_as_its_action_says(demo, app, client, session):
    ids = _ids(session)
    assert all(value is not None for value in ids.values()), ids
    routes = []
    for route in api_routes(app.routes):
        names = PARAM.findall(route.path)
        if "GET" not in route.methods or not names or not set(names) <= set(ids):
            continue
        (action,) = [n for d in route.dependant.dependencies if (n := declared_permission(d.call))]
        routes.append((PARAM.sub(lambda m: str(ids[m.group(1)]), route.path), action))
    assert len(routes) > 15, routes
    seen: dict[int, int] = {}
    wrong = []
    for email, _label in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email == email)).one()
        principal = build_principal(session, user, UserSession(id="x", user_id=user.id), today())
        login_as(client, session, user)
        for path, action in routes:
            status = client.get(path, follow_redirects=False).status_code
            seen[status] = seen.get(status, 0) + 1
            may = action == "public" or ACTIONS[action].who(principal)
            if (
                status >= 500
                or (not may and status != 403)
                or (may and status not in (200, 403, 404))
            ):
                wrong.append((email, path, action, status))
        client.cookies.clear()
    assert wrong == []
    assert seen.get(200, 0) > len(routes)  # most pages open for someone


def test_every_write_on_a_record_is_refused_where_its_action_says_no(demo, app, client, session):
    """POST with only the CSRF token, as every demo role: 403 wherever the action's `who`
    says no (before anything is read or written); elsewhere a form error, a refusal or a
    redirect — never a 5xx. (What each role may do to which record is in the domains'
    own matrices; this one is generated from the table, so a new route is covered.)"""
    ids = _ids(session)
    routes = []
    for route in api_routes(app.routes):
        names = PARAM.findall(route.path)
        if "POST" not in route.methods or not names or not set(names) <= set(ids):
            continue
        (action,) = [n for d in route.dependant.dependencies if (n := declared_permission(d.call))]
        routes.append((PARAM.sub(lambda m: str(ids[m.group(1)]), route.path), action))
    assert len(routes) > 20, routes
    wrong = []
    refused = 0
    # The coordinator last: what they may change (archive, close) would change the others'.
    for email, _label in sorted(DEMO_ACCOUNTS, key=lambda account: account[0].startswith("koord")):
        user = session.exec(select(User).where(User.email == email)).one()
        principal = build_principal(session, user, UserSession(id="x", user_id=user.id), today())
        login_as(client, session, user)
        token = client.token("/")
        for path, action in routes:
            status = client.post(
                path, data={"csrf_token": token}, follow_redirects=False
            ).status_code
            if not ACTIONS[action].who(principal):
                refused += 1
                if status != 403:
                    wrong.append((email, path, action, status))
            elif status >= 500:
                wrong.append((email, path, action, status))
        client.cookies.clear()
    assert wrong == []
    assert refused > 20  # the table says no often enough for this to test something
