"""The anonymous pulse survey: the coordinator opens a survey for a period, every employee
employed on the day answers the barometer's survey questions once, and the results are
shown from `survey_min_answers` answers up (for the company, and per department).

Keyword-only functions, `session` first; nothing here commits. How the answers are kept
apart from the people who gave them is described in `models.py`; the parts of it that are
code are here: the participation row is claimed with the unique key (`_claim_participation`),
the response is stored under random keys and mixed with an earlier one (`_store_mixed`),
and comments are shown sorted, never in the order they were stored.

The "no answer" option. Every survey question must be answered, and one may answer it with
"Vil ikke svare / vet ikke": the option `NO_ANSWER` (""), stored as "" (a real option id is
never empty: the data file's ids match ^[a-z_]+$). It is counted apart from the options,
and the shares are of those who chose an option.

Results of an open survey. `results()` gives the figures as soon as the minimum is reached;
the coordinator's page (`survey_page`) shows them only after the survey has closed: while
answers still come in, comparing the figures before and after one person answers would show
that person's answers.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from hms_tracker.barometer.models import (
    Survey,
    SurveyAnswer,
    SurveyComment,
    SurveyParticipation,
    SurveyResponse,
    new_token,
)
from hms_tracker.barometer.questions import (
    Barometer,
    FreeText,
    Option,
    Question,
    barometer_for,
    barometers,
)
from hms_tracker.barometer.survey_forms import SurveyForm
from hms_tracker.config import SURVEY_MIN_ANSWERS_FLOOR
from hms_tracker.errors import Forbidden, InvalidInput, NotFound, TransitionRefused
from hms_tracker.organisation.models import Department, Person
from hms_tracker.organisation.service import active_on
from hms_tracker.web.auth import Principal
from hms_tracker.web.i18n import _, format_date

NO_ANSWER = ""  # "Vil ikke svare / vet ikke"
MAX_COMMENT_LENGTH = 2000
MAX_PERIOD_DAYS = 366

_RESPONSES: sa.Table = SurveyResponse.__table__  # type: ignore[attr-defined]
_ANSWERS: sa.Table = SurveyAnswer.__table__  # type: ignore[attr-defined]
_COMMENTS: sa.Table = SurveyComment.__table__  # type: ignore[attr-defined]
_PARTICIPATION: sa.Table = SurveyParticipation.__table__  # type: ignore[attr-defined]
# Chooses the earlier response a new one is swapped with, and the order of the two writes.
_random = secrets.SystemRandom()


class AlreadyAnswered(TransitionRefused):
    def __init__(self) -> None:
        super().__init__(
            _("Du har allerede svart på denne undersøkelsen. Hver ansatt svarer én gang.")
        )


# --- the survey and its questions ------------------------------------------------------


def barometer_of(survey: Survey) -> Barometer:
    return barometer_for(survey.barometer_year)


def survey_questions(barometer: Barometer) -> list[Question]:
    """The questions asked in the pulse survey, in the data file's order."""
    return [q for q in barometer.questions if q.survey]


def answer_field(question_id: str) -> str:
    """The form field of a survey question (also the key of its error)."""
    return f"answer_{question_id}"


def comment_field(free_text_id: str) -> str:
    return f"comment_{free_text_id}"


def answers_from_form(
    values: Mapping[str, Any], barometer: Barometer
) -> tuple[dict[str, str], dict[str, str]]:
    """The answers and comments in a submitted form, by question id; a question left
    without a choice is missing (`answer` says so), anything but text is ignored."""
    answers = {
        q.id: value
        for q in survey_questions(barometer)
        if isinstance(value := values.get(answer_field(q.id)), str)
    }
    comments = {
        f.id: value
        for f in barometer.free_text
        if isinstance(value := values.get(comment_field(f.id)), str)
    }
    return answers, comments


def get_survey(*, session: Session, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound()
    return survey


def current_survey(*, session: Session, day: date) -> Survey | None:
    """The survey open on `day` (at most one: periods never overlap)."""
    return session.exec(
        select(Survey)
        .where(col(Survey.opens_on) <= day, col(Survey.closes_on) >= day)
        .order_by(col(Survey.opens_on).desc())
    ).first()


def has_answered(*, session: Session, survey: Survey, person_id: int) -> bool:
    return (
        session.exec(
            select(SurveyParticipation.person_id).where(
                SurveyParticipation.survey_id == survey.id,
                SurveyParticipation.person_id == person_id,
            )
        ).first()
        is not None
    )


# --- opening a survey ------------------------------------------------------------------


def open_survey(
    *, session: Session, actor: Principal, data: SurveyForm, today: date | None = None
) -> Survey:
    """The coordinator opens a survey for a period (both days included). Periods of two
    surveys never overlap, so at most one is open on any day. With `today`, a period that
    has already ended is refused."""
    if not actor.is_admin:
        raise Forbidden()
    errors: dict[str, str] = {}
    if data.closes_on < data.opens_on:
        errors["closes_on"] = _("Sluttdatoen kan ikke være før startdatoen.")
    elif today is not None and data.closes_on < today:
        errors["closes_on"] = _("Sluttdatoen har allerede vært. Velg en dato fra i dag av.")
    elif (data.closes_on - data.opens_on).days >= MAX_PERIOD_DAYS:
        errors["closes_on"] = _("En undersøkelse kan være åpen i høyst ett år.")
    years = [b.year for b in barometers()]
    year = years[0] if data.barometer_year is None else data.barometer_year
    if year not in years:
        errors["barometer_year"] = _("Velg fra listen.")
    if not errors:
        overlapping = session.exec(
            select(Survey)
            .where(col(Survey.opens_on) <= data.closes_on, col(Survey.closes_on) >= data.opens_on)
            .order_by(col(Survey.opens_on))
        ).first()
        if overlapping is not None:
            errors["opens_on"] = _(
                "Perioden overlapper undersøkelsen «%(title)s» (%(start)s–%(end)s). Bare én "
                "undersøkelse kan være åpen om gangen: velg en periode etter at den er avsluttet.",
                title=overlapping.title,
                start=format_date(overlapping.opens_on),
                end=format_date(overlapping.closes_on),
            )
    if errors:
        raise InvalidInput(errors)
    survey = Survey(
        barometer_year=year,
        title=data.title,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
    )
    session.add(survey)
    session.flush()
    return survey


# --- answering -------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What one response holds: the department, an option per survey question, a text per
    free-text question ("" for none)."""

    department_id: int | None
    answers: dict[str, str]
    comments: dict[str, str]


def _text_problem(text: str) -> str | None:
    if len(text) > MAX_COMMENT_LENGTH:
        return _("Teksten er for lang (høyst %(max)s tegn).", max=MAX_COMMENT_LENGTH)
    if any(
        (ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 0x7F or unicodedata.category(ch) == "Cf"
        for ch in text
    ):
        return _("Teksten inneholder ugyldige tegn.")
    return None


def _checked_content(
    barometer: Barometer,
    answers: Mapping[str, str],
    comments: Mapping[str, str],
    department_id: int | None,
) -> Content:
    """The answers as stored, or InvalidInput with a message per field: every survey
    question has one of its scale's options or `NO_ANSWER`; comments are plain text of at
    most MAX_COMMENT_LENGTH characters."""
    errors: dict[str, str] = {}
    questions = survey_questions(barometer)
    chosen: dict[str, str] = {}
    for q in questions:
        value = answers.get(q.id)
        if value is None:
            errors[answer_field(q.id)] = _("Velg et svar, eller «Vil ikke svare».")
        elif value != NO_ANSWER and value not in barometer.scale_of(q).ids:
            errors[answer_field(q.id)] = _("Velg et av alternativene.")
        else:
            chosen[q.id] = value
    written: dict[str, str] = {}
    for free in barometer.free_text:
        text = (comments.get(free.id) or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        problem = _text_problem(text)
        if problem:
            errors[comment_field(free.id)] = problem
        written[free.id] = text
    if set(answers) - {q.id for q in questions} or set(comments) - set(written):
        errors.setdefault("", _("Skjemaet har spørsmål som ikke hører til undersøkelsen."))
    if errors:
        raise InvalidInput(errors)
    return Content(department_id, chosen, written)


def answer(
    *,
    session: Session,
    survey: Survey,
    person: Person,
    answers: Mapping[str, str],
    comments: Mapping[str, str],
    day: date,
) -> None:
    """Store `person`'s answers to `survey` on `day`, anonymously, and note that they have
    answered. Refused (TransitionRefused) when the survey is not open or the person is not
    employed on the day; AlreadyAnswered the second time, also when two answers of one
    person arrive at once; InvalidInput for a question without a valid answer."""
    if not survey.is_open_on(day):
        raise TransitionRefused(_("Undersøkelsen er ikke åpen nå, så svaret ble ikke lagret."))
    if not person.is_active_on(day):
        raise TransitionRefused(
            _("Undersøkelsen er for dem som er ansatt i virksomheten nå, så du kan ikke svare.")
        )
    if has_answered(session=session, survey=survey, person_id=person.id):  # type: ignore[arg-type]
        raise AlreadyAnswered()
    content = _checked_content(barometer_of(survey), answers, comments, person.department_id)
    # One answer of a survey at a time (PostgreSQL; SQLite lets one writer in anyway): the
    # swap below reads an earlier response and writes it back, which two answers at once
    # must not do to the same response. Answering takes milliseconds.
    session.execute(sa.select(col(Survey.id)).where(Survey.id == survey.id).with_for_update())
    if not _claim_participation(session, survey.id, person.id):  # type: ignore[arg-type]
        raise AlreadyAnswered()
    _store_mixed(session, survey.id, content)  # type: ignore[arg-type]
    session.flush()


def _claim_participation(session: Session, survey_id: int, person_id: int) -> bool:
    """Note that the person has answered; False when they already had.

    The primary key (survey, person) decides, so it is race-free: of two simultaneous
    answers by one person, the second waits for the first one's transaction and then finds
    the row. `INSERT … ON CONFLICT DO NOTHING` rather than catching IntegrityError: a failed
    INSERT would abort the whole transaction on PostgreSQL (and a SAVEPOINT around it is
    unreliable with SQLite's Python driver), while this leaves the transaction usable."""
    values = {"survey_id": survey_id, "person_id": person_id}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(_PARTICIPATION).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(_PARTICIPATION).values(**values).on_conflict_do_nothing()
    return session.execute(stmt.returning(_PARTICIPATION.c.survey_id)).first() is not None


def _store_mixed(session: Session, survey_id: int, content: Content) -> None:
    """Store one respondent's `content` so that the order of the rows does not point at
    the respondent.

    The keys are random already (`new_token`), so nothing orders the rows by time on
    SQLite (WITHOUT ROWID tables are kept in key order). PostgreSQL keeps rows in the order
    they were written, though, and `SELECT *` returns them that way: the last rows would be
    the last respondent's, and the last participation row names that person. So the new
    content is swapped with that of a randomly chosen earlier response of the survey:

    - the earlier response keeps its key and gets the new content;
    - a new key gets the earlier response's content;
    - the two are written in random order.

    Afterwards the rows written last hold two responses' contents, one of them the new
    respondent's, in random order. An earlier respondent's content moves again whenever
    it is chosen later. (What an administrator of the database can still see, such as the
    transaction id `xmin` these rows share with the participation row, is in models.py.)
    """
    earlier = sorted(
        session.execute(
            sa.select(_RESPONSES.c.id).where(_RESPONSES.c.survey_id == survey_id)
        ).scalars()
    )
    if not earlier:
        _write_response(session, survey_id, new_token(), content, exists=False)
        return
    partner = _random.choice(earlier)
    moved = _read_content(session, partner)
    writes = [(partner, content, True), (new_token(), moved, False)]
    _random.shuffle(writes)
    for response_id, what, exists in writes:
        _write_response(session, survey_id, response_id, what, exists=exists)


def _read_content(session: Session, response_id: str) -> Content:
    department_id = session.execute(
        sa.select(_RESPONSES.c.department_id).where(_RESPONSES.c.id == response_id)
    ).scalar_one()
    answers = dict(
        session.execute(
            sa.select(_ANSWERS.c.question_id, _ANSWERS.c.option).where(
                _ANSWERS.c.response_id == response_id
            )
        ).all()
    )
    comments = dict(
        session.execute(
            sa.select(_COMMENTS.c.question_id, _COMMENTS.c.text).where(
                _COMMENTS.c.response_id == response_id
            )
        ).all()
    )
    return Content(department_id, answers, comments)


def _write_response(
    session: Session, survey_id: int, response_id: str, content: Content, *, exists: bool
) -> None:
    """`content` under `response_id`: a new response, or an existing one rewritten (its
    answers and comments replaced, each row under a new random key)."""
    if exists:
        session.execute(
            sa.update(_RESPONSES)
            .where(_RESPONSES.c.id == response_id)
            .values(department_id=content.department_id)
        )
        session.execute(sa.delete(_ANSWERS).where(_ANSWERS.c.response_id == response_id))
        session.execute(sa.delete(_COMMENTS).where(_COMMENTS.c.response_id == response_id))
    else:
        session.execute(
            sa.insert(_RESPONSES).values(
                id=response_id, survey_id=survey_id, department_id=content.department_id
            )
        )
    if content.answers:
        session.execute(
            sa.insert(_ANSWERS),
            [
                {"id": new_token(), "response_id": response_id, "question_id": q, "option": o}
                for q, o in content.answers.items()
            ],
        )
    if content.comments:
        session.execute(
            sa.insert(_COMMENTS),
            [
                {"id": new_token(), "response_id": response_id, "question_id": q, "text": t}
                for q, t in content.comments.items()
            ],
        )


# --- results ---------------------------------------------------------------------------


def reference_day(survey: Survey, day: date) -> date:
    """The day whose headcount turnout is measured against: the closing day, or `day`
    while the survey is still open."""
    return min(survey.closes_on, day)


def _employed(session: Session, day: date, department_id: int | None = None) -> int:
    query = select(func.count()).select_from(Person).where(active_on(day))
    if department_id is not None:
        query = query.where(Person.department_id == department_id)
    return int(session.exec(query).one())


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass(frozen=True)
class OptionCount:
    option: Option
    count: int
    percent: int  # of those who chose an option (not "no answer")


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    options: tuple[OptionCount, ...]  # the scale's options, worst first
    answered: int  # chose an option
    no_answer: int  # chose "Vil ikke svare / vet ikke"


@dataclass(frozen=True)
class CommentGroup:
    free_text: FreeText
    texts: tuple[str, ...]  # sorted alphabetically, never in the order stored


@dataclass(frozen=True)
class SurveyResults:
    responses: int
    participants: int
    employed: int  # on the reference day (in the department, for a department's results)
    questions: tuple[QuestionResult, ...]
    comments: tuple[CommentGroup, ...]

    @property
    def turnout(self) -> int:
        """Whole per cent."""
        return percent(self.participants, self.employed)


def _minimum(minimum: int) -> int:
    """The setting is checked when read (config.py); this keeps the floor for any caller."""
    return max(minimum, SURVEY_MIN_ANSWERS_FLOOR)


def response_count(*, session: Session, survey: Survey) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
        ).one()
    )


def participant_count(*, session: Session, survey: Survey) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(SurveyParticipation)
            .where(SurveyParticipation.survey_id == survey.id)
        ).one()
    )


def results(
    *,
    session: Session,
    survey: Survey,
    minimum: int,
    day: date,
    department_id: int | None = None,
) -> SurveyResults | None:
    """The survey's results, or None (nothing to show) when fewer than `minimum` have
    answered (for a department: fewer than `minimum` from that department, or a department
    `departments_with_results` holds back). Per survey question the count per option and
    the number of answers; the comments, sorted; the participants and the turnout
    (participants / people employed on the closing day, or on `day` when that is earlier).
    At most six statements, whatever the number of answers."""
    if department_id is None:
        responses = response_count(session=session, survey=survey)
        if responses < _minimum(minimum):
            return None
    else:
        shown = _departments_shown(session, survey, minimum)
        if department_id not in shown:
            return None
        responses = shown[department_id]
    barometer = barometer_of(survey)
    in_scope: list[Any] = [SurveyResponse.survey_id == survey.id]
    if department_id is not None:
        in_scope.append(SurveyResponse.department_id == department_id)
    counts: dict[tuple[str, str], int] = {
        (q, o): int(n)
        for q, o, n in session.exec(
            select(SurveyAnswer.question_id, SurveyAnswer.option, func.count())
            .join(SurveyResponse, col(SurveyResponse.id) == SurveyAnswer.response_id)
            .where(*in_scope)
            .group_by(col(SurveyAnswer.question_id), col(SurveyAnswer.option))
        ).all()
    }
    questions = []
    for q in survey_questions(barometer):
        scale = barometer.scale_of(q)
        answered = sum(counts.get((q.id, o), 0) for o in scale.ids)
        chosen = [(o, counts.get((q.id, o.id), 0)) for o in scale.options]
        options = tuple(OptionCount(o, n, percent(n, answered)) for o, n in chosen)
        questions.append(QuestionResult(q, options, answered, counts.get((q.id, NO_ANSWER), 0)))
    texts: dict[str, list[str]] = {}
    for question_id, text in session.exec(
        select(SurveyComment.question_id, SurveyComment.text)
        .join(SurveyResponse, col(SurveyResponse.id) == SurveyComment.response_id)
        .where(*in_scope, SurveyComment.text != "")
    ).all():
        texts.setdefault(question_id, []).append(text)
    comments = tuple(
        CommentGroup(f, tuple(sorted(texts.get(f.id, []), key=lambda t: (t.casefold(), t))))
        for f in barometer.free_text
    )
    ref = reference_day(survey, day)
    participants = (
        participant_count(session=session, survey=survey) if department_id is None else responses
    )
    return SurveyResults(
        responses=responses,
        participants=participants,
        employed=_employed(session, ref, department_id),
        questions=tuple(questions),
        comments=comments,
    )


def _departments_shown(session: Session, survey: Survey, minimum: int) -> dict[int, int]:
    """The departments whose results may be shown, with their number of answers: those with
    at least `minimum` answers — except that the answers outside every department shown
    must not be fewer than `minimum` either (but may be none), as the company's figures
    minus the departments' would show them. When they are, the smallest department is held
    back, which puts its answers with them."""
    floor = _minimum(minimum)
    counts: dict[int | None, int] = {
        d: int(n)
        for d, n in session.exec(
            select(SurveyResponse.department_id, func.count())
            .where(SurveyResponse.survey_id == survey.id)
            .group_by(col(SurveyResponse.department_id))
        ).all()
    }
    shown = {d: n for d, n in counts.items() if d is not None and n >= floor}
    rest = sum(counts.values()) - sum(shown.values())
    if shown and 0 < rest < floor:
        del shown[min(shown, key=lambda d: (shown[d], d))]
    return shown


def departments_with_results(
    *, session: Session, survey: Survey, minimum: int
) -> list[tuple[int, str]]:
    """The departments whose results may be shown (see `_departments_shown`), as (id, name)
    by name."""
    shown = _departments_shown(session, survey, minimum)
    if not shown:
        return []
    return [
        (dept_id, name)
        for dept_id, name in session.exec(
            select(col(Department.id), col(Department.name))
            .where(col(Department.id).in_(sorted(shown)))
            .order_by(Department.name)
        ).all()
        if dept_id is not None
    ]


# --- the coordinator's pages -----------------------------------------------------------


def survey_status(survey: Survey, day: date) -> str:
    """planned | open | closed"""
    if day < survey.opens_on:
        return "planned"
    return "open" if day <= survey.closes_on else "closed"


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    status: str
    participants: int
    employed: int

    @property
    def turnout(self) -> int:
        return percent(self.participants, self.employed)


def list_surveys(*, session: Session, day: date) -> list[SurveyRow]:
    """Every survey, newest first, with its participants and turnout. Three statements."""
    surveys = list(
        session.exec(
            select(Survey).order_by(col(Survey.opens_on).desc(), col(Survey.id).desc())
        ).all()
    )
    if not surveys:
        return []
    participants = dict(
        session.exec(
            select(SurveyParticipation.survey_id, func.count()).group_by(
                col(SurveyParticipation.survey_id)
            )
        ).all()
    )
    ref = sa.case(
        (col(Survey.closes_on) < day, col(Survey.closes_on)), else_=sa.literal(day, sa.Date)
    )
    employed_then = sa.and_(
        col(Person.employed_from) <= ref,
        sa.or_(col(Person.employed_to).is_(None), col(Person.employed_to) >= ref),
    )
    employed = dict(
        session.exec(
            select(Survey.id, func.count(col(Person.id)))
            .select_from(Survey)
            .outerjoin(Person, employed_then)
            .group_by(col(Survey.id))
        ).all()
    )
    return [
        SurveyRow(
            s, survey_status(s, day), int(participants.get(s.id, 0)), int(employed.get(s.id, 0))
        )
        for s in surveys
    ]


@dataclass
class SurveyPage:
    """What the coordinator's page of one survey shows."""

    survey: Survey
    status: str
    participants: int
    employed: int
    minimum: int
    results: SurveyResults | None = None
    # Why no results are shown: "open" (they appear when the survey has closed) or
    # "too_few" (fewer than the minimum have answered, in the company or the department).
    waiting: str | None = None
    departments: list[tuple[int, str]] = field(default_factory=list)
    department_id: int | None = None
    department_refused: bool = False  # a department was asked for that may not be shown

    @property
    def turnout(self) -> int:
        return percent(self.participants, self.employed)


def survey_page(
    *,
    session: Session,
    survey: Survey,
    minimum: int,
    day: date,
    department_id: int | None = None,
) -> SurveyPage:
    floor = _minimum(minimum)
    page = SurveyPage(
        survey=survey,
        status=survey_status(survey, day),
        participants=participant_count(session=session, survey=survey),
        employed=_employed(session, reference_day(survey, day)),
        minimum=floor,
    )
    if page.status != "closed":
        page.waiting = "open"
        return page
    page.departments = departments_with_results(session=session, survey=survey, minimum=floor)
    if department_id is not None:
        if department_id in {d for d, _name in page.departments}:
            page.department_id = department_id
        else:
            page.department_refused = True
    page.results = results(
        session=session, survey=survey, minimum=floor, day=day, department_id=page.department_id
    )
    if page.results is None:
        page.waiting = "too_few"
    return page


def turnout_on(*, session: Session, day: date) -> tuple[int, int] | None:
    """For the barometer: (answered, asked) of the latest survey that has opened by `day`
    — asked being the people employed on its closing day, or on `day` while it is open —
    or None when no survey has opened yet."""
    survey = session.exec(
        select(Survey)
        .where(col(Survey.opens_on) <= day)
        .order_by(col(Survey.opens_on).desc(), col(Survey.id).desc())
    ).first()
    if survey is None:
        return None
    return (
        participant_count(session=session, survey=survey),
        _employed(session, reference_day(survey, day)),
    )
