"""Today's date in Norway; the only place the product asks the clock for a date."""

from __future__ import annotations

from datetime import date, datetime

from hms_tracker.web.i18n import OSLO


def today() -> date:
    return datetime.now(OSLO).date()
