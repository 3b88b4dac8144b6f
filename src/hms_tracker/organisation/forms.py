"""Forms of the people register, and the value parsers the CSV import shares with them.

The parsers accept what Norwegian users type: dates as 2025-01-31 or 31.01.2025, hours as
"37,5" or "37.5", employment types as codes or as their Norwegian labels.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from hms_tracker.organisation.models import EmploymentType
from hms_tracker.web.forms import date_value, field_error, plain_text
from hms_tracker.web.i18n import _, lazy

EMPLOYMENT_TYPE_LABELS: dict[str, str] = {
    EmploymentType.permanent.value: lazy("Fast ansatt"),
    EmploymentType.temporary.value: lazy("Midlertidig ansatt"),
    EmploymentType.hired_in.value: lazy("Innleid"),
}
# English labels the import also understands (a file exported from the English interface
# or written by hand).
_EMPLOYMENT_TYPE_ALIASES = {
    "permanent": "permanent",
    "fast": "permanent",
    "fast ansatt": "permanent",
    "temporary": "temporary",
    "midlertidig": "temporary",
    "midlertidig ansatt": "temporary",
    "hired_in": "hired_in",
    "hired-in": "hired_in",
    "hired in": "hired_in",
    "innleid": "hired_in",
}

MAX_WEEKLY_HOURS = Decimal(100)


def employment_type_label(code: str) -> str:
    return _(EMPLOYMENT_TYPE_LABELS[code]) if code in EMPLOYMENT_TYPE_LABELS else code


def employment_type_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in EMPLOYMENT_TYPE_LABELS.items()]


def parse_hours_text(text: str) -> Decimal:
    """Weekly hours 0–100 with at most two decimals, comma or dot; ValueError otherwise."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not cleaned.isascii():  # Decimal() also reads other scripts' digits ("٣")
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(text)
    return value


def parse_employment_type(text: str) -> str:
    """A code from a code or a label (Norwegian or English), any case; ValueError otherwise."""
    key = " ".join(text.strip().lower().split())
    if key in _EMPLOYMENT_TYPE_ALIASES:
        return _EMPLOYMENT_TYPE_ALIASES[key]
    raise ValueError(text)


def normalise_email_text(text: str) -> str:
    """A syntactically valid address, lower-cased; ValueError otherwise (no DNS look-up)."""
    text = text.strip()
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(text) from None
    return text.lower()


def hours_text(value: Decimal | None) -> str:
    """37.50 → "37,5" in Norwegian, "37.5" in English: what the form shows."""
    from hms_tracker.web.i18n import get_language

    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if get_language() == "nb" else text


class PersonForm(BaseModel):
    """Create or edit a person. The field names are the form's input names."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    title: str | None = Field(default=None, max_length=200)
    department_id: int | None = None
    employed_from: date
    employed_to: date | None = None
    employment_type: EmploymentType = EmploymentType.permanent
    weekly_hours: Decimal

    @field_validator("name", "phone", "title", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise field_error(_("Skriv inn en gyldig e-postadresse."))
        try:
            return normalise_email_text(value)
        except ValueError:
            raise field_error(
                _("Skriv inn en gyldig e-postadresse, for eksempel navn@firma.no.")
            ) from None

    @field_validator("employed_from", "employed_to", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("employed_to")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("employed_from")
        if value is not None and start is not None and value < start:
            raise field_error(_("Sluttdatoen kan ikke være før ansatt fra-datoen."))
        return value

    @field_validator("employment_type", mode="before")
    @classmethod
    def _employment_type(cls, value: Any) -> Any:
        if value is None or isinstance(value, EmploymentType):
            return value
        try:
            return parse_employment_type(str(value))
        except ValueError:
            raise field_error(_("Velg fast ansatt, midlertidig ansatt eller innleid.")) from None

    @field_validator("weekly_hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        if value is None:
            return value
        try:
            hours = value if isinstance(value, Decimal) else parse_hours_text(str(value))
        except ValueError:
            raise field_error(
                _("Skriv antall timer som et tall med høyst to desimaler, for eksempel 37,5.")
            ) from None
        if hours < 0 or hours > MAX_WEEKLY_HOURS:
            raise field_error(_("Ukentlige timer må være mellom 0 og 100."))
        return hours


class PersonEditForm(PersonForm):
    """The edit form also states which version of the person it was opened on."""

    version: int


class EndEmploymentForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    employed_to: date
    end_reason: str = Field(min_length=1, max_length=500)

    @field_validator("employed_to", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)

    @field_validator("end_reason", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)


class DepartmentForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200)
    parent_id: int | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return plain_text(value)


class CloseDepartmentForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    closed_on: date

    @field_validator("closed_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return date_value(value)


class LeaderForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    person_id: int


class AccountForm(BaseModel):
    """An admin creates a login for a person."""

    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=254)
    password: str = Field(min_length=1, max_length=200)
    is_admin: bool = False
