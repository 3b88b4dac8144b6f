"""Deviations (avvik), their corrective actions (tiltak), comments and attachments.

Nothing is deleted: comments, attachments and actions are withdrawn with a reason. An
anonymous report has no reporter and keeps only a hash of its receipt code; no table here
has a column for an IP address or a user agent.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class DeviationStatus(StrEnum):
    registered = "registered"  # registrert
    in_progress = "in_progress"  # under behandling
    actions = "actions"  # tiltak
    closed = "closed"  # lukket
    rejected = "rejected"  # avvist


OPEN_STATUSES = frozenset(
    {DeviationStatus.registered, DeviationStatus.in_progress, DeviationStatus.actions}
)


class DeviationCategory(StrEnum):
    personal_injury = "personal_injury"  # personskade
    near_miss = "near_miss"  # nestenulykke
    hazard = "hazard"  # farlig forhold
    material_damage = "material_damage"  # materiell skade
    environment = "environment"  # ytre miljø
    psychosocial = "psychosocial"  # psykososialt arbeidsmiljø
    routine_breach = "routine_breach"  # brudd på rutine
    other = "other"  # annet


class ActionsEffect(StrEnum):
    """Closing: did the corrective actions work?"""

    yes = "yes"
    partly = "partly"
    no = "no"
    no_actions = "no_actions"  # closed without actions (e.g. the immediate action sufficed)


def _in(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


class Deviation(SQLModel, table=True):
    __tablename__ = "deviation"
    __audited__ = True
    __audit_redact__ = frozenset({"receipt_code_hash"})
    __audit_derived__ = frozenset({"search_text"})

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    description: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    department_id: int = Field(foreign_key="department.id", index=True)
    place: str | None = Field(default=None, max_length=200)
    occurred_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False, index=True))
    category: str = Field(sa_column=sa.Column(sa.String(30), nullable=False, index=True))
    consequence: int = Field(nullable=False)
    probability: int = Field(nullable=False)
    immediate_action: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    # Personal injury: did it lead to absence from work (H1) or not (H2)?
    caused_absence: bool | None = None
    # Category "brudd på rutine": the routine that was not followed (optional).
    routine_id: int | None = Field(default=None, foreign_key="routine.id", index=True)

    # AML § 5-2: serious personal injury (or death) is notified to Arbeidstilsynet and the
    # police at once; recorded when and by whom.
    serious_injury: bool = Field(default=False, nullable=False)
    notified_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    notified_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    notification_note: str | None = Field(default=None, max_length=500)

    # Reporter: a person, or nobody (anonymous). The receipt code is kept only as a hash.
    reporter_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    anonymous: bool = Field(default=False, nullable=False)
    receipt_code_hash: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(64), nullable=True, unique=True)
    )

    # Handling
    status: str = Field(
        default=DeviationStatus.registered.value,
        sa_column=sa.Column(sa.String(20), nullable=False, index=True),
    )
    responsible_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    deadline: date | None = None
    rejection_reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    reopen_reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    root_cause: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    actions_effect: str | None = Field(default=None, max_length=20)
    closing_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    # Written for the reporter when closing ("Oppsummering til melderen"): shown to them on
    # the case page, the receipt-code status page and in the closure e-mail. The root cause
    # and the closing note stay internal.
    reporter_summary: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    closed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    closed_by_person_id: int | None = Field(default=None, foreign_key="person.id")

    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, index=True)
    )
    version: int = Field(default=1, nullable=False)
    # Title, description and place in lower case, one per line: what the list's search
    # reads (a LIKE over one plain column, no function called per row). Kept by the
    # mapper events below; never shown, and left out of the audit trail.
    search_text: str = Field(
        default="", sa_column=sa.Column(sa.Text(), nullable=False, server_default="")
    )

    __table_args__ = (
        sa.CheckConstraint(f"status IN ({_in(DeviationStatus)})", name="status"),
        sa.CheckConstraint(f"category IN ({_in(DeviationCategory)})", name="category"),
        sa.CheckConstraint("consequence BETWEEN 1 AND 5", name="consequence"),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name="probability"),
        sa.CheckConstraint(
            "NOT anonymous OR reporter_person_id IS NULL", name="anonymous_has_no_reporter"
        ),
    )

    @property
    def risk_score(self) -> int:
        return self.consequence * self.probability

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_notification(self) -> bool:
        return self.serious_injury and self.notified_at is None


class CorrectiveAction(SQLModel, table=True):
    """A corrective action (tiltak) with an owner and a deadline: of a deviation, a planned
    measure of a risk, or the follow-up of an AMU decision (exactly one of the three)."""

    __tablename__ = "corrective_action"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    deviation_id: int | None = Field(default=None, foreign_key="deviation.id", index=True)
    # A planned measure of a risk in the risk register (instead of a deviation).
    risk_id: int | None = Field(default=None, foreign_key="risk.id", index=True)
    # The follow-up of a decision of the working environment committee (amu/models.py).
    amu_decision_id: int | None = Field(default=None, foreign_key="amu_decision.id", index=True)
    description: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    owner_person_id: int = Field(foreign_key="person.id", index=True)
    deadline: date = Field(nullable=False)
    done_on: date | None = None
    done_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text()))
    withdrawn_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)

    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN deviation_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN risk_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN amu_decision_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_origin",
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.done_on is None and self.withdrawn_at is None


class CommentVisibility(StrEnum):
    internal = "internal"  # handlers, verneombud
    reporter = "reporter"  # also shown to the reporter (and on the receipt page)


class DeviationComment(SQLModel, table=True):
    __tablename__ = "deviation_comment"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    deviation_id: int = Field(foreign_key="deviation.id", index=True)
    # None: written by the anonymous reporter through the receipt code.
    author_person_id: int | None = Field(default=None, foreign_key="person.id")
    from_reporter: bool = Field(default=False, nullable=False)
    visibility: str = Field(
        default=CommentVisibility.internal.value,
        sa_column=sa.Column(sa.String(20), nullable=False),
    )
    body: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    withdrawn_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    withdrawn_reason: str | None = Field(default=None, max_length=500)

    __table_args__ = (
        sa.CheckConstraint(f"visibility IN ({_in(CommentVisibility)})", name="visibility"),
    )


class DeviationAttachment(SQLModel, table=True):
    """A photo or PDF; images are stored re-encoded, without EXIF (location) data."""

    __tablename__ = "deviation_attachment"
    __audited__ = True
    __audit_redact__ = frozenset({"content"})

    id: int | None = Field(default=None, primary_key=True)
    deviation_id: int = Field(foreign_key="deviation.id", index=True)
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    content_type: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    filename: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    size: int = Field(nullable=False)
    uploaded_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    from_reporter: bool = Field(default=False, nullable=False)
    # The comment the file came with: a file on a comment visible to the reporter is
    # visible to the reporter too.
    comment_id: int | None = Field(default=None, foreign_key="deviation_comment.id")
    uploaded_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    withdrawn_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime()))
    withdrawn_reason: str | None = Field(default=None, max_length=500)


def search_text_of(title: str | None, description: str | None, place: str | None) -> str:
    """What the deviation list's search reads: the texts in lower case, one per line (a
    search word holds no line break, so no word matches across two of them)."""
    return "\n".join((title or "", description or "", place or "")).lower()


@sa.event.listens_for(Deviation, "before_insert")
@sa.event.listens_for(Deviation, "before_update")
def _keep_search_text(_mapper: object, _connection: object, deviation: Deviation) -> None:
    deviation.search_text = search_text_of(deviation.title, deviation.description, deviation.place)


# A corrective action may follow up an AMU decision: its table must be known wherever
# corrective actions are written.
from hms_tracker.amu import models as _amu_models  # noqa: E402, F401
