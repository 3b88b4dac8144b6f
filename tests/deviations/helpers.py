"""Deviation test helpers: a report form and a deviation made through the service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from hms_tracker.db import utcnow
from hms_tracker.deviations import service
from hms_tracker.deviations.forms import ReportForm
from hms_tracker.deviations.models import Deviation
from hms_tracker.organisation.models import Department, Person
from hms_tracker.web.i18n import OSLO


def report_form(department: Department, **overrides: Any) -> dict[str, str]:
    when = (utcnow() - timedelta(hours=1)).astimezone(OSLO)
    data = {
        "title": "Glatt gulv ved lageret",
        "description": "Vann på gulvet ved porten.\nNoen holdt på å skli.",
        "department_id": str(department.id),
        "place": "Port 2",
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "category": "near_miss",
        "consequence": "3",
        "probability": "4",
        "immediate_action": "Satt opp skilt",
    }
    data.update(overrides)
    return data


def make_deviation(
    session: Session,
    department: Department,
    *,
    reporter: Person | None = None,
    created_at: datetime | None = None,
    **overrides: Any,
) -> tuple[Deviation, str | None]:
    values = report_form(department, **overrides)
    data = ReportForm.model_validate({k: v for k, v in values.items() if v != ""})
    deviation, receipt = service.create_deviation(
        session=session, data=data, reporter=reporter, now=created_at
    )
    return deviation, receipt
