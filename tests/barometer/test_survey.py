"""The pulse survey's service on both databases: opening a survey, answering once while
employed and while it is open, the anonymity of what is stored (read back with plain SQL),
the minimum number of answers before results are shown, and two simultaneous answers by
one person."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session, select

from hms_tracker.barometer import survey as service
from hms_tracker.barometer.models import Survey, SurveyParticipation, SurveyResponse
from hms_tracker.barometer.questions import Barometer, barometers
from hms_tracker.barometer.survey_forms import SurveyForm
from hms_tracker.config import Settings
from hms_tracker.db import writing_engine
from hms_tracker.errors import Forbidden, InvalidInput, TransitionRefused
from hms_tracker.organisation.models import Department, Person
from tests.factories import make_department, make_person, make_user
from tests.routines.helpers import principal_for

DAY = date(2026, 3, 10)
ANSWER_TABLES = ("survey_response", "survey_answer", "survey_comment")


def coordinator(session: Session) -> Any:
    return principal_for(session, make_user(session, is_admin=True), DAY)


def open_one(
    session: Session,
    actor: Any,
    *,
    opens_on: date = DAY,
    days: int = 14,
    title: str = "Pulsundersøkelse våren 2026",
    today: date | None = None,
) -> Survey:
    data = SurveyForm(title=title, opens_on=opens_on, closes_on=opens_on + timedelta(days=days - 1))
    return service.open_survey(session=session, actor=actor, data=data, today=today)


def answers_for(barometer: Barometer, index: int) -> dict[str, str]:
    """Option `index` (modulo the scale) of every survey question: distinct per index."""
    return {
        q.id: barometer.scale_of(q).ids[index % len(barometer.scale_of(q).ids)]
        for q in service.survey_questions(barometer)
    }


def answer_as(
    session: Session,
    survey: Survey,
    person: Person,
    index: int = 0,
    *,
    comments: dict[str, str] | None = None,
    day: date = DAY,
) -> None:
    service.answer(
        session=session,
        survey=survey,
        person=person,
        answers=answers_for(service.barometer_of(survey), index),
        comments=comments if comments is not None else {"works_well": f"Svar nummer {index}"},
        day=day,
    )


# --- opening a survey ------------------------------------------------------------------


def test_the_coordinator_opens_a_survey_of_the_newest_barometer(session):
    survey = open_one(session, coordinator(session))
    assert survey.barometer_year == barometers()[0].year
    assert (survey.opens_on, survey.closes_on) == (DAY, DAY + timedelta(days=13))
    assert service.current_survey(session=session, day=DAY) == survey
    assert service.current_survey(session=session, day=survey.closes_on) == survey
    assert service.current_survey(session=session, day=DAY - timedelta(days=1)) is None
    assert service.current_survey(session=session, day=survey.closes_on + timedelta(1)) is None


def test_periods_may_not_overlap_so_one_survey_is_open_at_a_time(session):
    actor = coordinator(session)
    first = open_one(session, actor)
    with pytest.raises(InvalidInput) as refused:
        open_one(session, actor, opens_on=first.closes_on, title="Overlapper")
    assert "Bare én undersøkelse kan være åpen om gangen" in refused.value.errors["opens_on"]
    assert "Pulsundersøkelse våren 2026" in refused.value.errors["opens_on"]
    after = open_one(session, actor, opens_on=first.closes_on + timedelta(days=1), title="Neste")
    assert service.current_survey(session=session, day=after.opens_on) == after


def test_a_survey_must_end_after_it_starts_and_only_the_coordinator_opens_one(session):
    actor = coordinator(session)
    data = SurveyForm(title="Baklengs", opens_on=DAY, closes_on=DAY - timedelta(days=1))
    with pytest.raises(InvalidInput) as refused:
        service.open_survey(session=session, actor=actor, data=data)
    assert "closes_on" in refused.value.errors
    with pytest.raises(InvalidInput):
        open_one(session, actor, opens_on=DAY - timedelta(days=30), today=DAY)
    with pytest.raises(InvalidInput) as unknown:
        data = SurveyForm(title="Ukjent år", opens_on=DAY, closes_on=DAY, barometer_year=2001)
        service.open_survey(session=session, actor=actor, data=data)
    assert "barometer_year" in unknown.value.errors
    employee = principal_for(session, make_user(session), DAY)
    with pytest.raises(Forbidden):
        open_one(session, employee)
    assert session.exec(select(Survey)).all() == []


# --- answering -------------------------------------------------------------------------


def test_an_employee_answers_once_and_a_second_answer_is_refused(session):
    survey = open_one(session, coordinator(session))
    kari = make_person(session, name="Kari")
    assert not service.has_answered(session=session, survey=survey, person_id=kari.id)
    answer_as(session, survey, kari, 1)
    assert service.has_answered(session=session, survey=survey, person_id=kari.id)
    with pytest.raises(service.AlreadyAnswered) as refused:
        answer_as(session, survey, kari, 2)
    assert "allerede svart" in refused.value.message
    assert len(session.exec(select(SurveyResponse)).all()) == 1
    assert len(session.exec(select(SurveyParticipation)).all()) == 1


def test_answers_are_refused_before_and_after_the_period(session):
    survey = open_one(session, coordinator(session))
    kari = make_person(session)
    for day in (survey.opens_on - timedelta(days=1), survey.closes_on + timedelta(days=1)):
        with pytest.raises(TransitionRefused, match="ikke åpen"):
            answer_as(session, survey, kari, day=day)
    answer_as(session, survey, kari, day=survey.closes_on)  # the last day counts
    assert service.has_answered(session=session, survey=survey, person_id=kari.id)


def test_only_people_employed_on_the_day_answer(session):
    survey = open_one(session, coordinator(session))
    left = make_person(session, employed_from=date(2020, 1, 1), employed_to=DAY - timedelta(1))
    starts_later = make_person(session, employed_from=DAY + timedelta(days=1))
    for person in (left, starts_later):
        with pytest.raises(TransitionRefused, match="ansatt"):
            answer_as(session, survey, person)
        assert not service.has_answered(session=session, survey=survey, person_id=person.id)
    assert session.exec(select(SurveyResponse)).all() == []


def test_every_survey_question_needs_an_option_or_no_answer(session):
    survey = open_one(session, coordinator(session))
    barometer = service.barometer_of(survey)
    first, second, *rest = service.survey_questions(barometer)
    kari = make_person(session)
    answers = answers_for(barometer, 0)
    del answers[first.id]
    answers[second.id] = "²"
    with pytest.raises(InvalidInput) as refused:
        service.answer(
            session=session, survey=survey, person=kari, answers=answers,
            comments={"works_well": "x" * (service.MAX_COMMENT_LENGTH + 1), "improve": "a\x00b"},
            day=DAY,
        )  # fmt: skip
    errors = refused.value.errors
    assert errors[service.answer_field(first.id)] == "Velg et svar, eller «Vil ikke svare»."
    assert errors[service.answer_field(second.id)] == "Velg et av alternativene."
    assert "for lang" in errors[service.comment_field("works_well")]
    assert "ugyldige tegn" in errors[service.comment_field("improve")]
    assert not service.has_answered(session=session, survey=survey, person_id=kari.id)
    # "Vil ikke svare" is an answer; comments may be left empty.
    answers = {q.id: service.NO_ANSWER for q in service.survey_questions(barometer)}
    service.answer(session=session, survey=survey, person=kari, answers=answers, comments={},
                   day=DAY)  # fmt: skip
    assert service.has_answered(session=session, survey=survey, person_id=kari.id)


# --- anonymity, read back with plain SQL -----------------------------------------------


def _columns(session: Session, table: str) -> dict[str, Any]:
    return {c["name"]: c["type"] for c in sa.inspect(session.connection()).get_columns(table)}


def _rows(session: Session, sql: str) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in session.execute(sa.text(sql))]


def test_what_is_stored_cannot_link_an_answer_to_a_person(session):
    survey = open_one(session, coordinator(session))
    department = make_department(session, name="Lager")
    people = [make_person(session, name=f"Ansatt {i}", department=department) for i in range(3)]
    for index, person in enumerate(people):
        answer_as(session, survey, person, index)
    session.commit()

    participation = _columns(session, "survey_participation")
    assert set(participation) == {"survey_id", "person_id"}
    for table in ANSWER_TABLES:
        columns = _columns(session, table)
        assert set(columns) & set(participation) <= {"survey_id"}, table
        assert not any("person" in name or "user" in name for name in columns), table
        assert not any(isinstance(t, (sa.DateTime, sa.Date, sa.Time)) for t in columns.values())
        assert not any(name.endswith(("_at", "_on", "time")) for name in columns), table
    for table in ("survey_participation", *ANSWER_TABLES):
        rows = _rows(session, f"SELECT * FROM {table}")  # the database's own order
        names = list(_columns(session, table))
        ordered = _rows(session, f"SELECT * FROM {table} ORDER BY {', '.join(names)}")
        per_response = {"survey_answer": 6, "survey_comment": 2}.get(table, 1)
        assert len(rows) == len(ordered) == 3 * per_response
    responses = _rows(session, "SELECT * FROM survey_response")
    assert all(len(r["id"]) == 32 and not r["id"].isdigit() for r in responses)
    person_ids = {p.id for p in people}
    for table in ANSWER_TABLES:
        for row in _rows(session, f"SELECT * FROM {table}"):
            assert not set(row.values()) & {str(i) for i in person_ids}
    # The answers are all there, each once: three distinct responses.
    by_response: dict[str, dict[str, str]] = {}
    for row in _rows(session, "SELECT response_id, question_id, option FROM survey_answer"):
        by_response.setdefault(row["response_id"], {})[row["question_id"]] = row["option"]
    barometer = service.barometer_of(survey)
    assert sorted(map(sorted, (a.items() for a in by_response.values()))) == sorted(
        sorted(answers_for(barometer, i).items()) for i in range(3)
    )
    if session.get_bind().dialect.name == "sqlite":
        for table in ("survey_participation", *ANSWER_TABLES):
            with pytest.raises(sa.exc.OperationalError, match="rowid"):
                session.execute(sa.text(f"SELECT rowid FROM {table}"))
            session.rollback()


def _respondent_of(row: dict[str, Any], table: str, departments: dict[int, int]) -> int:
    """Which of the test's respondents a row's content comes from (each has a department
    and an option index of their own)."""
    if table == "survey_response":
        return departments[row["department_id"]]
    if table == "survey_comment":
        return int(row["text"].rsplit(" ", 1)[1])
    return int(row["option_index"])


def test_the_order_of_the_stored_answers_does_not_follow_the_order_of_answering(session):
    """Three people answer each of many surveys, in a different order each time; in no
    order the database gives the rows (its own, or sorted by any column) is the last row
    always the last respondent's (nor the first row always the first respondent's). On
    PostgreSQL, without the swap the last row written would be the last respondent's every
    time; on SQLite, a rowid table would give them in the order written."""
    actor = coordinator(session)
    departments = [make_department(session, name=f"Avdeling {i}") for i in range(3)]
    people = [make_person(session, name=f"Ansatt {i}", department=departments[i]) for i in range(3)]
    department_of = {d.id: i for i, d in enumerate(departments)}
    shuffle = random.Random(20261204)
    surveys = 20
    last_respondent: dict[int, int] = {}
    first_respondent: dict[int, int] = {}
    for k in range(surveys):
        start = DAY + timedelta(days=10 * k)
        survey = open_one(session, actor, opens_on=start, days=5, title=f"Undersøkelse {k}")
        order = [0, 1, 2]
        shuffle.shuffle(order)
        for i in order:  # person i always gives answers number i
            answer_as(session, survey, people[i], i, day=start)
        first_respondent[survey.id], last_respondent[survey.id] = order[0], order[-1]  # type: ignore[index]
    session.commit()

    survey_of: dict[str, int] = dict(
        session.execute(sa.text("SELECT id, survey_id FROM survey_response")).all()
    )
    barometer = barometers()[0]
    first_question = service.survey_questions(barometer)[0]
    index_of = {o: n for n, o in enumerate(barometer.scale_of(first_question).ids)}
    queries = {
        "survey_response": ("SELECT * FROM survey_response", ["id", "survey_id", "department_id"]),
        "survey_answer": (
            f"SELECT * FROM survey_answer WHERE question_id = '{first_question.id}'",
            ["id", "response_id", "question_id", "option"],
        ),
        "survey_comment": (
            "SELECT * FROM survey_comment WHERE question_id = 'works_well'",
            ["id", "response_id", "question_id", "text"],
        ),
    }
    for table, (sql, columns) in queries.items():
        for order_by in [None, *columns]:
            rows = _rows(session, sql + (f" ORDER BY {order_by}" if order_by else ""))
            per_survey: dict[int, list[int]] = {}
            for row in rows:
                if "option" in row:
                    row["option_index"] = index_of[row["option"]]
                survey_id = row.get("survey_id") or survey_of[row["response_id"]]
                per_survey.setdefault(survey_id, []).append(
                    _respondent_of(row, table, department_of)
                )
            assert all(len(found) == 3 for found in per_survey.values())
            last_is_last = sum(per_survey[s][-1] == last_respondent[s] for s in per_survey)
            first_is_first = sum(per_survey[s][0] == first_respondent[s] for s in per_survey)
            assert last_is_last < surveys, (table, order_by)
            assert first_is_first < surveys, (table, order_by)


def test_the_swap_keeps_every_response_whole(session):
    """Each stored response is one respondent's: department, options and comment of one
    person, never a mix, however often responses are swapped."""
    survey = open_one(session, coordinator(session))
    departments = [make_department(session, name=f"Avdeling {i}") for i in range(6)]
    for i, department in enumerate(departments):
        answer_as(session, survey, make_person(session, department=department), i)
    session.commit()
    barometer = service.barometer_of(survey)
    expected = {
        d.id: (answers_for(barometer, i), f"Svar nummer {i}") for i, d in enumerate(departments)
    }
    for response_id, department_id in session.execute(
        sa.text("SELECT id, department_id FROM survey_response")
    ).all():
        answers = dict(
            session.execute(
                sa.text("SELECT question_id, option FROM survey_answer WHERE response_id = :r"),
                {"r": response_id},
            ).all()
        )
        comments = dict(
            session.execute(
                sa.text("SELECT question_id, text FROM survey_comment WHERE response_id = :r"),
                {"r": response_id},
            ).all()
        )
        assert (answers, comments["works_well"]) == expected[department_id]
        assert comments["improve"] == ""


# --- results from the minimum up -------------------------------------------------------


def _with_answers(session: Session, count: int, department: Department | None = None) -> Survey:
    survey = open_one(session, coordinator(session))
    for i in range(count):
        answer_as(session, survey, make_person(session, department=department), i)
    return survey


def test_results_appear_from_five_answers(session):
    survey = _with_answers(session, 4)
    after = survey.closes_on + timedelta(days=1)
    assert service.results(session=session, survey=survey, minimum=5, day=after) is None
    # The floor holds whatever the caller asks for.
    assert service.results(session=session, survey=survey, minimum=2, day=after) is None
    answer_as(session, survey, make_person(session), 4, comments={"works_well": "Alle hjelper"})
    found = service.results(session=session, survey=survey, minimum=5, day=after)
    assert found is not None
    assert found.responses == found.participants == 5
    assert found.employed == len(session.exec(select(Person)).all())  # all employed then
    assert found.turnout == round(100 * 5 / found.employed)
    barometer = service.barometer_of(survey)
    first = found.questions[0]
    assert first.question == service.survey_questions(barometer)[0]
    assert [o.option.id for o in first.options] == list(barometer.scale_of(first.question).ids)
    assert first.answered == 5 and first.no_answer == 0
    assert sum(o.count for o in first.options) == 5
    works_well = next(g for g in found.comments if g.free_text.id == "works_well")
    assert list(works_well.texts) == [
        "Alle hjelper", "Svar nummer 0", "Svar nummer 1", "Svar nummer 2", "Svar nummer 3",
    ]  # fmt: skip
    improve = next(g for g in found.comments if g.free_text.id == "improve")
    assert improve.texts == ()


def test_no_answer_is_counted_apart(session):
    survey = _with_answers(session, 4)
    barometer = service.barometer_of(survey)
    service.answer(
        session=session, survey=survey, person=make_person(session),
        answers={q.id: service.NO_ANSWER for q in service.survey_questions(barometer)},
        comments={}, day=DAY,
    )  # fmt: skip
    found = service.results(session=session, survey=survey, minimum=5, day=DAY)
    assert found is not None
    assert all(q.answered == 4 and q.no_answer == 1 for q in found.questions)
    assert all(sum(o.percent for o in q.options) in (99, 100, 101) for q in found.questions)


def test_a_department_shows_results_from_five_answers_of_its_own(session):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    survey = _with_answers(session, 4, lager)
    for i in range(5):
        answer_as(session, survey, make_person(session, department=kontor), i)
    answer_as(session, survey, make_person(session), 0)  # no department
    kwargs: dict[str, Any] = {"session": session, "survey": survey, "minimum": 5}
    assert service.departments_with_results(**kwargs) == [(kontor.id, "Kontor")]
    assert service.results(**kwargs, day=DAY, department_id=lager.id) is None
    kontor_results = service.results(**kwargs, day=DAY, department_id=kontor.id)
    assert kontor_results is not None and kontor_results.responses == 5
    assert kontor_results.participants == kontor_results.employed == 5
    assert kontor_results.turnout == 100
    answer_as(session, survey, make_person(session, department=lager), 4)
    for i in range(4):
        answer_as(session, survey, make_person(session), i)
    assert service.results(**kwargs, day=DAY, department_id=lager.id) is not None
    assert service.departments_with_results(**kwargs) == [
        (kontor.id, "Kontor"), (lager.id, "Lager")
    ]  # fmt: skip


def test_a_department_is_held_back_when_the_rest_could_be_worked_out(session):
    """Company figures minus a department's would show the few answers outside it."""
    lager = make_department(session, name="Lager")
    survey = _with_answers(session, 5, lager)
    for i in range(2):
        answer_as(session, survey, make_person(session), i)  # no department
    assert service.departments_with_results(session=session, survey=survey, minimum=5) == []
    assert service.results(session=session, survey=survey, minimum=5, day=DAY) is not None
    assert (
        service.results(session=session, survey=survey, minimum=5, day=DAY, department_id=lager.id)
        is None
    )
    for i in range(3):
        answer_as(session, survey, make_person(session), i)
    assert service.departments_with_results(session=session, survey=survey, minimum=5) == [
        (lager.id, "Lager")
    ]


def test_the_minimum_setting_is_never_below_five(monkeypatch):
    assert Settings().survey_min_answers == 5
    assert Settings(survey_min_answers=7).survey_min_answers == 7
    with pytest.raises(ValidationError, match="at least 5"):
        Settings(survey_min_answers=4)
    monkeypatch.setenv("HMS_SURVEY_MIN_ANSWERS", "4")
    with pytest.raises(ValidationError, match="at least 5"):
        Settings()


def test_turnout_for_the_barometer(session):
    assert service.turnout_on(session=session, day=DAY) is None
    survey = _with_answers(session, 2)
    make_person(session, employed_from=DAY + timedelta(days=1))  # not employed yet
    everyone = len(session.exec(select(Person)).all())
    assert service.turnout_on(session=session, day=DAY) == (2, everyone - 1)
    later = survey.closes_on + timedelta(days=30)
    assert service.turnout_on(session=session, day=later) == (2, everyone)


# --- two answers at once ---------------------------------------------------------------


def test_two_simultaneous_answers_by_one_person_store_one_response(session, engine):
    survey = open_one(session, coordinator(session))
    kari = make_person(session)
    survey_id, person_id = survey.id, kari.id
    session.commit()
    start = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def submit(index: int) -> None:
        start.wait()
        # A request's session (on SQLite a writing request's transaction begins IMMEDIATE,
        # so there the second one waits for the first before it reads anything).
        with Session(writing_engine(engine), expire_on_commit=False) as own:
            try:
                mine = own.get_one(Survey, survey_id)
                answer_as(own, mine, own.get_one(Person, person_id), index)
                own.commit()
                outcomes.append("stored")
            except service.AlreadyAnswered:
                own.rollback()
                outcomes.append("already answered")
            except Exception as exc:  # reported below
                own.rollback()
                outcomes.append(repr(exc))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an answer hung"
    assert sorted(outcomes) == ["already answered", "stored"]
    session.expire_all()
    assert len(session.exec(select(SurveyResponse)).all()) == 1
    assert len(session.exec(select(SurveyParticipation)).all()) == 1
