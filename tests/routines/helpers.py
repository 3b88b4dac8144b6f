"""Seeding routines for tests: through the service, as the coordinator would."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from hms_tracker.accounts.principal import build_principal
from hms_tracker.routines import service
from hms_tracker.routines.forms import RoutineForm, TextForm
from hms_tracker.routines.models import Routine
from hms_tracker.web.auth import Principal


def principal_for(session: Session, user: Any, day: date) -> Principal:
    """A principal as a request would build it (no login session row needed)."""
    from hms_tracker.accounts.models import UserSession

    row = UserSession(id="x" * 64, user_id=user.id, csrf_token="t")
    return build_principal(session, user, row, day)


def routine_form(**fields: Any) -> RoutineForm:
    data: dict[str, Any] = {
        "title": "Brannvern",
        "purpose": "Hindre brann og redde liv.",
        "body": "# Ved brann\n\n1. Varsle\n2. Redde\n3. Slokke",
        "scope": "company",
        "tags": "brann",
        "review_interval_months": 12,
    }
    data.update(fields)
    return RoutineForm.model_validate(data)


def published_routine(session: Session, admin: Principal, day: date, **fields: Any) -> Routine:
    routine = service.create_routine(
        session=session, data=routine_form(**fields), actor=admin, today=day
    )
    service.publish(
        session=session, routine=routine, actor=admin, version=routine.version, today=day
    )
    return routine


def new_version(
    session: Session,
    admin: Principal,
    routine: Routine,
    day: date,
    body: str,
    title: str | None = None,
) -> int:
    current = service.current_version(session=session, routine=routine)
    assert current is not None
    service.save_draft(
        session=session,
        routine=routine,
        data=TextForm(title=title or current.title, purpose=current.purpose, body=body),
        actor=admin,
        version=routine.version,
        today=day,
    )
    published = service.publish(
        session=session, routine=routine, actor=admin, version=routine.version, today=day
    )
    assert published.number is not None
    return published.number
