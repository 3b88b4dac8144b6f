"""Translations (Babel catalogues, nb default and en) and locale-aware formatting.

The language of the moment, the catalogues and the markers (`_`, `lazy`, `gettext`,
`ngettext`) live in the ground module `hms_tracker.translation`, so that rules, errors and
the risk scale translate without importing the web layer; they are re-exported here for
the web layer and the domains. What stays here is the formatting of dates and numbers with
Babel in the user's locale.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_decimal as _format_decimal

from hms_tracker.translation import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    OSLO,
    _,
    _language,
    get_language,
    gettext,
    lazy,
    ngettext,
    set_language,
    translations,
)

__all__ = [
    "BABEL_LOCALES",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "OSLO",
    "_",
    "_language",
    "babel_locale",
    "format_date",
    "format_datetime",
    "format_number",
    "get_language",
    "gettext",
    "lazy",
    "ngettext",
    "set_language",
    "translations",
]

BABEL_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
# Parsed once: a long list formats hundreds of dates and numbers per page.
_LOCALES = {language: Locale.parse(name) for language, name in BABEL_LOCALES.items()}


def babel_locale() -> str:
    return BABEL_LOCALES[get_language()]


def format_date(value: date | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return _date_text(value, format, get_language())


@lru_cache(maxsize=8192)
def _date_text(value: date, format: str, language: str) -> str:
    """A date as text (a list shows the same days again and again)."""
    return _format_date(value, format=format, locale=_LOCALES[language])


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return _datetime_text(value, format, get_language())


@lru_cache(maxsize=8192)
def _datetime_text(value: datetime, format: str, language: str) -> str:
    """A moment as text in Norway's time (a case's history shows the same ones on every
    request; Babel takes tens of microseconds for each)."""
    return _format_datetime(value, format=format, tzinfo=OSLO, locale=_LOCALES[language])


def format_number(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return _number_text(value, get_language())


@lru_cache(maxsize=8192)
def _number_text(value: int | float | Decimal, language: str) -> str:
    """A number as text (Babel takes tens of microseconds for one; pages show the same
    figures on every request). Numbers equal as keys are formatted alike (1 and 1.0)."""
    return _format_decimal(value, locale=_LOCALES[language])
