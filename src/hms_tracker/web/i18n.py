"""Translations (Babel catalogues, nb default and en) and locale-aware formatting.

Message ids are the Norwegian bokmål texts; the `en` catalogue translates them. The active
language lives in a context variable set per request, so `_()` works in services, routes
and templates alike.
"""

from __future__ import annotations

import contextvars
import io
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_decimal as _format_decimal
from babel.support import NullTranslations, Translations

from hms_tracker.paths import LOCALE_DIR

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
BABEL_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
OSLO = ZoneInfo("Europe/Oslo")

_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "language", default=DEFAULT_LANGUAGE
)


@lru_cache
def translations(language: str) -> NullTranslations:
    """The catalogue for a language: the compiled .mo, or the .po compiled in memory."""
    base = LOCALE_DIR / language / "LC_MESSAGES"
    mo = base / "messages.mo"
    po = base / "messages.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain="messages")
    if po.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain="messages")
    return NullTranslations()


def set_language(language: str) -> contextvars.Token[str]:
    return _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    return _language.get()


def gettext(message: str, **variables: Any) -> str:
    text = translations(get_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(get_language()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def lazy(message: str) -> str:
    """Mark a text for extraction where it is defined; translate it with `_()` where used."""
    return message


def babel_locale() -> str:
    return BABEL_LOCALES[get_language()]


def format_date(value: date | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return _format_date(value, format=format, locale=babel_locale())


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return _format_datetime(value, format=format, tzinfo=OSLO, locale=babel_locale())


def format_number(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return _format_decimal(value, locale=babel_locale())
