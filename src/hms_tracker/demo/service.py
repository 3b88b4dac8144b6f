"""Demo data markers. The demo builder (`hms-tracker demo`) lives in demo/builder.py."""

from __future__ import annotations

from sqlmodel import Session

from hms_tracker.organisation.models import CompanySetting
from hms_tracker.web.i18n import lazy

DEMO_PASSWORD = "demo-passord"
DEMO_MARKER = "demo_loaded"
DEMO_ACCOUNTS = (
    ("koordinator@example.com", lazy("HMS-koordinator (administrator)")),
    ("leder@example.com", lazy("Leder")),
    ("ansatt@example.com", lazy("Ansatt")),
    ("verneombud@example.com", lazy("Verneombud")),
    ("amu@example.com", lazy("AMU-medlem")),
)


def is_demo_loaded(*, session: Session) -> bool:
    row = session.get(CompanySetting, DEMO_MARKER)
    return row is not None and row.value == "1"


def demo_accounts(*, session: Session) -> list[tuple[str, str]]:
    """The demo logins to show on the login page, only while the demo data is loaded."""
    return list(DEMO_ACCOUNTS) if is_demo_loaded(session=session) else []
