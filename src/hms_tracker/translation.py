"""The language of the moment and its catalogue: the ground every layer translates on.

Message ids are the Norwegian bokmål texts; the `en` catalogue translates them. The active
language lives in a context variable (set per request by the web layer, per recipient by
the e-mails), so `_()` works in rules, services, routes and templates alike. Nothing here
knows about the web: `errors.py`, `risk.py` and `rules/` import from this module, and
`web/i18n.py` re-exports it beside the locale-aware formatting.
"""

from __future__ import annotations

import contextvars
import io
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import NullTranslations, Translations

from hms_tracker.paths import LOCALE_DIR

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
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
