"""The coordinator's form for opening a pulse survey. (The answer form has a field per
question of the barometer's data file, so it is read by `survey.answers_from_form`.)"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hms_tracker.web.forms import date_value, field_error, plain_text
from hms_tracker.web.i18n import _
from hms_tracker.web.params import parse_int


class SurveyForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=200)
    opens_on: date
    closes_on: date
    # Which barometer's questions (its data file's year); empty: the newest.
    barometer_year: int | None = None

    @field_validator("title", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("opens_on", "closes_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("barometer_year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        year = parse_int(value, minimum=2000, maximum=2200)
        if year is None:
            raise field_error(_("Velg fra listen."))
        return year
