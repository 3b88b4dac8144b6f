"""Form handling on pydantic: parse submitted fields, turn validation errors into messages
in the user's language keyed by field name, and keep what the user typed."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Collection
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError
from starlette.datastructures import FormData

from hms_tracker.errors import InvalidInput
from hms_tracker.web.i18n import _
from hms_tracker.web.params import parse_id

M = TypeVar("M", bound=BaseModel)


# The fields that may come more than once: groups of checkboxes with one name (appointment
# areas, routine departments, the appointments a course is required for) and file inputs with
# `multiple`. Each arrives as a list, even of one value.
LIST_FIELDS = frozenset({"area_ids", "attended_ids", "department_ids", "required_for", "files"})


class RepeatedField(HTTPException):
    """A single-valued field sent more than once: no form of ours does that, so the request
    is refused (400) instead of guessing which value was meant."""

    def __init__(self, name: str):
        super().__init__(
            status_code=400,
            detail=_("Feltet «%(name)s» ble sendt mer enn én gang.", name=name[:50]),
        )


def read_form(form: FormData, lists: Collection[str] = LIST_FIELDS) -> dict[str, Any]:
    """The submitted fields without the CSRF token: a list for each field in `lists`, one
    value (a string, or an UploadFile) for every other; RepeatedField when one of those came
    more than once."""
    values: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        items = form.getlist(key)
        if key in lists:
            values[key] = items
        elif len(items) > 1:
            raise RepeatedField(key)
        else:
            values[key] = items[0]
    return values


async def form_values(request: Request) -> dict[str, Any]:
    """The submitted fields (see read_form), read by an async dependency so the handler can
    be a plain `def`."""
    return read_form(await request.form())


FormValues = Annotated[dict[str, Any], Depends(form_values)]


def field_error(message: str) -> PydanticCustomError:
    """Raise from a validator with a message already translated."""
    return PydanticCustomError("hms", message)


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "hms":
        return str(error["msg"])
    # parse_form sends an empty field as None: a required field then fails on its type.
    empty = error.get("input") is None and kind.endswith("_type")
    if empty or kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("Fyll ut dette feltet.")
    if kind == "string_too_long":
        return _("Teksten er for lang (høyst %(max)s tegn).", max=ctx.get("max_length"))
    if kind in (
        "date_from_datetime_parsing",
        "date_parsing",
        "date_type",
        "date_from_datetime_inexact",
    ):
        return _("Skriv en gyldig dato.")
    if kind in ("int_parsing", "int_type", "float_parsing", "decimal_parsing", "decimal_type"):
        return _("Skriv et gyldig tall.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Tallet må være minst %(min)s.", min=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("Tallet kan være høyst %(max)s.", max=ctx.get("le", ctx.get("lt")))
    if kind in ("enum", "literal_error"):
        return _("Velg et av alternativene.")
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return _("Skriv inn en gyldig e-postadresse.")
    if kind == "value_error":
        return _("Verdien er ugyldig.")
    return _("Verdien er ugyldig.")


def id_list(value: Any) -> Any:
    """A pydantic `before` validator for a group of checkboxes of record ids (a list, or
    one value): ids written with the digits 0-9; anything else is not from the list."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    ids = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        chosen = parse_id(item)
        if chosen is None:
            raise field_error(_("Velg fra listen."))
        ids.append(chosen)
    return ids


def errors_from(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc") or ("",)
        field = str(loc[0]) if loc else ""
        errors.setdefault(field, _message(error))
    return errors


def parse_form(model: type[M], values: dict[str, Any]) -> M:
    """The validated form, or InvalidInput with a translated message per field."""
    cleaned = {
        k: (v.strip() if isinstance(v, str) and "password" not in k else v)
        for k, v in values.items()
    }
    cleaned = {k: (None if v == "" else v) for k, v in cleaned.items()}
    try:
        return model.model_validate(cleaned)
    except ValidationError as exc:
        raise InvalidInput(errors_from(exc)) from None


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_date_text(text: str) -> date:
    """2025-01-31 or 31.01.2025 (also 1.2.2025); ValueError otherwise."""
    text = text.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _NORWEGIAN_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)  # raises ValueError for 31.02.2025


def date_value(value: Any) -> Any:
    """A pydantic `before` validator for dates typed as 2025-01-31 or 31.01.2025."""
    if value is None or isinstance(value, date):
        return value
    try:
        parsed = parse_date_text(str(value))
    except ValueError:
        raise field_error(
            _("Skriv en gyldig dato, for eksempel 2025-01-31 eller 31.01.2025.")
        ) from None
    if not 1900 <= parsed.year <= 2200:
        raise field_error(_("Skriv en dato mellom år 1900 og 2200."))
    return parsed


def plain_text(value: Any) -> Any:
    """A pydantic `before` validator that refuses control characters in text."""
    # Control characters, and invisible format characters such as zero-width spaces and
    # right-to-left overrides that make a name look like something else.
    if isinstance(value, str) and any(
        (ord(ch) < 32 and ch != "\t") or unicodedata.category(ch) == "Cf" for ch in value
    ):
        raise field_error(_("Teksten inneholder ugyldige tegn."))
    return value


def multiline_text(value: Any) -> Any:
    """`plain_text` for text areas: line breaks allowed, other control characters refused.
    Line endings are normalised to LF."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        plain_text(value.replace("\n", " "))
    return value


# A create form's one-time key (web/once.py): drawn with the form, kept when the form comes
# back with errors.
FORM_KEY = "form_key"
FORM_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_form_key(values: dict[str, Any] | None = None) -> str:
    """The key a form is drawn with: the one it was sent with when it comes back with
    errors, else a new one."""
    sent = (values or {}).get(FORM_KEY)
    if isinstance(sent, str) and FORM_KEY_PATTERN.match(sent):
        return sent
    return secrets.token_urlsafe(24)
