"""The principal of a request, built from a session cookie: the accounts domain registers
this loader with the web layer (which knows no domain).

Roles come from data: `admin` is stored on the account, `leader` comes from leading one or
more departments, `employee` is everyone with a live account; domains add roles from their
own records through role providers (appointments: verneombud, AMU).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from hms_tracker.accounts import service as accounts
from hms_tracker.accounts.models import User, UserSession
from hms_tracker.audit.service import Actor
from hms_tracker.db import VersionedCache
from hms_tracker.organisation import service as organisation
from hms_tracker.organisation.models import DepartmentLeader, Person
from hms_tracker.web.auth import ROLE_PROVIDERS, Principal, register_principal_loader
from hms_tracker.web.dates import today


def led_departments(session: Session, person_id: int) -> frozenset[int]:
    """Departments a person leads, with every department below them."""
    direct = set(
        session.exec(
            select(DepartmentLeader.department_id).where(DepartmentLeader.person_id == person_id)
        ).all()
    )
    if not direct:
        return frozenset()
    return organisation.subtree_ids(session=session, department_ids=direct)


# What a person's roles are made of (the departments they lead, the roles and scopes of
# their appointments) on a day, kept under the data version: the records they come from
# are all versioned, so a change to any of them is seen on the next request, here and on
# every other instance. `admin` is read from the account on every request.
ROLES: VersionedCache[
    tuple[int, date], tuple[frozenset[int], frozenset[str], dict[str, frozenset[int]]]
] = VersionedCache(size=512)


def _roles_of(
    session: Session, user: User, person: Person, day: date
) -> tuple[frozenset[int], frozenset[str], dict[str, frozenset[int]]]:
    assert person.id is not None
    led = led_departments(session, person.id)
    roles: set[str] = set()
    scopes: dict[str, frozenset[int]] = {}
    for provider in ROLE_PROVIDERS:
        extra_roles, extra_scopes = provider(session, user, person, day)
        roles |= extra_roles
        scopes.update(extra_scopes)
    return led, frozenset(roles), scopes


def build_principal(
    session: Session, user: User, row: UserSession, day: date, person: Person | None = None
) -> Principal:
    person = person or session.get(Person, user.person_id)
    assert person is not None and person.id is not None
    led, provided, provided_scopes = ROLES.get_or_compute(
        session, (person.id, day), lambda: _roles_of(session, user, person, day)
    )
    roles = {"employee", *provided}
    if user.is_admin:
        roles.add("admin")
    if led:
        roles.add("leader")
    scopes = dict(provided_scopes)
    return Principal(
        user=user,
        person=person,
        session_row=row,
        roles=frozenset(roles),
        person_id=person.id,
        display_name=person.name,
        csrf_token=row.csrf_token,
        led_department_ids=led,
        scopes=scopes,
    )


@register_principal_loader
def principal_for_token(session: Session, settings: Any, token: str) -> Principal | None:
    """The principal of a live session, or None; it becomes the audit trail's actor."""
    loaded = accounts.load_session(session=session, settings=settings, token=token)
    if loaded is None:
        return None
    row, user, person = loaded
    session.info["actor"] = Actor(label=user.email, user_id=user.id, person_id=user.person_id)
    return build_principal(session, user, row, today(), person)
