"""The working environment committee's (AMU's) own work: its meetings, who was called and
who came, the agenda, the minutes per item, and the decisions (AML § 7-2).

A decision's follow-up is a corrective action (`CorrectiveAction.amu_decision_id`), the
model deviations and risks already use, so it has an owner and a deadline, shows in the
owner's reminders and comes back on the next agenda until it is done.

Minutes approved by the chair are locked: from then on the database refuses every change
to the meeting, its attendance, its agenda items and its decisions (triggers, migration
0016), as it does for the audit trail and the barometer's snapshots.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class MeetingStatus(StrEnum):
    planned = "planned"  # planlagt
    held = "held"  # holdt
    cancelled = "cancelled"  # avlyst


class ItemSource(StrEnum):
    gap = "gap"  # proposed from an open gap of the rule engine
    carried = "carried"  # carried over: a decision of an earlier meeting not followed up yet
    manual = "manual"  # added by the coordinator or the chair


def _in(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{m.value}'" for m in enum)


class AmuMeeting(SQLModel, table=True):
    __tablename__ = "amu_meeting"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    meets_on: date = Field(nullable=False, index=True)
    # Local time (Europe/Oslo) on `meets_on`.
    starts_at: time = Field(sa_column=sa.Column(sa.Time(), nullable=False))
    ends_at: time = Field(sa_column=sa.Column(sa.Time(), nullable=False))
    place: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    status: str = Field(
        default=MeetingStatus.planned.value, sa_column=sa.Column(sa.String(20), nullable=False)
    )
    # When the agenda was e-mailed to the members called (with a calendar invitation).
    agenda_sent_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    # The open gaps when the meeting was held (keys, see amu/overview.py): what changed
    # since is measured against them.
    gaps_at_meeting: list[list[str]] | None = Field(default=None, sa_column=sa.Column(sa.JSON()))
    minutes_approved_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    minutes_approved_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)

    __table_args__ = (sa.CheckConstraint(f"status IN ({_in(MeetingStatus)})", name="status"),)

    @property
    def is_locked(self) -> bool:
        return self.minutes_approved_at is not None


class AmuAttendance(SQLModel, table=True):
    """A member called to a meeting (regular or deputy, by their AMU appointment), and
    whether they came (None until the attendance is recorded)."""

    __tablename__ = "amu_attendance"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="amu_meeting.id", index=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    attended: bool | None = None

    __table_args__ = (sa.UniqueConstraint("meeting_id", "appointment_id"),)


class AmuAgendaItem(SQLModel, table=True):
    __tablename__ = "amu_agenda_item"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="amu_meeting.id", index=True)
    position: int = Field(nullable=False)
    title: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    source: str = Field(
        default=ItemSource.manual.value, sa_column=sa.Column(sa.String(20), nullable=False)
    )
    # What the item was proposed from: a gap's key, or "action:<id>" for a decision's
    # action carried over.
    source_key: str | None = Field(default=None, max_length=200)
    minutes: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)

    __table_args__ = (sa.CheckConstraint(f"source IN ({_in(ItemSource)})", name="source"),)


class AmuDecision(SQLModel, table=True):
    """A decision under an agenda item, with the vote when one was taken (the BHT member
    has no vote) and any dissent recorded."""

    __tablename__ = "amu_decision"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    agenda_item_id: int = Field(foreign_key="amu_agenda_item.id", index=True)
    text: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstaining: int | None = None
    dissent: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class AmuReport(SQLModel, table=True):
    """The committee's yearly report of its work (AML § 7-2 (6)): the text written from the
    year's records and edited before approval, and the figures it was written from, kept
    when the chair approves it. Approved, it is locked by the database (migration 0017)."""

    __tablename__ = "amu_report"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(nullable=False, sa_column_kwargs={"unique": True})
    text: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    figures: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON()))
    approved_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    approved_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)

    @property
    def is_locked(self) -> bool:
        return self.approved_at is not None


class CalendarFeed(SQLModel, table=True):
    """A person's secret, revocable address of their HMS calendar (iCalendar feed): only
    the hash of the token is kept; a new one revokes the old."""

    __tablename__ = "calendar_feed"
    __audited__ = True
    __audit_redact__ = frozenset({"token_hash"})

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
