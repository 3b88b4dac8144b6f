"""The AMU's forms: a meeting, an agenda item, the minutes of an item, a decision."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from hms_tracker.web.forms import date_value, field_error, multiline_text, plain_text
from hms_tracker.web.i18n import _

_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def time_value(value: Any) -> Any:
    """A pydantic `before` validator for a time of day typed as 09:00 or 9.00."""
    if value is None or isinstance(value, time):
        return value
    match = _TIME.match(str(value).strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise field_error(_("Skriv et klokkeslett, for eksempel 09:00."))
    return time(int(match.group(1)), int(match.group(2)))


class MeetingForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    meets_on: date
    starts_at: time
    ends_at: time
    place: str = Field(default="", max_length=200)

    @field_validator("meets_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return time_value(value)

    @field_validator("place", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value.strip() if isinstance(value, str) else (value or ""))

    @field_validator("ends_at", mode="after")
    @classmethod
    def _after_start(cls, value: time, info: ValidationInfo) -> time:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and value <= starts_at:
            raise field_error(_("Møtet må slutte etter at det begynner."))
        return value


class ItemForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> Any:
        return plain_text(value.strip() if isinstance(value, str) else value)

    @field_validator("description", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return multiline_text(value.strip() if isinstance(value, str) else (value or ""))


class MinutesForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    minutes: str = Field(default="", max_length=20_000)
    version: int

    @field_validator("minutes", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return multiline_text(value.strip() if isinstance(value, str) else (value or ""))


class DecisionForm(BaseModel):
    """A decision, the vote when one was taken, dissent, and (optional) the action that
    follows it up: description, owner and deadline together."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=5000)
    votes_for: int | None = Field(default=None, ge=0, le=100)
    votes_against: int | None = Field(default=None, ge=0, le=100)
    votes_abstaining: int | None = Field(default=None, ge=0, le=100)
    dissent: str = Field(default="", max_length=5000)
    action: str = Field(default="", max_length=5000)
    owner_person_id: int | None = None
    deadline: date | None = None

    @field_validator("votes_for", "votes_against", "votes_abstaining", "owner_person_id",
                     mode="before")  # fmt: skip
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("deadline", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else date_value(value)

    @field_validator("text", "dissent", "action", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return multiline_text(value.strip() if isinstance(value, str) else (value or ""))
