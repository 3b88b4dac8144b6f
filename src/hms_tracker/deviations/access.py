"""Who may do what with a deviation: the domain's one access module.

`access_for` works out what one person may do with one case (`Access`); `RULES` says, per
action a route declares, which part of that access the action needs and what the case
page says when it is missing (409; `None`: the case is not theirs to touch at all, 403).
`load_deviation` is the load-or-404 dependency every case route uses: 404 for an unknown
id, 403 for a case the person may not see. The services check the action's rule with
`require` (the same table), so the case page shows why with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlmodel import Session, col, func, select

from hms_tracker.appointments.access import sees_company_figures
from hms_tracker.db import SessionDep, batches
from hms_tracker.deviations.models import CorrectiveAction, Deviation, DeviationCategory
from hms_tracker.errors import Forbidden, NotFound, TransitionRefused
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
from hms_tracker.web.i18n import _, lazy


@dataclass(frozen=True)
class Access:
    """What one principal may do with one deviation."""

    view: bool = False
    internal: bool = False  # sees internal comments, actions, the full timeline
    handle: bool = False  # assign, reject, close, reopen, notification (leader/admin)
    work: bool = False  # edit, add actions (handlers and the responsible person)
    comment: bool = False
    reporter_only: bool = False  # sees it only as its reporter
    coordinator: bool = False  # the HMS coordinator (admin): withdraws anyone's comment
    # An AMU member reading a case the committee must go through (AML § 7-2): read only,
    # the actions too, never who reported it.
    review: bool = False


# AML § 7-2 (2) c: the working environment committee goes through the reports of
# occupational injuries, accidents and near misses; dangerous conditions are the near
# misses that have not happened yet. Its members read these cases across the company.
AMU_REVIEW_CATEGORIES = frozenset(
    {
        DeviationCategory.personal_injury.value,
        DeviationCategory.near_miss.value,
        DeviationCategory.hazard.value,
    }
)


def reviews_for_amu(principal: Principal) -> bool:
    """An AMU member (a deputy too): reads the cases in `AMU_REVIEW_CATEGORIES`."""
    return principal.has_role("amu_member")


def access_for(*, session: Session, principal: Principal, deviation: Deviation) -> Access:
    handle = principal.is_admin or deviation.department_id in principal.led_department_ids
    responsible = deviation.responsible_person_id == principal.person_id
    in_area = deviation.department_id in principal.scopes.get("safety_area", frozenset())
    owns_action = False
    if not (handle or responsible or in_area):
        owns_action = (
            session.exec(
                select(func.count())
                .select_from(CorrectiveAction)
                .where(
                    CorrectiveAction.deviation_id == deviation.id,
                    CorrectiveAction.owner_person_id == principal.person_id,
                )
            ).one()
            > 0
        )
    internal = handle or responsible or in_area or owns_action
    reporter = deviation.reporter_person_id == principal.person_id
    review = (
        not (internal or reporter)
        and reviews_for_amu(principal)
        and deviation.category in AMU_REVIEW_CATEGORIES
    )
    return Access(
        view=internal or reporter or review,
        internal=internal,
        handle=handle,
        work=handle or responsible,
        comment=internal or reporter,
        reporter_only=reporter and not internal,
        coordinator=principal.is_admin,
        review=review,
    )


def visible_clause(principal: Principal) -> Any:
    """SQL condition: the deviations the principal may see (the same as `access_for`)."""
    if principal.is_admin:
        return sa.true()
    departments = set(principal.led_department_ids) | set(
        principal.scopes.get("safety_area", frozenset())
    )
    owned = select(CorrectiveAction.deviation_id).where(
        CorrectiveAction.owner_person_id == principal.person_id
    )
    conditions = [
        col(Deviation.reporter_person_id) == principal.person_id,
        col(Deviation.responsible_person_id) == principal.person_id,
        col(Deviation.id).in_(owned),
    ]
    if departments:
        conditions.append(col(Deviation.department_id).in_(departments))
    if reviews_for_amu(principal):
        conditions.append(col(Deviation.category).in_(sorted(AMU_REVIEW_CATEGORIES)))
    return sa.or_(*conditions)


@dataclass(frozen=True)
class Rule:
    """The part of `Access` an action needs; `own` is true when the person owns the one
    item acted on (their corrective action, comment or file)."""

    allows: Callable[[Access, bool], bool]
    refusal: str | None  # shown on the case page (409); None: 403


HANDLER_ONLY = lazy("Bare lederen for avdelingen eller HMS-koordinatoren kan gjøre dette.")

RULES: dict[str, Rule] = {
    "deviation.view": Rule(lambda a, own: a.view, None),
    "deviation.comment": Rule(lambda a, own: a.comment, None),
    "deviation.attachment_download": Rule(lambda a, own: a.view, None),
    "deviation.edit": Rule(lambda a, own: a.work, None),
    # The person pickers' search (the people a case can be given to): who may assign it
    # or add actions to it.
    "deviation.choose_person": Rule(lambda a, own: a.work, None),
    "deviation.assign": Rule(lambda a, own: a.handle, HANDLER_ONLY),
    "deviation.reject": Rule(lambda a, own: a.handle, HANDLER_ONLY),
    "deviation.close": Rule(lambda a, own: a.handle, HANDLER_ONLY),
    "deviation.reopen": Rule(lambda a, own: a.handle, HANDLER_ONLY),
    "deviation.notify": Rule(lambda a, own: a.handle, HANDLER_ONLY),
    "deviation.add_action": Rule(
        lambda a, own: a.work,
        lazy(
            "Bare den ansvarlige, lederen for avdelingen eller HMS-koordinatoren kan legge "
            "til tiltak."
        ),
    ),
    "deviation.action_done": Rule(
        lambda a, own: a.work or own,
        lazy("Bare eieren av tiltaket, den ansvarlige eller lederen kan merke det som utført."),
    ),
    "deviation.action_withdraw": Rule(
        lambda a, own: a.work,
        lazy("Bare den ansvarlige, lederen eller HMS-koordinatoren kan trekke tilbake et tiltak."),
    ),
    "deviation.comment_withdraw": Rule(
        lambda a, own: a.coordinator or own,
        lazy("Bare den som skrev kommentaren eller HMS-koordinatoren kan trekke den tilbake."),
    ),
    "deviation.attachment_withdraw": Rule(
        lambda a, own: a.work or own,
        lazy(
            "Bare den som la ved filen, den ansvarlige, lederen eller HMS-koordinatoren "
            "kan trekke den tilbake."
        ),
    ),
}


def require(access: Access, action: str, *, own: bool = False) -> None:
    """Refuse the action unless this access allows it (`RULES`)."""
    rule = RULES[action]
    if rule.allows(access, own):
        return
    if rule.refusal is None:
        raise Forbidden()
    raise TransitionRefused(_(rule.refusal))


def _on_case(action: str) -> Callable[[Principal, Any], bool]:
    """The action's rule on a loaded case (the `(deviation, access)` pair), owning nothing."""
    return lambda principal, found: RULES[action].allows(found[1], False)


register_actions(
    Action(
        "deviation.report",
        anyone,
        everyone="every employee may report a deviation (AML § 2-3); anonymously too",
    ),
    Action(
        "deviations.list",
        anyone,
        everyone="a list of the deviations the person may see (visible_clause)",
    ),
    Action("deviations.export", admin_or_leader),
    Action("deviations.stats", sees_company_figures),
    Action("deviations.hours_worked", admin),
    Action("report_links.manage", admin),
    Action("report_links.view", admin_or_leader),
    *(Action(name, anyone, record=_on_case(name)) for name in RULES),
)


def visible_ids(*, session: Session, principal: Principal, ids: set[int]) -> set[int]:
    """Those of `ids` (ids of records that exist) the principal may open; one query per
    10,000 ids, none for the coordinator (who may open every one)."""
    if principal.is_admin:
        return set(ids)
    visible: set[int] = set()
    for chunk in batches(sorted(ids)):
        visible.update(
            session.exec(
                select(Deviation.id).where(col(Deviation.id).in_(chunk), visible_clause(principal))
            ).all()
        )
    return visible


def get_deviation(*, session: Session, deviation_id: int) -> Deviation:
    deviation = session.get(Deviation, deviation_id)
    if deviation is None:
        raise NotFound()
    return deviation


def get_visible(
    *, session: Session, principal: Principal, deviation_id: int
) -> tuple[Deviation, Access]:
    """The deviation and the principal's access; 404 for unknown ids, 403 for others'."""
    deviation = get_deviation(session=session, deviation_id=deviation_id)
    access = access_for(session=session, principal=principal, deviation=deviation)
    require(access, "deviation.view")
    return deviation, access


def load_deviation(
    request: Request, deviation_id: int, session: SessionDep, principal: CurrentUser
) -> tuple[Deviation, Access]:
    """Load-or-404 for every route on one case: 404 for an unknown id, 403 for a case the
    person may not see, or may not touch at all for the route's action (a rule without a
    refusal message). An action refused with a reason is refused by the service, so the
    case page shows it with what was typed (409)."""
    deviation, access = get_visible(session=session, principal=principal, deviation_id=deviation_id)
    action = route_action(request)
    if action in RULES and RULES[action].refusal is None:
        require(access, action)
    return deviation, access


load_deviation.loads_record = True  # type: ignore[attr-defined]
DeviationDep = Annotated[tuple[Deviation, Access], Depends(load_deviation)]
