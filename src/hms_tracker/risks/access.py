"""Who may do what with risks: the risks domain's actions, and the load-or-404 dependency
that applies each route's action to the risk it acts on.

A risk is seen by the people of its department, its leaders, the verneombud of the area,
its owner, owners of its measures, the AMU and the coordinator (`service.access_for`); the
leaders of its department and the coordinator manage it. The owner of a measure marks it
done."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from hms_tracker.db import SessionDep
from hms_tracker.errors import Forbidden
from hms_tracker.risks import service
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
) -> tuple[Risk, service.Access]:
    """Load-or-404: 404 for an unknown id, 403 for a risk the person may not see, or may
    not manage when the route's action manages it."""
    risk, access = service.get_visible(session=session, principal=principal, risk_id=risk_id)
    if route_action(request) in MANAGING and not access.manage:
        raise Forbidden()
    return risk, access


load_risk.loads_record = True  # type: ignore[attr-defined]
RiskDep = Annotated[tuple[Risk, service.Access], Depends(load_risk)]
