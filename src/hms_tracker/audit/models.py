"""The audit trail: one append-only table of events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    actor_person_id: int | None = Field(default=None, foreign_key="person.id")
    actor_label: str = Field(sa_column=sa.Column(sa.String(254), nullable=False))
    entity: str = Field(sa_column=sa.Column(sa.String(60), nullable=False))
    entity_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    action: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    subject_person_id: int | None = Field(default=None, foreign_key="person.id")
    before: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON(), nullable=True)
    )
    after: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON(), nullable=True)
    )

    # The trail is read newest first, a page at a time from a position (audit/service.py):
    # each filter walks its own index in (occurred_at, id) order.
    __table_args__ = (
        sa.Index("ix_audit_event_record_time", "entity", "entity_id", "occurred_at", "id"),
        sa.Index("ix_audit_event_time", "occurred_at", "id"),
        sa.Index("ix_audit_event_entity_time", "entity", "occurred_at", "id"),
        sa.Index("ix_audit_event_actor_time", "actor_person_id", "occurred_at", "id"),
        sa.Index("ix_audit_event_subject_time", "subject_person_id", "occurred_at", "id"),
    )
