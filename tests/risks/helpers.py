"""Seeding risks for tests: through the service, as a leader or the coordinator would."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from hms_tracker.appointments import service as appointments
from hms_tracker.appointments.forms import AppointmentForm
from hms_tracker.organisation.models import Department, Person
from hms_tracker.risks import service
from hms_tracker.risks.forms import RiskForm
from hms_tracker.risks.models import Risk
from hms_tracker.web.auth import Principal
from hms_tracker.web.dates import today
from tests.routines.helpers import principal_for  # noqa: F401  (re-exported for the tests)


def risk_form(department: Department, **fields: Any) -> dict[str, str]:
    data = {
        "title": "Sveising i trange rom",
        "description": "Røyk og varme i tanker.",
        "department_id": str(department.id),
        "consequence": "4",
        "probability": "3",
        "existing_measures": "Avtrekk, vakt utenfor",
        "last_assessed_on": today().isoformat(),
        "owner_person_id": "",
    }
    data.update({k: str(v) for k, v in fields.items()})
    return data


def make_risk(
    session: Session, principal: Principal, department: Department, today: date, **fields: Any
) -> Risk:
    values = risk_form(department, **fields)
    data = RiskForm.model_validate({k: v for k, v in values.items() if v != ""})
    return service.create_risk(session=session, principal=principal, data=data, today=today)


def appoint_safety_rep(session: Session, person: Person, areas: list[Department]) -> None:
    appointments.create_appointment(
        session=session,
        data=AppointmentForm.model_validate(
            {
                "kind": "safety_rep",
                "person_id": person.id,
                "starts_on": today() - timedelta(days=30),
                "area_ids": [d.id for d in areas],
            }
        ),
    )
