"""Forms of the appointments register (verv), and the labels the pages show.

The per-kind rules of input (who needs a person, an AMU side, a term end) are checked in
service.py, where they apply to every caller; these models only parse what was typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hms_tracker.appointments.models import AmuSide, AppointmentKind
from hms_tracker.web.forms import date_value, id_list, plain_text
from hms_tracker.web.i18n import _, lazy

KIND_LABELS: dict[str, str] = {
    AppointmentKind.safety_rep.value: lazy("Verneombud"),
    AppointmentKind.chief_safety_rep.value: lazy("Hovedverneombud"),
    AppointmentKind.amu_member.value: lazy("AMU-medlem"),
    AppointmentKind.managing_director.value: lazy("Daglig leder"),
    AppointmentKind.ohs_contact.value: lazy("BHT-kontakt"),
}

AMU_SIDE_LABELS: dict[str, str] = {
    AmuSide.employer.value: lazy("Arbeidsgiversiden"),
    AmuSide.employee.value: lazy("Arbeidstakersiden"),
    AmuSide.ohs.value: lazy("Bedriftshelsetjenesten"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "active": (lazy("Aktiv"), "success"),
    "ending_soon": (lazy("Slutter snart"), "warning"),
    "ended": (lazy("Avsluttet"), "neutral"),
    "upcoming": (lazy("Kommende"), "info"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def kind_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in KIND_LABELS.items()]


def amu_side_label(side: str | None) -> str:
    return _(AMU_SIDE_LABELS[side]) if side in AMU_SIDE_LABELS else ""


def amu_side_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in AMU_SIDE_LABELS.items()]


def status_tag(status: str) -> tuple[str, str]:
    """(text, colour) of a status tag: text always, colour only as a help."""
    label, color = STATUS_LABELS.get(status, (status, "neutral"))
    return _(label), color


def status_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, (label, _color) in STATUS_LABELS.items()]


class AppointmentForm(BaseModel):
    """Create or edit an appointment. The field names are the form's input names."""

    model_config = ConfigDict(extra="ignore")

    kind: AppointmentKind
    person_id: int | None = None
    external_name: str | None = Field(default=None, max_length=200)
    external_organisation: str | None = Field(default=None, max_length=200)
    starts_on: date
    ends_on: date | None = None
    amu_side: AmuSide | None = None
    is_deputy: bool = False
    area_ids: list[int] = Field(default_factory=list)
    note: str | None = Field(default=None, max_length=1000)

    @field_validator("external_name", "external_organisation", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("starts_on", "ends_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("is_deputy", mode="before")
    @classmethod
    def _checkbox(cls, value: Any) -> Any:
        return value in (True, "true", "on", "1")

    @field_validator("area_ids", mode="before")
    @classmethod
    def _areas(cls, value: Any) -> Any:
        return id_list(value)


class AppointmentEditForm(AppointmentForm):
    """The edit form also states which version it was opened on."""

    version: int


class EndAppointmentForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ended_on: date
    end_reason: str = Field(min_length=1, max_length=500)

    @field_validator("ended_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("end_reason", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)


class ChairForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    starts_on: date
    ends_on: date | None = None

    @field_validator("starts_on", "ends_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)


class AgreementForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    valid_from: date
    valid_to: date
    description: str = Field(min_length=1, max_length=5000)

    @field_validator("valid_from", "valid_to", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)
