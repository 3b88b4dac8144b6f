"""The risk register (risikovurdering): a work task or hazard in a department, scored on
the shared 5 × 5 scale (hms_tracker.risk), with the measures in place, the planned
measures (corrective actions with `risk_id`, the same table as a deviation's actions), the
routines that control it, and when it was last assessed.

Nothing is deleted: a risk is archived with a reason.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class Risk(SQLModel, table=True):
    __tablename__ = "risk"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    # The work task or hazard, e.g. "Sveising i trange rom".
    title: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    description: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    department_id: int = Field(foreign_key="department.id", index=True)
    consequence: int = Field(nullable=False)
    probability: int = Field(nullable=False)
    existing_measures: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    last_assessed_on: date = Field(nullable=False, index=True)
    owner_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    archived_on: date | None = None
    archived_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)

    __table_args__ = (
        sa.CheckConstraint("consequence BETWEEN 1 AND 5", name="consequence"),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name="probability"),
    )

    @property
    def risk_score(self) -> int:
        return self.consequence * self.probability

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None


class RiskRoutine(SQLModel, table=True):
    """A routine that controls the risk."""

    __tablename__ = "risk_routine"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", index=True)
    routine_id: int = Field(foreign_key="routine.id", index=True)

    __table_args__ = (sa.UniqueConstraint("risk_id", "routine_id"),)
