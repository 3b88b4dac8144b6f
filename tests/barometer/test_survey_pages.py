"""The pulse survey's pages over HTTP (both databases): an employee answers /survey once,
a form with a missing answer comes back with what was chosen, the coordinator opens
surveys and sees results from the minimum up, and who may open which page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from hms_tracker.barometer import survey as service
from hms_tracker.barometer.models import Survey, SurveyParticipation, SurveyResponse
from hms_tracker.barometer.survey_forms import SurveyForm
from hms_tracker.web.dates import today
from tests.factories import make_department, make_person, make_user
from tests.login import login_as
from tests.routines.helpers import principal_for


def open_survey(
    session: Session, *, opens_on: date | None = None, days: int = 14, title: str = "Våren"
) -> Survey:
    start = opens_on or today()
    admin = principal_for(session, make_user(session, is_admin=True), start)
    data = SurveyForm(title=title, opens_on=start, closes_on=start + timedelta(days=days - 1))
    survey = service.open_survey(session=session, actor=admin, data=data)
    session.commit()
    return survey


def form_data(survey: Survey, index: int = 0, **overrides: str) -> dict[str, Any]:
    barometer = service.barometer_of(survey)
    data: dict[str, Any] = {"survey_id": str(survey.id)}
    for q in service.survey_questions(barometer):
        ids = barometer.scale_of(q).ids
        data[service.answer_field(q.id)] = ids[index % len(ids)]
    data[service.comment_field("works_well")] = "Vi rydder sammen hver fredag."
    data[service.comment_field("improve")] = ""
    data.update(overrides)
    return data


def test_an_employee_answers_the_open_survey_once(client, session):
    survey = open_survey(session)
    login_as(client, session, make_user(session))
    page = client.get("/survey")
    assert page.status_code == 200
    assert "Hvor ofte følges HMS-rutinene i virksomheten?" in page.text
    assert "Hva fungerer godt i HMS-arbeidet hos oss?" in page.text
    assert "Vil ikke svare / vet ikke" in page.text and "Send svaret" in page.text
    assert f'name="survey_id" value="{survey.id}"' in page.text

    answered = client.submit("/survey", form_data(survey), token_page="/survey")
    assert answered.status_code == 303 and answered.headers["location"] == "/survey"
    page = client.get("/survey")
    assert "Takk for at du svarte!" in page.text
    assert "Du har svart på denne undersøkelsen." in page.text and "Send svaret" not in page.text
    assert len(session.exec(select(SurveyResponse)).all()) == 1

    again = client.submit("/survey", form_data(survey, 1), token_page="/")
    assert again.status_code == 303
    assert "allerede svart" in client.get("/survey").text
    assert len(session.exec(select(SurveyResponse)).all()) == 1
    assert len(session.exec(select(SurveyParticipation)).all()) == 1


def test_a_missing_answer_brings_the_form_back_with_what_was_chosen(client, session):
    survey = open_survey(session)
    login_as(client, session, make_user(session))
    barometer = service.barometer_of(survey)
    first, second, *_rest = service.survey_questions(barometer)
    data = form_data(survey)
    del data[service.answer_field(first.id)]
    chosen = barometer.scale_of(second).ids[-1]
    data[service.answer_field(second.id)] = chosen
    data[service.comment_field("improve")] = "Mer opplæring"
    page = client.submit("/survey", data, token_page="/survey")
    assert page.status_code == 422
    assert "Velg et svar, eller «Vil ikke svare»." in page.text
    assert f'href="#field-{service.answer_field(first.id)}"' in page.text
    assert f'value="{chosen}" checked' in page.text
    assert "Mer opplæring</textarea>" in page.text
    assert session.exec(select(SurveyResponse)).all() == []


def test_no_survey_open_and_a_survey_that_closed_meanwhile(client, session):
    login_as(client, session, make_user(session))
    page = client.get("/survey")
    assert page.status_code == 200 and "Ingen pulsundersøkelse er åpen nå." in page.text
    earlier = open_survey(session, opens_on=today() - timedelta(days=30), days=5)
    stale = client.submit("/survey", form_data(earlier), token_page="/survey")
    assert stale.status_code == 409 and "ikke åpen lenger" in stale.text
    assert session.exec(select(SurveyResponse)).all() == []


def test_the_coordinator_lists_and_opens_surveys(client, session):
    open_survey(session, title="Høsten")
    login_as(client, session, make_user(session, is_admin=True))
    page = client.get("/barometer/surveys")
    assert page.status_code == 200
    assert "Høsten" in page.text and "Åpne en ny undersøkelse" in page.text
    data = {
        "title": "Neste runde",
        "opens_on": (today() + timedelta(days=30)).isoformat(),
        "closes_on": (today() + timedelta(days=44)).isoformat(),
        "barometer_year": "",
    }
    created = client.submit("/barometer/surveys", data, token_page="/barometer/surveys")
    assert created.status_code == 303
    survey = session.exec(select(Survey).where(Survey.title == "Neste runde")).one()
    assert created.headers["location"] == f"/barometer/surveys/{survey.id}"
    overlapping = client.submit(
        "/barometer/surveys", {**data, "title": "Dobbel"}, token_page="/barometer/surveys"
    )
    assert overlapping.status_code == 422
    assert "Bare én undersøkelse kan være åpen om gangen" in overlapping.text
    assert 'value="Dobbel"' in overlapping.text
    detail = client.get(f"/barometer/surveys/{survey.id}")
    assert detail.status_code == 200 and "Resultatene vises når undersøkelsen er avsluttet" in (
        detail.text
    )


def test_employees_may_not_see_the_surveys_or_their_results(client, session):
    survey = open_survey(session)
    login_as(client, session, make_user(session))
    assert client.get("/barometer/surveys").status_code == 403
    assert client.get(f"/barometer/surveys/{survey.id}").status_code == 403
    refused = client.submit(
        "/barometer/surveys",
        {"title": "x", "opens_on": "2030-01-01", "closes_on": "2030-01-02"},
        token_page="/survey",
    )
    assert refused.status_code == 403


def test_an_unknown_survey_is_not_found(client, session):
    login_as(client, session, make_user(session, is_admin=True))
    for survey_id in ("999999", "abc", "²", "1" * 40):
        assert client.get(f"/barometer/surveys/{survey_id}").status_code == 404, survey_id


def test_results_of_a_closed_survey_from_five_answers_and_per_department(client, session):
    start = today() - timedelta(days=40)
    survey = open_survey(session, opens_on=start, days=10)
    lager = make_department(session, name="Lager")
    barometer = service.barometer_of(survey)
    worst = {q.id: barometer.scale_of(q).ids[0] for q in service.survey_questions(barometer)}
    for i in range(4):
        person = make_person(session, department=lager, employed_from=date(2020, 1, 1))
        service.answer(
            session=session, survey=survey, person=person,
            answers=worst, comments={"works_well": f"Kommentar {i}"}, day=start,
        )  # fmt: skip
    session.commit()
    login_as(client, session, make_user(session, is_admin=True))
    page = client.get(f"/barometer/surveys/{survey.id}")
    assert page.status_code == 200
    assert "Resultatene vises når minst 5 har svart." in page.text
    assert "Kommentar 0" not in page.text

    person = make_person(session, department=lager, employed_from=date(2020, 1, 1))
    service.answer(
        session=session, survey=survey, person=person,
        answers={q.id: service.NO_ANSWER for q in service.survey_questions(barometer)},
        comments={}, day=start,
    )  # fmt: skip
    session.commit()
    page = client.get(f"/barometer/surveys/{survey.id}")
    assert page.status_code == 200
    assert "Hvor ofte følges HMS-rutinene i virksomheten?" in page.text
    assert "Kommentar 0" in page.text and "Kommentar 3" in page.text
    assert "4 svarte på spørsmålet; 1 valgte «Vil ikke svare / vet ikke»." in page.text
    assert f'<option value="{lager.id}"' in page.text
    in_department = client.get(f"/barometer/surveys/{survey.id}", params={"department": lager.id})
    assert in_department.status_code == 200
    assert "Resultater for avdelingen" in in_department.text
    other = make_department(session, name="Kontor")
    session.commit()
    held_back = client.get(f"/barometer/surveys/{survey.id}", params={"department": other.id})
    assert held_back.status_code == 200 and "For få fra denne avdelingen" in held_back.text


def test_odd_input_in_the_survey_form_is_refused_never_a_server_error(client, session):
    survey = open_survey(session)
    login_as(client, session, make_user(session))
    base = form_data(survey)
    # The fields that must refuse odd values first: a comment "²" is text, and stores.
    for name in sorted([*base, "unknown"], key=lambda n: n.startswith(("comment_", "unknown"))):
        for value in ("²", "1" * 40, "\x00", ["1", "²"]):
            response = client.submit("/survey", {**base, name: value}, token_page="/survey")
            assert response.status_code < 500, (name, value, response.status_code)
            if name.startswith("answer_") or name == "survey_id" or isinstance(value, list):
                assert 400 <= response.status_code < 500, (name, value, response.status_code)
    assert len(session.exec(select(SurveyResponse)).all()) == 1
