"""HMS routines (rutiner): versioned documents with an owner, a scope, tags, a review log,
attachments and read-acknowledgements per person per version.

A routine is the stable thing others point at (a risk lists the routines that control it, a
deviation names the routine that was broken): `routine.id` never changes. Its text lives in
versions: at most one draft (being edited), at most one published (the one in force), and
the earlier published ones, archived and still readable. Publishing numbers a version
1, 2, …; an acknowledgement belongs to one version, so a new version asks everyone again.

Nothing is deleted: a routine is archived (`archived_on`), an attachment withdrawn, a
draft given up is marked discarded.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow

DEFAULT_REVIEW_MONTHS = 12


class VersionStatus(StrEnum):
    draft = "draft"  # utkast: being written, seen by the coordinator and the owner only
    published = "published"  # gjeldende: the version in force
    archived = "archived"  # arkivert: an earlier version (or the last one of an archived routine)
    discarded = "discarded"  # forkastet: a draft given up (kept, never published)


class ReviewOutcome(StrEnum):
    no_change = "no_change"  # gjennomgått, ingen endring
    new_version = "new_version"  # gjennomgått, ny versjon


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class Routine(SQLModel, table=True):
    __tablename__ = "routine"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    # The title of the version in force (or of the first draft), kept here for lists.
    title: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, index=True))
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # True: applies to everyone; False: to the departments in routine_department (and the
    # departments below them).
    whole_company: bool = Field(default=True, nullable=False)
    review_interval_months: int = Field(default=DEFAULT_REVIEW_MONTHS, nullable=False)
    # Last review or publication + the interval; empty until the first publication.
    next_review_on: date | None = Field(default=None, index=True)
    archived_on: date | None = None
    archived_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)  # optimistic locking, not a version number

    __table_args__ = (
        sa.CheckConstraint(
            "review_interval_months >= 1 AND review_interval_months <= 120",
            name="review_interval",
        ),
    )


class RoutineVersion(SQLModel, table=True):
    __tablename__ = "routine_version"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    routine_id: int = Field(foreign_key="routine.id", index=True)
    number: int | None = None  # 1, 2, … from publication; empty for a draft
    status: str = Field(
        default=VersionStatus.draft.value, sa_column=sa.Column(sa.String(20), nullable=False)
    )
    title: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    purpose: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    body: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    change_note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    published_on: date | None = None
    published_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    published_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    # When a published version was superseded (or its routine archived); for a discarded
    # draft, when it was discarded.
    archived_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    # A draft of a routine that is already in force keeps the coordinator's new scope, tags
    # and review interval here until it is published (the version in force keeps applying
    # the routine's own); empty: unchanged. Cleared on publication.
    draft_whole_company: bool | None = None
    draft_department_ids: str | None = Field(  # comma-separated department ids
        default=None, sa_column=sa.Column(sa.Text(), nullable=True)
    )
    draft_tags: str | None = Field(  # comma-separated tags
        default=None, sa_column=sa.Column(sa.Text(), nullable=True)
    )
    draft_review_interval_months: int | None = None

    __table_args__ = (
        sa.UniqueConstraint("routine_id", "number"),
        sa.CheckConstraint(f"status IN ({_in(VersionStatus)})", name="status"),
        sa.CheckConstraint(
            "(status IN ('draft', 'discarded')) = (number IS NULL)", name="number_when_published"
        ),
    )

    @property
    def has_pending_settings(self) -> bool:
        return self.draft_whole_company is not None


class RoutineDepartment(SQLModel, table=True):
    """A department a routine applies to (with the departments below it)."""

    __tablename__ = "routine_department"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    routine_id: int = Field(foreign_key="routine.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)

    __table_args__ = (sa.UniqueConstraint("routine_id", "department_id"),)


class RoutineTag(SQLModel, table=True):
    """A free, lowercase tag: `varsling` marks the whistleblowing routine (AML § 2A-6)."""

    __tablename__ = "routine_tag"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    routine_id: int = Field(foreign_key="routine.id", index=True)
    tag: str = Field(sa_column=sa.Column(sa.String(50), nullable=False, index=True))

    __table_args__ = (sa.UniqueConstraint("routine_id", "tag"),)


class RoutineReview(SQLModel, table=True):
    """A review of a routine: who, when, the outcome and a note."""

    __tablename__ = "routine_review"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    routine_id: int = Field(foreign_key="routine.id", index=True)
    reviewed_on: date = Field(nullable=False)
    reviewer_person_id: int | None = Field(default=None, foreign_key="person.id")
    outcome: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    # The version in force when the review was recorded.
    version_number: int | None = None
    note: str | None = Field(default=None, sa_column=sa.Column(sa.Text(), nullable=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )

    __table_args__ = (sa.CheckConstraint(f"outcome IN ({_in(ReviewOutcome)})", name="outcome"),)


class RoutineAcknowledgement(SQLModel, table=True):
    """A person confirmed "lest og forstått" for one published version."""

    __tablename__ = "routine_acknowledgement"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    routine_version_id: int = Field(foreign_key="routine_version.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    acknowledged_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )

    __table_args__ = (sa.UniqueConstraint("routine_version_id", "person_id"),)


class RoutineAttachment(SQLModel, table=True):
    """A PDF or image belonging to a routine, stored in the database."""

    __tablename__ = "routine_attachment"
    __audited__ = True
    __audit_redact__ = frozenset({"content"})

    id: int | None = Field(default=None, primary_key=True)
    routine_id: int = Field(foreign_key="routine.id", index=True)
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    content_type: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    filename: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    size: int = Field(nullable=False)
    uploaded_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    withdrawn_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
