"""Who is asking, and what they may do: the principal of a request and the action table.

`web/` knows no domain. Who is logged in comes from the principal loader that the accounts
domain registers (`register_principal_loader`); roles from data come from role providers
that domains register (appointments: verneombud, AMU).

**Every route names the action it performs**: `dependencies=[Permission("deviation.close")]`,
or `PUBLIC` for the few pages anyone may open. An action is registered once, in the
`access.py` module of its domain, with

- `who`: which principals may attempt it at all (roles: admin, leader, employee …), and
- `record`: the domain's rule for the one record it acts on, where there is one. Such a
  route loads its record through the domain's load-or-404 dependency, which applies the
  rule (404 for an unknown id, 403 for a record the user may not see; a case the user may
  see but not act on is refused on its page, 409, with the reason);
- `everyone`: for an action every logged-in person may take with no record rule (reporting
  a deviation, reading lists narrowed to what one may see), the reason, in words.

tests/web/test_routes_declare_access.py walks the route table: every route names one
registered action; a write route open to everyone must have a record rule and load its
record, or say why it is open (`everyone`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from hms_tracker.db import SessionDep
from hms_tracker.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "hms_session"


@dataclass(frozen=True)
class Principal:
    """The logged-in person of a request. `user`, `person` and `session_row` are the
    accounts and organisation domains' records (this layer does not know their types)."""

    user: Any
    person: Any
    session_row: Any
    roles: frozenset[str]
    # Plain copies for the layout, readable even after the request's transaction is gone.
    person_id: int
    display_name: str
    csrf_token: str
    led_department_ids: frozenset[int] = frozenset()
    # Filled by role providers of domains (e.g. {"safety_area": {3, 4}}).
    scopes: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_leader(self) -> bool:
        return "leader" in self.roles

    def has_role(self, role: str) -> bool:
        return role in self.roles


# --- who is logged in: registered by the accounts domain ----------------------------------

PrincipalLoader = Callable[[Session, Any, str], "Principal | None"]
_loaders: list[PrincipalLoader] = []


def register_principal_loader(loader: PrincipalLoader) -> PrincipalLoader:
    """`loader(session, settings, token)`: the principal of a session cookie, or None (and
    it records who acts, for the audit trail). One loader; the last registered wins."""
    _loaders[:] = [loader]
    return loader


def load_principal(session: Session, settings: Any, token: str) -> Principal | None:
    if not _loaders:
        raise RuntimeError("no principal loader registered (import hms_tracker.accounts.principal)")
    return _loaders[0](session, settings, token)


RoleProvider = Callable[[Session, Any, Any, date], tuple[set[str], dict[str, frozenset[int]]]]
ROLE_PROVIDERS: list[RoleProvider] = []


def register_role_provider(provider: RoleProvider) -> RoleProvider:
    """Domains (appointments) add roles from their records here: `provider(session, user,
    person, today)` gives roles and scopes."""
    ROLE_PROVIDERS.append(provider)
    return provider


def get_principal(request: Request, session: SessionDep) -> Principal | None:
    """The logged-in principal, or None."""
    if hasattr(request.state, "principal"):
        return request.state.principal  # type: ignore[no-any-return]
    principal: Principal | None = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        principal = load_principal(session, request.app.state.settings, token)
        if principal is None:
            request.state.session_expired = True
    request.state.principal = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(get_principal)]


def require_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentUser = Annotated[Principal, Depends(require_principal)]


# --- the action table ---------------------------------------------------------------------

Predicate = Callable[[Principal], bool]
RecordRule = Callable[[Principal, Any], bool]


def admin(p: Principal) -> bool:
    return p.is_admin


def admin_or_leader(p: Principal) -> bool:
    return p.is_admin or p.is_leader


def anyone(p: Principal) -> bool:
    """Every logged-in person; an action with this `who` needs a record rule or a reason."""
    return True


@dataclass(frozen=True)
class Action:
    name: str
    who: Predicate
    record: RecordRule | None = None
    everyone: str = ""  # why every logged-in person may take it without a record rule

    def open_to_all(self) -> bool:
        return self.who is anyone and self.record is None


ACTIONS: dict[str, Action] = {}


def register_actions(*actions: Action) -> None:
    """A domain's `access.py` registers its actions here, once each."""
    for action in actions:
        if action.name in ACTIONS and ACTIONS[action.name] != action:
            raise ValueError(f"action {action.name!r} registered twice")
        if action.open_to_all() and not action.everyone:
            raise ValueError(f"action {action.name!r} is open to everyone: say why (everyone=…)")
        ACTIONS[action.name] = action


register_actions(
    Action("home.view", anyone, everyone="everyone's start page"),
)


class _Check:
    """The dependency behind `Permission(name)`; the route walk reads `.permission`."""

    def __init__(self, name: str):
        self.permission = name

    def __call__(self, principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise NotAuthenticated()
        if not ACTIONS[self.permission].who(principal):
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
    """The action a route performs. Checked when the route is called, so an action may be
    registered after the route is declared (every domain's access module is imported by
    the app before the first request)."""
    return Depends(_Check(name))


PUBLIC: Any = Depends(_Public())


def declared_permission(dependency_call: Any) -> str | None:
    return getattr(dependency_call, "permission", None)


def route_action(request: Request) -> str | None:
    """The action the route of this request declares (for a domain's record loader)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    for dependency in dependant.dependencies if dependant is not None else ():
        if (name := declared_permission(dependency.call)) is not None:
            return name
    return None


def ensure_route_action(request: Request, principal: Principal, record: Any) -> None:
    """For a domain's load-or-404 dependency: the route's action on the loaded record
    (its `record` rule), 403 if the principal may not take it."""
    action = route_action(request)
    if action is not None:
        ensure(principal, action, record)


def can(principal: Principal | None, name: str, record: Any = None) -> bool:
    """May the principal take the action, on this record when one is given?"""
    action = ACTIONS[name]  # an unknown name is a mistake in the code, not a "no"
    if principal is None or not action.who(principal):
        return False
    if record is None or action.record is None:
        return True
    return action.record(principal, record)


def ensure(principal: Principal | None, name: str, record: Any = None) -> None:
    if not can(principal, name, record):
        raise Forbidden()
