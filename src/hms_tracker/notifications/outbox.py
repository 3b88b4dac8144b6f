"""The e-mail outbox: written in the caller's transaction, delivered after the commit.

- `enqueue()` adds a message to the session's transaction, so a rolled-back request sends
  nothing. A `dedupe_key` that exists already is skipped (INSERT … ON CONFLICT DO NOTHING:
  no error, the caller's transaction goes on).
- `deliver_pending()` sends what is committed and unsent. Each message is first claimed
  with a conditional UPDATE (`claimed_until`), so two processes or machines never send the
  same message; a failure counts an attempt, keeps a short error and frees the claim, and
  after `HMS_SMTP_MAX_ATTEMPTS` the message is given up (logged, kept in the table).
- In a web request nothing needs to be called: a session that enqueued and then commits
  marks the request, and `OutboxDeliveryMiddleware` (middleware.py) delivers after the
  response has been sent. `hms-tracker send-mail` and `hms-tracker remind` deliver too,
  and retry what failed before.
"""

from __future__ import annotations

import contextvars
import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session as OrmSession

from hms_tracker.config import Settings, get_settings
from hms_tracker.db import insert_ignoring_conflict, utcnow
from hms_tracker.notifications import smtp
from hms_tracker.notifications.models import OutboxMessage

log = logging.getLogger("hms_tracker.mail")

OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_ENQUEUED = "hms_outbox_enqueued"

# --- the settings messages are written with (base URL, default language) ------------------

_settings: contextvars.ContextVar[Settings | None] = contextvars.ContextVar(
    "mail_settings", default=None
)


def current_settings() -> Settings:
    """The running app's settings (set per request by the middleware, or by `using_settings`),
    else the environment's."""
    return _settings.get() or get_settings()


@contextmanager
def using_settings(settings: Settings) -> Iterator[None]:
    token = _settings.set(settings)
    try:
        yield
    finally:
        _settings.reset(token)


# --- enqueue ----------------------------------------------------------------------------


def enqueue(
    session: OrmSession,
    *,
    recipient: str,
    subject: str,
    body: str,
    dedupe_key: str | None = None,
    calendar: str | None = None,
) -> bool:
    """Add an e-mail to the outbox in the session's transaction (with `calendar`: an
    iCalendar invitation sent with it). False when a message with the same `dedupe_key`
    exists already (nothing added, the transaction is unharmed)."""
    values = {
        "recipient": recipient.strip(),
        "subject": " ".join(subject.split())[:300],
        "body": body,
        "calendar": calendar,
        "dedupe_key": dedupe_key,
        "created_at": utcnow(),
        "attempts": 0,
    }
    if dedupe_key is None:
        session.execute(sa.insert(OUTBOX).values(**values))
        added = True
    else:
        added = insert_ignoring_conflict(session, OUTBOX, values, ["dedupe_key"])
    if added:
        session.info[_ENQUEUED] = True
    return added


# --- "deliver after the commit" for web requests ---------------------------------------

# The middleware puts a fresh list here for each request; a commit of a session that
# enqueued appends to it. A list (not a bool) because the session commits in a worker
# thread with a copy of the context: the copy shares the list, not a reassignment.
_delivery_wanted: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "mail_delivery_wanted", default=None
)


@contextmanager
def collecting_delivery_requests() -> Iterator[list[bool]]:
    box: list[bool] = []
    token = _delivery_wanted.set(box)
    try:
        yield box
    finally:
        _delivery_wanted.reset(token)


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    if session.info.pop(_ENQUEUED, False):
        box = _delivery_wanted.get()
        if box is not None:
            box.append(True)


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session: OrmSession) -> None:
    session.info.pop(_ENQUEUED, None)


# --- delivery ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryResult:
    enabled: bool
    sent: int = 0
    failed: int = 0
    given_up: int = 0
    waiting: int = 0  # unsent messages still to try after this run


_off_logged = False


def count_waiting(connection: Connection, settings: Settings) -> int:
    return int(
        connection.execute(
            sa.select(sa.func.count())
            .select_from(OUTBOX)
            .where(OUTBOX.c.sent_at.is_(None), OUTBOX.c.attempts < settings.smtp_max_attempts)
        ).scalar_one()
    )


def _lease(settings: Settings) -> timedelta:
    # Long enough for a slow send (connect, TLS, login, data), short enough that a message
    # claimed by a process that died is tried again on the next run after that.
    return timedelta(seconds=max(300.0, settings.smtp_timeout * 6))


def _claimable(now: Any, settings: Settings) -> Any:
    return sa.and_(
        OUTBOX.c.sent_at.is_(None),
        OUTBOX.c.attempts < settings.smtp_max_attempts,
        sa.or_(OUTBOX.c.claimed_until.is_(None), OUTBOX.c.claimed_until < now),
    )


def _claim(engine: Engine, message_id: int, settings: Settings) -> dict[str, Any] | None:
    """Take one message for this process; None if another one has it (or it is sent)."""
    now = utcnow()
    with engine.begin() as conn:
        claimed = conn.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == message_id, _claimable(now, settings))
            .values(claimed_until=now + _lease(settings))
        ).rowcount
        if claimed != 1:
            return None
        row = conn.execute(sa.select(OUTBOX).where(OUTBOX.c.id == message_id)).one()
    return dict(row._mapping)


def _mark_sent(engine: Engine, message_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == message_id)
            .values(sent_at=utcnow(), claimed_until=None, last_error=None)
        )


def _mark_failed(engine: Engine, message: dict[str, Any], error: str, settings: Settings) -> bool:
    """Count the attempt and free the claim. True when this was the last attempt."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == message["id"])
            .values(attempts=OUTBOX.c.attempts + 1, last_error=error, claimed_until=None)
        )
    attempts = message["attempts"] + 1
    if attempts >= settings.smtp_max_attempts:
        log.error(
            "Giving up e-mail %s to %s after %s attempts: %s",
            message["id"],
            message["recipient"],
            attempts,
            error,
        )
        return True
    log.warning(
        "E-mail %s to %s failed (attempt %s of %s), will be retried: %s",
        message["id"],
        message["recipient"],
        attempts,
        settings.smtp_max_attempts,
        error,
    )
    return False


def deliver_pending(engine: Engine, settings: Settings, *, limit: int = 500) -> DeliveryResult:
    """Send the committed, unsent messages (oldest first). Never raises for SMTP trouble:
    failures are recorded on the messages and counted in the result."""
    global _off_logged
    if not settings.mail_enabled:
        with engine.connect() as conn:
            waiting = count_waiting(conn, settings)
        if not _off_logged:
            _off_logged = True
            log.warning(
                "E-mail is off (HMS_SMTP_HOST is empty): messages stay in the outbox "
                "(%s waiting now) until it is set and `hms-tracker send-mail` runs.",
                waiting,
            )
        return DeliveryResult(enabled=False, waiting=waiting)

    with engine.connect() as conn:
        ids = list(
            conn.execute(
                sa.select(OUTBOX.c.id)
                .where(_claimable(utcnow(), settings))
                .order_by(OUTBOX.c.id)
                .limit(limit)
            ).scalars()
        )
    sent = failed = given_up = 0
    connection: smtplib.SMTP | None = None
    try:
        for message_id in ids:
            message = _claim(engine, message_id, settings)
            if message is None:
                continue
            try:
                mail = smtp.build_message(
                    settings,
                    recipient=message["recipient"],
                    subject=message["subject"],
                    body=message["body"],
                    calendar=message.get("calendar"),
                )
                if connection is None:
                    connection = smtp.connect(settings)
                connection.send_message(mail)
            except smtp.MESSAGE_ERRORS as exc:
                failed += 1
                given_up += _mark_failed(engine, message, smtp.short_error(exc, settings), settings)
                continue
            except Exception as exc:  # connection trouble: stop this run, try again later
                failed += 1
                given_up += _mark_failed(engine, message, smtp.short_error(exc, settings), settings)
                if connection is not None:
                    smtp.close(connection)
                    connection = None
                break
            _mark_sent(engine, message_id)
            sent += 1
    finally:
        if connection is not None:
            smtp.close(connection)
    with engine.connect() as conn:
        waiting = count_waiting(conn, settings)
    if sent or failed:
        log.info("E-mail: %s sent, %s failed, %s waiting.", sent, failed, waiting)
    return DeliveryResult(
        enabled=True, sent=sent, failed=failed, given_up=given_up, waiting=waiting
    )
