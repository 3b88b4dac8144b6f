"""The anonymous pulse survey (pulsundersøkelse) of the barometer: the surveys the
coordinator opens, who has answered (to refuse a second answer), and the answers.

Anonymity is a property of these tables, not only of the pages:

- `survey_participation` says *who* has answered a survey and nothing else: no timestamp,
  no answer, no key shared with the answers (its primary key is survey + person).
- `survey_response`, `survey_answer` and `survey_comment` say *what* was answered and
  nothing about who: no person id, no timestamp, no autoincrementing id. Their primary keys
  are random tokens (`secrets.token_hex(16)`), so neither a key nor the order of the keys
  follows the order in which people answered. On SQLite they are `WITHOUT ROWID` tables: a
  rowid table keeps a hidden, increasing rowid (the insertion order, `SELECT rowid …`) and
  returns `SELECT *` in that order; a `WITHOUT ROWID` table is stored in the order of its
  primary key, the random token.
- The one thing an answer carries besides the survey is the respondent's department at the
  time (for results per department, shown only from `survey_min_answers` answers up).
- Storing a response also swaps the new answers with those of a randomly chosen earlier
  response of the survey (`survey.py`, `_store_mixed`): on PostgreSQL a table's rows sit in
  the order they were written, so without it the last row would be the last respondent's.
- None of these tables is audited (`audit/registry.py` says why): an audit event carries
  the actor and the time, which is exactly the link that must not exist.

What a database administrator can still see, and this code does not try to hide:
PostgreSQL's system columns — `xmin` (the id of the transaction that wrote a row version)
and `ctid` (where it lies) — show which rows one transaction wrote: the participation row,
the new response and the swapped earlier response share one `xmin`, so an administrator who
reads system columns narrows a participant down to one of two responses. Dead row versions
(until VACUUM), the write-ahead log, `pg_stat_*` views and the server's statement log (when
enabled) can tell the same. On SQLite the file's free pages may keep deleted content until
it is vacuumed. Anonymity here holds against everyone who uses the application and against
plain SQL reads of the tables (reports, exports, backups read as data), not against the
person who runs the database server.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow

TOKEN_LENGTH = 32  # secrets.token_hex(16)
# No ROWID on SQLite: the rows are kept in primary-key (random token) order, and no hidden
# rowid records the insertion order. Ignored by PostgreSQL.
NO_ROWID = {"sqlite_with_rowid": False}


def new_token() -> str:
    """A random primary key for the answer tables: unguessable and unordered."""
    return secrets.token_hex(16)


class Survey(SQLModel, table=True):
    """A pulse survey: the survey questions of one barometer (`barometer_year`, which data
    file), open from `opens_on` to `closes_on`, both days included."""

    __tablename__ = "survey"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    barometer_year: int = Field(nullable=False)
    title: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    opens_on: date = Field(nullable=False, index=True)
    closes_on: date = Field(nullable=False)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)  # optimistic locking

    __table_args__ = (sa.CheckConstraint("closes_on >= opens_on", name="period"),)

    def is_open_on(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


class SurveyParticipation(SQLModel, table=True):
    """Who has answered a survey: one row per person and survey, so that nobody answers
    twice (the primary key is the unique constraint that makes two simultaneous answers of
    one person store one response). Deliberately without a timestamp, without an id of its
    own and without anything that points at the response."""

    __tablename__ = "survey_participation"

    survey_id: int = Field(foreign_key="survey.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)

    __table_args__ = (NO_ROWID,)


class SurveyResponse(SQLModel, table=True):
    """The answers of one respondent, under a random token. Never linked to a person: no
    person id, no timestamp, no key shared with `survey_participation`."""

    __tablename__ = "survey_response"

    id: str = Field(
        default_factory=new_token,
        sa_column=sa.Column(sa.String(TOKEN_LENGTH), primary_key=True, autoincrement=False),
    )
    survey_id: int = Field(foreign_key="survey.id", index=True)
    # The respondent's department when they answered (for results per department).
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)

    __table_args__ = (NO_ROWID,)


class SurveyAnswer(SQLModel, table=True):
    """The option one respondent chose for one survey question; `option` "" is the explicit
    "I do not want to answer / do not know" (`survey.NO_ANSWER`)."""

    __tablename__ = "survey_answer"

    id: str = Field(
        default_factory=new_token,
        sa_column=sa.Column(sa.String(TOKEN_LENGTH), primary_key=True, autoincrement=False),
    )
    response_id: str = Field(
        sa_column=sa.Column(
            sa.String(TOKEN_LENGTH), sa.ForeignKey("survey_response.id"), nullable=False, index=True
        )
    )
    question_id: str = Field(sa_column=sa.Column(sa.String(50), nullable=False))
    option: str = Field(sa_column=sa.Column(sa.String(50), nullable=False))

    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"), NO_ROWID)


class SurveyComment(SQLModel, table=True):
    """The free text one respondent wrote for one free-text question ("" when they wrote
    nothing: every response has the same rows, so the swap moves whole responses)."""

    __tablename__ = "survey_comment"

    id: str = Field(
        default_factory=new_token,
        sa_column=sa.Column(sa.String(TOKEN_LENGTH), primary_key=True, autoincrement=False),
    )
    response_id: str = Field(
        sa_column=sa.Column(
            sa.String(TOKEN_LENGTH), sa.ForeignKey("survey_response.id"), nullable=False, index=True
        )
    )
    question_id: str = Field(sa_column=sa.Column(sa.String(50), nullable=False))
    text: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))

    __table_args__ = (sa.UniqueConstraint("response_id", "question_id"), NO_ROWID)


# --- the yearly review (internkontrollforskriften § 5 nr. 8) ----------------------------


class BarometerAssessment(SQLModel, table=True):
    """The coordinator's final answer to one barometer question for a year, on the
    question's own scale, with a comment: the third answer, given beside the records' and
    the survey's. Changed freely until the year's snapshot freezes it (the snapshot keeps
    a copy; this row may still be edited afterwards for the record, the snapshot never)."""

    __tablename__ = "barometer_assessment"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("year", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(nullable=False, index=True)
    question_id: str = Field(sa_column=sa.Column(sa.String(60), nullable=False))
    answer: str = Field(sa_column=sa.Column(sa.String(30), nullable=False))
    comment: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    assessed_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)


class BarometerSnapshot(SQLModel, table=True):
    """The yearly review frozen: the three answers to every question, the figures behind
    them and the first records of each evidence list, as they stood on `taken_on`. The
    database refuses to change or delete a snapshot (triggers, as for the audit trail);
    `content` is the whole snapshot as JSON (barometer/review.py writes and reads it)."""

    __tablename__ = "barometer_snapshot"
    __audited__ = True
    # The content is kept in the snapshot itself, which never changes; the trail says who
    # took it and when.
    __audit_redact__ = frozenset({"content"})

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(nullable=False, unique=True)
    barometer_year: int = Field(nullable=False)
    taken_on: date = Field(nullable=False)
    taken_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    taken_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    content: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))


class BarometerGoal(SQLModel, table=True):
    """An HMS goal for a year (internkontrollforskriften § 5 nr. 4), with how it is
    measured — in words, and optionally one of the barometer's figures and a target so the
    page can show how it goes — and, at the next review, how it went."""

    __tablename__ = "barometer_goal"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(nullable=False, index=True)
    text: str = Field(sa_column=sa.Column(sa.String(500), nullable=False))
    measured_by: str = Field(default="", sa_column=sa.Column(sa.String(500), nullable=False))
    measure_id: str | None = Field(default=None, max_length=60)
    target: float | None = None
    outcome: str | None = Field(default=None, max_length=20)  # met | partly | not_met
    outcome_note: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)


class BarometerPoint(SQLModel, table=True):
    """What the yearly review found: a strength to keep and reinforce, or an improvement
    (from the barometer's list of areas, or in the coordinator's words). An improvement is
    an action with an owner and a deadline, followed up until done and at the next
    review."""

    __tablename__ = "barometer_point"
    __audited__ = True

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(nullable=False, index=True)
    kind: str = Field(sa_column=sa.Column(sa.String(20), nullable=False))  # strength | improvement
    area: str | None = Field(default=None, max_length=40)
    text: str = Field(sa_column=sa.Column(sa.String(500), nullable=False))
    owner_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    deadline: date | None = None
    done_on: date | None = None
    done_note: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    version: int = Field(default=1, nullable=False)
