"""The company's own name, as the coordinator stored it (setting "company_name"); the
layout shows it on every page (the web layer reads it through the reader registered here)."""

from __future__ import annotations

from sqlmodel import Session

from hms_tracker.db import VersionedCache
from hms_tracker.organisation.models import CompanySetting
from hms_tracker.web.templating import register_company_name_reader

# Read on every page: kept under the data version (a page that reads the version for its
# own caches gets the name without a statement of its own).
NAME: VersionedCache[str, str | None] = VersionedCache(size=1)


@register_company_name_reader
def stored_company_name(session: Session) -> str | None:
    def read() -> str | None:
        row = session.get(CompanySetting, "company_name")
        return row.value if row is not None and row.value else None

    return NAME.get_or_compute(session, "company_name", read)
