"""Nothing double: a create form carries a one-time key (`form_key`, a hidden field drawn
when the form is drawn, kept when the form comes back with errors). The first sending that
saves records where it went; the same form sent again — a double click, the back button
and send, a retry on a slow line, two sendings at the same moment — goes to what the first
saved, with a message, and saves nothing.

Two sendings at once meet at the key's row: on PostgreSQL the second INSERT waits for the
first transaction and then finds its row; on SQLite writers take turns anyway.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col

from hms_tracker.db import FormSubmission, insert_ignoring_conflict, utcnow
from hms_tracker.web.forms import FORM_KEY as FIELD
from hms_tracker.web.forms import FORM_KEY_PATTERN as _KEY
from hms_tracker.web.i18n import _
from hms_tracker.web.templating import flash, redirect

KEPT = timedelta(days=2)  # a form older than this is a new form
_TABLE: Any = FormSubmission.__table__  # type: ignore[attr-defined]


def earlier(request: Request, session: Session, values: dict[str, Any]) -> Response | None:
    """The answer to a form already saved (a redirect to what it saved), or None after
    claiming its key for this sending. A form without a key is always new."""
    key = values.get(FIELD)
    if not isinstance(key, str) or not _KEY.match(key):
        return None
    session.exec(  # forgotten after a while: the table stays small
        sa.delete(FormSubmission).where(col(FormSubmission.created_at) < utcnow() - KEPT)  # type: ignore[call-overload]
    )
    if insert_ignoring_conflict(session, _TABLE, {"key": key, "created_at": utcnow()}, ["key"]):
        return None
    row = session.get(FormSubmission, key)
    if row is None or row.result_url is None:  # an earlier sending that did not save
        return None
    flash(request, _("Skjemaet var allerede sendt, så det ble ikke lagret en gang til."), "info")
    return redirect(request, row.result_url)


def saved(session: Session, values: dict[str, Any], url: str) -> None:
    """Where the form's first saving went (in the same transaction as what it saved)."""
    key = values.get(FIELD)
    if isinstance(key, str) and _KEY.match(key):
        session.exec(
            sa.update(FormSubmission).where(col(FormSubmission.key) == key).values(result_url=url)  # type: ignore[call-overload]
        )
