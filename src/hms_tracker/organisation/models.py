"""People (the register) and departments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class EmploymentType(StrEnum):
    permanent = "permanent"
    temporary = "temporary"
    hired_in = "hired_in"


class Department(SQLModel, table=True):
    __tablename__ = "department"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    parent_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    closed_on: date | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)


class DepartmentLeader(SQLModel, table=True):
    """A person who leads a department (the leader role comes from this)."""

    __tablename__ = "department_leader"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # When the person became leader (the grace period for the employer course runs from
    # here); empty for leaders registered before this was recorded.
    starts_on: date | None = None

    __table_args__ = (sa.UniqueConstraint("department_id", "person_id"),)


class Person(SQLModel, table=True):
    __tablename__ = "person"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, index=True))
    email: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(254), nullable=True, unique=True)
    )
    phone: str | None = Field(default=None, max_length=40)
    title: str | None = Field(default=None, max_length=200)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    employed_from: date = Field(nullable=False)
    employed_to: date | None = Field(default=None, index=True)
    end_reason: str | None = Field(default=None, max_length=500)
    employment_type: str = Field(
        default=EmploymentType.permanent.value,
        sa_column=sa.Column(sa.String(20), nullable=False),
    )
    weekly_hours: Decimal = Field(
        default=Decimal("37.5"), sa_column=sa.Column(sa.Numeric(5, 2), nullable=False)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)

    __table_args__ = (
        sa.CheckConstraint(
            "employment_type IN ('permanent', 'temporary', 'hired_in')", name="employment_type"
        ),
        sa.CheckConstraint("weekly_hours >= 0 AND weekly_hours <= 100", name="weekly_hours"),
    )

    def is_active_on(self, day: date) -> bool:
        return self.employed_from <= day and (self.employed_to is None or self.employed_to >= day)


class CompanySetting(SQLModel, table=True):
    """Company-wide settings kept in the database (name, demo marker, thresholds later)."""

    __tablename__ = "company_setting"
    __audited__ = True

    key: str = Field(sa_column=sa.Column(sa.String(100), primary_key=True))
    value: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
