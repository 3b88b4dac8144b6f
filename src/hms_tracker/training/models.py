"""Course types (with the appointment kinds that require them) and completed training."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class CourseType(SQLModel, table=True):
    __tablename__ = "course_type"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    legal_basis: str | None = Field(default=None, max_length=300)
    required_hours: Decimal = Field(
        default=Decimal(0), sa_column=sa.Column(sa.Numeric(6, 2), nullable=False)
    )
    validity_months: int | None = None  # empty: never expires
    # Appointment kinds that require the course, comma-separated AppointmentKind values.
    required_for: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    # Department leaders must take it too (the company's choice; on for the employer course).
    required_for_leaders: bool = Field(default=False, nullable=False)
    archived_on: date | None = None
    version: int = Field(default=1, nullable=False)

    def required_kinds(self) -> frozenset[str]:
        return frozenset(k for k in self.required_for.split(",") if k)


class Certificate(SQLModel, table=True):
    """An uploaded course certificate (PDF or image), stored in the database."""

    __tablename__ = "certificate"
    __audited__ = True
    __audit_redact__ = frozenset({"content"})  # the file itself stays out of the trail

    id: int | None = Field(default=None, primary_key=True)
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    content_type: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    filename: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    size: int = Field(nullable=False)
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )


class TrainingRecord(SQLModel, table=True):
    __tablename__ = "training_record"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    course_type_id: int = Field(foreign_key="course_type.id", index=True)
    completed_on: date = Field(nullable=False)
    hours: Decimal = Field(sa_column=sa.Column(sa.Numeric(6, 2), nullable=False))
    provider: str | None = Field(default=None, max_length=200)
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id")
    withdrawn_on: date | None = None  # registered by mistake: withdrawn, never deleted
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )

    __table_args__ = (sa.CheckConstraint("hours > 0", name="hours_positive"),)
