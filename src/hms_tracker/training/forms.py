"""Forms of the training registers: course types, completed training, withdrawing a record.

Hours are typed as Norwegians write them ("7,5" or "7.5"); dates as 2025-01-31 or
31.01.2025. Whether a date lies in the future is checked by the service, which knows today.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hms_tracker.organisation.forms import parse_hours_text
from hms_tracker.web.forms import date_value, field_error, plain_text
from hms_tracker.web.i18n import _, lazy
from hms_tracker.web.params import parse_id, parse_int

# Appointment kinds a course may be required for (values of AppointmentKind).
KIND_LABELS: dict[str, str] = {
    "safety_rep": lazy("Verneombud"),
    "chief_safety_rep": lazy("Hovedverneombud"),
    "amu_member": lazy("AMU-medlem"),
    "managing_director": lazy("Daglig leder"),
    "ohs_contact": lazy("BHT-kontakt"),
}
MAX_COURSE_HOURS = Decimal(9999)
MAX_RECORD_HOURS = Decimal(1000)
MAX_VALIDITY_MONTHS = 240


def kind_options() -> list[tuple[str, str]]:
    return [(kind, _(label)) for kind, label in KIND_LABELS.items()]


def required_for_labels(required_for: str, for_leaders: bool) -> list[str]:
    """ "Verneombud, Hovedverneombud, Ledere": who must take a course, for people."""
    kinds = [k for k in required_for.split(",") if k]
    labels = [_(KIND_LABELS[k]) if k in KIND_LABELS else k for k in kinds]
    if for_leaders:
        labels.append(_("Ledere"))
    return labels


def _hours(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return parse_hours_text(str(value))
    except ValueError:
        raise field_error(
            _("Skriv antall timer som et tall med høyst to desimaler, for eksempel 7,5.")
        ) from None


class CourseTypeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    legal_basis: str | None = Field(default=None, max_length=300)
    required_hours: Decimal
    validity_months: int | None = None
    required_for: list[str] = Field(default_factory=list)
    required_for_leaders: bool = False

    @field_validator("name", "legal_basis", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("required_hours", mode="before")
    @classmethod
    def _required_hours(cls, value: Any) -> Any:
        hours = _hours(value)
        if hours is not None and (hours < 0 or hours > MAX_COURSE_HOURS):
            raise field_error(_("Timetallet må være mellom 0 og 9999."))
        return hours

    @field_validator("validity_months", mode="before")
    @classmethod
    def _validity(cls, value: Any) -> Any:
        if value is None or isinstance(value, int):
            months = value
        else:
            months = parse_int(value, maximum=10**6)
            if months is None:
                raise field_error(
                    _("Skriv et helt antall måneder (1–240), eller la feltet stå tomt.")
                )
        if months is not None and not 1 <= months <= MAX_VALIDITY_MONTHS:
            raise field_error(
                _("Gyldigheten må være mellom 1 og 240 måneder, eller tom (utløper ikke).")
            )
        return months

    @field_validator("required_for", mode="before")
    @classmethod
    def _kinds(cls, value: Any) -> Any:
        if value is None:
            return []
        items = [value] if isinstance(value, str) else list(value)
        kinds = []
        for item in items:
            if item not in KIND_LABELS:
                raise field_error(_("Velg blant vervene i listen."))
            if item not in kinds:
                kinds.append(item)
        return [k for k in KIND_LABELS if k in kinds]  # a fixed order

    @field_validator("required_for_leaders", mode="before")
    @classmethod
    def _checkbox(cls, value: Any) -> Any:
        return value == "true" or value is True


class CourseTypeEditForm(CourseTypeForm):
    version: int


class TrainingRecordForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    course_type_id: int
    completed_on: date
    hours: Decimal
    provider: str | None = Field(default=None, max_length=200)

    @field_validator("provider", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("course_type_id", mode="before")
    @classmethod
    def _course_type(cls, value: Any) -> Any:
        if value is None:
            return value
        chosen = parse_id(value)
        if chosen is None:
            raise field_error(_("Velg et kurs fra listen."))
        return chosen

    @field_validator("completed_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        # As every other date field: a real date between the years 1900 and 2200.
        return date_value(value)

    @field_validator("hours", mode="before")
    @classmethod
    def _record_hours(cls, value: Any) -> Any:
        hours = _hours(value)
        if hours is not None and hours <= 0:
            raise field_error(_("Timetallet må være større enn 0."))
        if hours is not None and hours > MAX_RECORD_HOURS:
            raise field_error(_("Timetallet kan være høyst 1000."))
        return hours


class WithdrawForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str = Field(min_length=1, max_length=500)

    @field_validator("reason", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)
