"""Today's date in Norway (the only place the product asks the clock for a date), and the
day a page is asked to show (`?on=`)."""

from __future__ import annotations

from datetime import date, datetime

from hms_tracker.web.i18n import OSLO, _

EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2200, 12, 31)


def today() -> date:
    return datetime.now(OSLO).date()


def chosen_day(on: str | None) -> tuple[date, str | None]:
    """The day asked for (`?on=YYYY-MM-DD`), or today with a message when it is not a date."""
    if not on:
        return today(), None
    try:
        day = date.fromisoformat(on)
    except ValueError:
        return today(), _("Skriv datoen som åååå-mm-dd. Viser i dag.")
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        return today(), _("Velg en dag mellom år 1900 og 2200. Viser i dag.")
    return day, None
