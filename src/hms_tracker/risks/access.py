"""Who may do what with risks: the risks domain's actions, and the load-or-404 dependency
that applies each route's action to the risk it acts on.

A risk is seen by the people of its department, its leaders, the verneombud of the area,
its owner, owners of its measures, the AMU and the coordinator (`access_for`); the
leaders of its department and the coordinator manage it. The owner of a measure marks it
done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlmodel import Session, col, func, select

from hms_tracker.db import SessionDep, batches
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.errors import Forbidden, NotFound
from hms_tracker.risks.models import Risk
from hms_tracker.web.auth import (
    Action,
    CurrentUser,
    Principal,
    admin_or_leader,
    anyone,
    register_actions,
    route_action,
)


@dataclass(frozen=True)
class Access:
    view: bool = False
    manage: bool = False  # edit, assess, link routines, measures, archive


def seen_departments(principal: Principal) -> set[int]:
    own = {principal.person.department_id} if principal.person.department_id else set()
    return (
        own
        | set(principal.led_department_ids)
        | set(principal.scopes.get("safety_area", frozenset()))
    )


def reads_all(principal: Principal) -> bool:
    """The coordinator and the AMU members see every risk (AMU read-only)."""
    return principal.is_admin or principal.has_role("amu_member")


def access_for(*, session: Session, principal: Principal, risk: Risk) -> Access:
    manage = principal.is_admin or risk.department_id in principal.led_department_ids
    view = (
        manage
        or reads_all(principal)
        or risk.department_id in seen_departments(principal)
        or risk.owner_person_id == principal.person_id
    )
    if not view:
        view = (
            session.exec(
                select(func.count())
                .select_from(CorrectiveAction)
                .where(
                    CorrectiveAction.risk_id == risk.id,
                    CorrectiveAction.owner_person_id == principal.person_id,
                )
            ).one()
            > 0
        )
    return Access(view=view, manage=manage)


def visible_clause(principal: Principal) -> Any:
    """SQL: the risks the principal may see (the same as `access_for`)."""
    if reads_all(principal):
        return sa.true()
    owned = select(CorrectiveAction.risk_id).where(
        col(CorrectiveAction.risk_id).is_not(None),
        CorrectiveAction.owner_person_id == principal.person_id,
    )
    conditions = [
        col(Risk.owner_person_id) == principal.person_id,
        col(Risk.id).in_(owned),
    ]
    departments = seen_departments(principal)
    if departments:
        conditions.append(col(Risk.department_id).in_(departments))
    return sa.or_(*conditions)


def visible_ids(*, session: Session, principal: Principal, ids: set[int]) -> set[int]:
    """Those of `ids` (ids of records that exist) the principal may open; one query per
    10,000 ids, none for the coordinator (who may open every one)."""
    if principal.is_admin:
        return set(ids)
    visible: set[int] = set()
    for chunk in batches(sorted(ids)):
        visible.update(
            session.exec(
                select(Risk.id).where(col(Risk.id).in_(chunk), visible_clause(principal))
            ).all()
        )
    return visible


def may_create(principal: Principal) -> bool:
    return principal.is_admin or bool(principal.led_department_ids)


def get_visible(*, session: Session, principal: Principal, risk_id: int) -> tuple[Risk, Access]:
    """The risk and the principal's access; 404 for unknown ids, 403 for others'."""
    risk = session.get(Risk, risk_id) if 0 < risk_id < 2**31 else None
    if risk is None:
        raise NotFound()
    access = access_for(session=session, principal=principal, risk=risk)
    if not access.view:
        raise Forbidden()
    return risk, access


def require_manage(access: Access) -> None:
    if not access.manage:
        raise Forbidden()


def _sees(principal: Principal, found: Any) -> bool:
    return bool(found[1].view)


def _manages(principal: Principal, found: Any) -> bool:
    return bool(found[1].manage)


MANAGING = (
    "risk.edit",
    "risk.assess",
    "risk.archive",
    "risk.link_routine",
    "risk.unlink_routine",
    "risk.add_measure",
    "risk.withdraw_measure",
)

register_actions(
    Action("risks.list", anyone, everyone="the risks the person may see (visible_clause)"),
    Action("risk.create", admin_or_leader),
    Action("risk.view", anyone, record=_sees),
    # The measure's owner, its risk's leaders or the coordinator (checked by the service
    # on the one measure: refused with the reason on the risk's page).
    Action("risk.complete_measure", anyone, record=_sees),
    *(Action(name, admin_or_leader, record=_manages) for name in MANAGING),
)


def load_risk(
    request: Request, risk_id: int, session: SessionDep, principal: CurrentUser
) -> tuple[Risk, Access]:
    """Load-or-404: 404 for an unknown id, 403 for a risk the person may not see, or may
    not manage when the route's action manages it."""
    risk, access = get_visible(session=session, principal=principal, risk_id=risk_id)
    if route_action(request) in MANAGING:
        require_manage(access)
    return risk, access


load_risk.loads_record = True  # type: ignore[attr-defined]
RiskDep = Annotated[tuple[Risk, Access], Depends(load_risk)]
