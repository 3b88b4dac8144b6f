"""The e-mail outbox and the record of reminder digests sent."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class OutboxMessage(SQLModel, table=True):
    """An e-mail to send. Written in the same transaction as the change it tells about, so
    a rolled-back request sends nothing; sent after the commit (and retried by `remind`)."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(sa_column=sa.Column(sa.String(254), nullable=False))
    subject: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    body: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    # An iCalendar invitation sent with the message (text/calendar; METHOD:REQUEST).
    calendar: str | None = Field(default=None, sa_column=sa.Column(sa.Text(), nullable=True))
    # Same key, same message: a second insert is refused (unique), so it is sent once.
    dedupe_key: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(200), nullable=True, unique=True)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    sent_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), index=True))
    attempts: int = Field(default=0, nullable=False)
    last_error: str | None = Field(default=None, max_length=500)
    # A sender claims a message before sending it, so two machines never send the same one.
    claimed_until: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))


class ReminderDigest(SQLModel, table=True):
    """One row per person and day: the reminder digest was prepared for them that day.
    The primary key makes a second run (on this or another machine) skip the person."""

    __tablename__ = "reminder_digest"

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    day: date = Field(primary_key=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
