"""Forms of the deviation pages, and the labels the pages show for states and categories."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.datastructures import UploadFile

from hms_tracker.db import utcnow
from hms_tracker.deviations.models import (
    ActionsEffect,
    CommentVisibility,
    DeviationCategory,
    DeviationStatus,
)
from hms_tracker.web.forms import date_value, field_error, multiline_text, plain_text
from hms_tracker.web.i18n import OSLO, _, lazy

STATUS_LABELS: dict[str, tuple[str, str]] = {
    DeviationStatus.registered.value: (lazy("Registrert"), "info"),
    DeviationStatus.in_progress.value: (lazy("Under behandling"), "warning"),
    DeviationStatus.actions.value: (lazy("Tiltak"), "warning"),
    DeviationStatus.closed.value: (lazy("Lukket"), "success"),
    DeviationStatus.rejected.value: (lazy("Avvist"), "neutral"),
}

CATEGORY_LABELS: dict[str, str] = {
    DeviationCategory.personal_injury.value: lazy("Personskade"),
    DeviationCategory.near_miss.value: lazy("Nestenulykke"),
    DeviationCategory.hazard.value: lazy("Farlig forhold"),
    DeviationCategory.material_damage.value: lazy("Materiell skade"),
    DeviationCategory.environment.value: lazy("Ytre miljø"),
    DeviationCategory.psychosocial.value: lazy("Psykososialt arbeidsmiljø"),
    DeviationCategory.routine_breach.value: lazy("Brudd på rutine"),
    DeviationCategory.other.value: lazy("Annet"),
}

EFFECT_LABELS: dict[str, str] = {
    ActionsEffect.yes.value: lazy("Ja, tiltakene virket"),
    ActionsEffect.partly.value: lazy("Delvis"),
    ActionsEffect.no.value: lazy("Nei, tiltakene virket ikke"),
    ActionsEffect.no_actions.value: lazy("Ingen tiltak var nødvendige"),
}


def status_tag(status: str) -> tuple[str, str]:
    label, color = STATUS_LABELS.get(status, (status, "neutral"))
    return _(label), color


def status_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, (label, _c) in STATUS_LABELS.items()]


def category_label(category: str) -> str:
    return _(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else category


def category_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in CATEGORY_LABELS.items()]


def effect_label(effect: str | None) -> str:
    return _(EFFECT_LABELS[effect]) if effect in EFFECT_LABELS else ""


def effect_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in EFFECT_LABELS.items()]


_LOCAL_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::\d{2})?$")
_NORWEGIAN_DATETIME = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2})[:.](\d{2}))?$")


def parse_local_datetime(text: str) -> datetime:
    """A time typed in Norway ("2025-03-01T14:30", "1.3.2025 14:30" or a date alone) as an
    aware datetime in UTC; ValueError otherwise."""
    text = text.strip()
    if match := _LOCAL_DATETIME.match(text):
        year, month, day, hour, minute = (int(p) for p in match.groups())
    elif match := _NORWEGIAN_DATETIME.match(text):
        d, m, y, hh, mm = match.groups()
        year, month, day = int(y), int(m), int(d)
        hour, minute = (int(hh), int(mm)) if hh is not None else (12, 0)
    else:
        try:
            only = date_value(text)
        except Exception:
            raise ValueError(text) from None
        year, month, day, hour, minute = only.year, only.month, only.day, 12, 0
    local = datetime(year, month, day, hour, minute, tzinfo=OSLO)
    return local


def datetime_value(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = parse_local_datetime(str(value))
    except ValueError:
        raise field_error(_("Skriv et gyldig tidspunkt, for eksempel 31.01.2025 14:30.")) from None
    if not 1900 <= parsed.year <= 2200:
        raise field_error(_("Skriv en dato mellom år 1900 og 2200."))
    return parsed


def _checkbox(value: Any) -> bool:
    return value in (True, "true", "on", "1", "yes")


MAX_YEARS_BACK = 5


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time `years` years earlier (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def files_were_chosen(values: dict[str, Any], name: str = "files") -> bool:
    """Whether the submitted form carried at least one chosen file (browsers send an empty
    part without a file name when none was chosen). A form that comes back with errors
    cannot keep them: the page then asks for them again."""
    raw = values.get(name)
    items = raw if isinstance(raw, list) else [raw]
    return any(isinstance(item, UploadFile) and item.filename for item in items)


class ReportForm(BaseModel):
    """A new deviation, from an employee or an anonymous reporter."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10000)
    department_id: int
    place: str | None = Field(default=None, max_length=200)
    occurred_at: datetime
    category: DeviationCategory
    consequence: int = Field(ge=1, le=5)
    probability: int = Field(ge=1, le=5)
    immediate_action: str | None = Field(default=None, max_length=5000)
    serious_injury: bool = False
    caused_absence: bool | None = None
    # Category "brudd på rutine": the routine that was not followed (optional).
    routine_id: int | None = None

    @field_validator("title", "place", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("description", "immediate_action", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return datetime_value(value)

    @field_validator("occurred_at")
    @classmethod
    def _not_too_old(cls, value: datetime) -> datetime:
        """A new report is about something recent: a time more than 5 years back is a typo
        (01.01.1900, a wrong year). Editing an old case keeps its time (EditForm)."""
        if value < years_before(utcnow(), MAX_YEARS_BACK):
            raise field_error(
                _(
                    "Tidspunktet kan ikke være mer enn %(years)s år tilbake. Sjekk året.",
                    years=MAX_YEARS_BACK,
                )
            )
        return value

    @field_validator("department_id", "consequence", "probability", "routine_id", mode="before")
    @classmethod
    def _choice(cls, value: Any) -> Any:
        if value is None:
            return value
        try:
            return int(str(value))
        except ValueError:
            raise field_error(_("Velg et av alternativene.")) from None

    @field_validator("serious_injury", mode="before")
    @classmethod
    def _serious(cls, value: Any) -> Any:
        return _checkbox(value)

    @field_validator("caused_absence", mode="before")
    @classmethod
    def _absence(cls, value: Any) -> Any:
        if value in (None, "", "unknown"):
            return None
        return value in (True, "true", "yes", "1", "on")


class EditForm(ReportForm):
    version: int

    @field_validator("occurred_at")
    @classmethod
    def _not_too_old(cls, value: datetime) -> datetime:
        return value  # an old case can still be edited; the 5-year limit is for new reports


class AssignForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    responsible_person_id: int
    deadline: date
    version: int

    @field_validator("deadline", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)


class ReasonForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str = Field(min_length=1, max_length=5000)
    version: int

    @field_validator("reason", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)


class CloseForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    root_cause: str = Field(min_length=1, max_length=5000)
    actions_effect: ActionsEffect
    closing_note: str | None = Field(default=None, max_length=5000)
    # For the reporter (optional): shown to them with the actions done and their effect.
    reporter_summary: str | None = Field(default=None, max_length=5000)
    version: int

    @field_validator("root_cause", "closing_note", "reporter_summary", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)


class NotificationForm(BaseModel):
    """AML § 5-2: when Arbeidstilsynet and the police were notified."""

    model_config = ConfigDict(extra="ignore")

    notified_at: datetime
    notification_note: str | None = Field(default=None, max_length=500)
    version: int

    @field_validator("notified_at", mode="before")
    @classmethod
    def _when(cls, value: Any) -> Any:
        return datetime_value(value)

    @field_validator("notification_note", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value)


class ActionForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str = Field(min_length=1, max_length=5000)
    owner_person_id: int
    deadline: date

    @field_validator("description", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)

    @field_validator("deadline", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)


class ActionDoneForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    done_on: date
    done_note: str | None = Field(default=None, max_length=5000)
    version: int

    @field_validator("done_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("done_note", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)


class CommentForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    body: str = Field(min_length=1, max_length=10000)
    visibility: CommentVisibility = CommentVisibility.internal

    @field_validator("body", mode="before")
    @classmethod
    def _multiline(cls, value: Any) -> Any:
        return multiline_text(value)


class WithdrawForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str = Field(min_length=1, max_length=500)

    @field_validator("reason", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_text(value)
