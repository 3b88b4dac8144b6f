"""The company's own name, as the coordinator stored it (setting "company_name"); the
layout shows it on every page (the web layer reads it through the reader registered here)."""

from __future__ import annotations

from sqlmodel import Session

from hms_tracker.organisation.models import CompanySetting
from hms_tracker.web.templating import register_company_name_reader


@register_company_name_reader
def stored_company_name(session: Session) -> str | None:
    row = session.get(CompanySetting, "company_name")
    return row.value if row is not None and row.value else None
