"""Who is asking: the principal of a request, its roles, and the permission check.

Roles come from data. `admin` is stored on the account; `leader` comes from leading one or
more departments; `employee` is everyone with a live account. Later domains add roles that
come from active appointments (verneombud, AMU) by registering a role provider.

Every route declares exactly one access rule: `dependencies=[Permission("people.edit")]`,
or `PUBLIC` for pages anyone may open. A test walks the route table and fails on a route
that declares nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session, select

from hms_tracker.accounts import service as accounts
from hms_tracker.accounts.models import User, UserSession
from hms_tracker.audit.service import Actor
from hms_tracker.db import SessionDep
from hms_tracker.errors import Forbidden, NotAuthenticated
from hms_tracker.organisation.models import Department, DepartmentLeader, Person

SESSION_COOKIE = "hms_session"


@dataclass(frozen=True)
class Principal:
    user: User
    person: Person
    session_row: UserSession
    roles: frozenset[str]
    # Plain copies for the layout, readable even after the request's transaction is gone.
    person_id: int
    display_name: str
    csrf_token: str
    led_department_ids: frozenset[int] = frozenset()
    # Filled by role providers of later domains (e.g. {"safety_rep": {3, 4}}).
    scopes: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_leader(self) -> bool:
        return "leader" in self.roles

    def has_role(self, role: str) -> bool:
        return role in self.roles


RoleProvider = Callable[[Session, User, Person, date], tuple[set[str], dict[str, frozenset[int]]]]
ROLE_PROVIDERS: list[RoleProvider] = []


def register_role_provider(provider: RoleProvider) -> RoleProvider:
    """Later domains (appointments) add roles from their records here."""
    ROLE_PROVIDERS.append(provider)
    return provider


def led_departments(session: Session, person_id: int) -> frozenset[int]:
    """Departments a person leads, with every department below them."""
    direct = set(
        session.exec(
            select(DepartmentLeader.department_id).where(DepartmentLeader.person_id == person_id)
        ).all()
    )
    if not direct:
        return frozenset()
    parents = {d.id: d.parent_id for d in session.exec(select(Department)).all()}
    result = set(direct)
    changed = True
    while changed:
        changed = False
        for dept_id, parent_id in parents.items():
            if parent_id in result and dept_id not in result:
                result.add(dept_id)
                changed = True
    return frozenset(result)


def build_principal(session: Session, user: User, row: UserSession, today: date) -> Principal:
    person = session.get(Person, user.person_id)
    assert person is not None
    roles = {"employee"}
    if user.is_admin:
        roles.add("admin")
    led = led_departments(session, person.id)  # type: ignore[arg-type]
    if led:
        roles.add("leader")
    scopes: dict[str, frozenset[int]] = {}
    for provider in ROLE_PROVIDERS:
        extra_roles, extra_scopes = provider(session, user, person, today)
        roles |= extra_roles
        scopes.update(extra_scopes)
    return Principal(
        user=user,
        person=person,
        session_row=row,
        roles=frozenset(roles),
        person_id=person.id,  # type: ignore[arg-type]
        display_name=person.name,
        csrf_token=row.csrf_token,
        led_department_ids=led,
        scopes=scopes,
    )


def get_principal(request: Request, session: SessionDep) -> Principal | None:
    """The logged-in principal, or None. Sets the audit actor for this request."""
    if hasattr(request.state, "principal"):
        return request.state.principal  # type: ignore[no-any-return]
    principal: Principal | None = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        loaded = accounts.load_session(
            session=session, settings=request.app.state.settings, token=token
        )
        if loaded is None:
            request.state.session_expired = True
        else:
            row, user = loaded
            from hms_tracker.web.dates import today

            principal = build_principal(session, user, row, today())
            session.info["actor"] = Actor(
                label=user.email, user_id=user.id, person_id=user.person_id
            )
    request.state.principal = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(get_principal)]


def require_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentUser = Annotated[Principal, Depends(require_principal)]


# --- permissions ------------------------------------------------------------------------

Predicate = Callable[[Principal], bool]


def _admin(p: Principal) -> bool:
    return p.is_admin


def _admin_or_leader(p: Principal) -> bool:
    return p.is_admin or p.is_leader


def _anyone_logged_in(p: Principal) -> bool:
    return True


PERMISSIONS: dict[str, Predicate] = {
    "home.view": _anyone_logged_in,
    "profile.view": _anyone_logged_in,
    "people.list": _admin_or_leader,
    "people.export": _admin_or_leader,
    "people.import": _admin,
    "person.view": _anyone_logged_in,  # the record check narrows it (self, led departments)
    "person.create": _admin_or_leader,
    "person.edit": _admin_or_leader,
    "departments.view": _anyone_logged_in,
    "departments.manage": _admin,
    "accounts.manage": _admin,
    "audit.read": _admin,
}


def register_permission(name: str, predicate: Predicate) -> None:
    """Later domains add their permissions here."""
    PERMISSIONS[name] = predicate


def has_permission(principal: Principal | None, name: str) -> bool:
    return principal is not None and PERMISSIONS[name](principal)


class _Check:
    """The dependency behind `Permission(name)`; the route walk looks for `.permission`."""

    def __init__(self, name: str):
        self.permission = name

    def __call__(self, principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise NotAuthenticated()
        if not PERMISSIONS[self.permission](principal):
            raise Forbidden()
        return principal

    def __repr__(self) -> str:
        return f"Permission({self.permission!r})"


class _Public:
    permission = "public"

    def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return "PUBLIC"


def Permission(name: str) -> Any:  # noqa: N802  (reads like a declaration)
    if name not in PERMISSIONS:
        raise KeyError(f"unknown permission {name!r}")
    return Depends(_Check(name))


PUBLIC: Any = Depends(_Public())


def declared_permission(dependency_call: Any) -> str | None:
    return getattr(dependency_call, "permission", None)


# --- record scope -----------------------------------------------------------------------

RecordCheck = Callable[[Principal, Any], bool]
RECORD_CHECKS: dict[str, RecordCheck] = {}


def register_record_check(name: str, check: RecordCheck) -> None:
    RECORD_CHECKS[name] = check


def can(principal: Principal | None, name: str, record: Any = None) -> bool:
    """May the principal do `name`, on this record when one is given?"""
    if principal is None or not PERMISSIONS.get(name, _admin)(principal):
        return False
    if record is None or name not in RECORD_CHECKS:
        return True
    return RECORD_CHECKS[name](principal, record)


def ensure(principal: Principal | None, name: str, record: Any = None) -> None:
    if not can(principal, name, record):
        raise Forbidden()
