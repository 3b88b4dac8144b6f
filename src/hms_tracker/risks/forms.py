"""Forms of the risk pages. Planned measures use the deviation pages' action forms
(ActionForm, ActionDoneForm, WithdrawForm): a measure is a corrective action."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hms_tracker.web.forms import date_value, field_error, multiline_text, plain_text
from hms_tracker.web.i18n import _


class RiskForm(BaseModel):
    """A new risk, or an edit of one (then with the version it was opened on)."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10000)
    department_id: int
    consequence: int = Field(ge=1, le=5)
    probability: int = Field(ge=1, le=5)
    existing_measures: str | None = Field(default=None, max_length=10000)
    last_assessed_on: date
    owner_person_id: int | None = None

    @field_validator("title", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("description", "existing_measures", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)

    @field_validator("last_assessed_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator(
        "department_id", "consequence", "probability", "owner_person_id", mode="before"
    )
    @classmethod
    def _choice(cls, value: Any) -> Any:
        if value is None:
            return value
        try:
            return int(str(value))
        except ValueError:
            raise field_error(_("Velg et av alternativene.")) from None


class RiskEditForm(RiskForm):
    version: int


class VersionForm(BaseModel):
    """A button that changes the risk (mark assessed): the version the page showed."""

    model_config = ConfigDict(extra="ignore")

    version: int


class RoutineLinkForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    routine_id: int


class ArchiveForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str = Field(min_length=1, max_length=500)
    version: int

    @field_validator("reason", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value)
