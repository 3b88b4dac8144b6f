"""Appointments (verv): verneombud, hovedverneombud, AMU members, daglig leder, BHT contact.

A person *is* verneombud because an appointment is active, not because of a role flag.
Nothing is deleted: an appointment ends (early) with a date and a reason and stays in history.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class AppointmentKind(StrEnum):
    safety_rep = "safety_rep"  # verneombud
    chief_safety_rep = "chief_safety_rep"  # hovedverneombud
    amu_member = "amu_member"  # medlem av arbeidsmiljøutvalget (also deputies)
    managing_director = "managing_director"  # daglig leder
    ohs_contact = "ohs_contact"  # kontaktperson i bedriftshelsetjenesten


class AmuSide(StrEnum):
    employer = "employer"
    employee = "employee"
    ohs = "ohs"  # bedriftshelsetjenesten: a member without a vote


class Appointment(SQLModel, table=True):
    __tablename__ = "appointment"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=sa.Column(sa.String(30), nullable=False, index=True))
    # A person of the register, or (BHT) an external person with no login.
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    external_name: str | None = Field(default=None, max_length=200)
    external_organisation: str | None = Field(default=None, max_length=200)
    starts_on: date = Field(nullable=False)
    # End of the term (two years for verneombud and AMU); empty for open-ended ones.
    ends_on: date | None = None
    # Ended before or at the term's end, with a reason; stays in history.
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=500)
    amu_side: str | None = Field(default=None, sa_column=sa.Column(sa.String(20), nullable=True))
    is_deputy: bool = Field(default=False, nullable=False)
    note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('safety_rep', 'chief_safety_rep', 'amu_member', 'managing_director', "
            "'ohs_contact')",
            name="kind",
        ),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR external_name IS NOT NULL", name="person_or_external"
        ),
    )

    def last_day(self) -> date | None:
        """The last day the appointment is in force (the earlier of term end and ended_on)."""
        days = [d for d in (self.ends_on, self.ended_on) if d is not None]
        return min(days) if days else None


class AppointmentArea(SQLModel, table=True):
    """A department in a verneombud's verneområde (safety area)."""

    __tablename__ = "appointment_area"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)

    __table_args__ = (sa.UniqueConstraint("appointment_id", "department_id"),)


class AmuChairPeriod(SQLModel, table=True):
    """An AMU member chairs the committee for a period (one year at a time, sides alternate)."""

    __tablename__ = "amu_chair_period"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointment.id", index=True)
    starts_on: date = Field(nullable=False)
    ends_on: date = Field(nullable=False)


class SafetyRepAgreement(SQLModel, table=True):
    """With fewer than 5 employees the parties may agree in writing on another arrangement
    than a verneombud, for at most two years (AML § 6-1)."""

    __tablename__ = "safety_rep_agreement"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    valid_from: date = Field(nullable=False)
    valid_to: date = Field(nullable=False)
    description: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
