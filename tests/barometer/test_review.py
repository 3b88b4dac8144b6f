"""The yearly review (both databases): the coordinator's own answers, the snapshot that
freezes the three answers once a year, and the database refusing to change a snapshot."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hms_tracker.barometer.models import BarometerAssessment, BarometerSnapshot
from hms_tracker.web.dates import today
from tests.factories import make_user
from tests.login import login_admin, login_as


def _assess(client, question_id: str, answer: str, comment: str = "", version: str = ""):
    return client.post(
        "/barometer/assessments",
        data={
            "csrf_token": client.token("/barometer"), "question_id": question_id,
            "answer": answer, "comment": comment, "version": version, "on": "",
        },
        follow_redirects=False,
    )  # fmt: skip


def test_the_coordinator_answers_a_question_on_its_own_scale(client, session):
    login_admin(client, session)
    saved = _assess(client, "safety_rep_work", "good", "Aktive verneombud.")
    assert saved.status_code == 303 and saved.headers["location"].endswith("#q-safety_rep_work")
    row = session.exec(select(BarometerAssessment)).one()
    assert (row.year, row.question_id, row.answer, row.comment) == (
        today().year, "safety_rep_work", "good", "Aktive verneombud.",
    )  # fmt: skip
    page = client.get("/barometer").text
    assert "Aktive verneombud." in page and "Vurderingen er lagret." in page

    # Saved again over the version the form showed; an older version is a conflict.
    assert (
        _assess(client, "safety_rep_work", "very_good", version=str(row.version)).status_code == 303
    )
    stale = _assess(client, "safety_rep_work", "fair", version=str(row.version))
    assert stale.status_code == 409
    session.expire_all()
    assert session.exec(select(BarometerAssessment)).one().answer == "very_good"


def test_an_answer_off_the_scale_comes_back_with_a_message_and_what_was_typed(client, session):
    login_admin(client, session)
    refused = _assess(client, "safety_rep_work", "excellent", "Min kommentar")
    assert refused.status_code == 422
    assert "Velg et av svarene på skalaen." in refused.text
    assert "Min kommentar" in refused.text
    assert session.exec(select(BarometerAssessment)).first() is None
    assert _assess(client, "no_such_question", "good").status_code == 422


def test_the_snapshot_freezes_the_year_once_and_the_database_refuses_to_change_it(
    client, session, engine
):
    login_admin(client, session)
    _assess(client, "hms_work_quality", "fair", "Mye å gjøre.")
    taken = client.post(
        "/barometer/snapshots", data={"csrf_token": client.token("/barometer")},
        follow_redirects=False,
    )  # fmt: skip
    year = today().year
    assert taken.status_code == 303 and taken.headers["location"] == f"/barometer/{year}"
    page = client.get(f"/barometer/{year}")
    assert page.status_code == 200 and "Mye å gjøre." in page.text
    snapshot = session.exec(select(BarometerSnapshot)).one()
    content = json.loads(snapshot.content)
    question = next(q for q in content["questions"] if q["id"] == "hms_work_quality")
    assert question["assessment"] == {"answer": "fair", "comment": "Mye å gjøre."}
    assert question["records"]["answer"] in {o["id"] for o in question["scale"]}
    # What to do next, as it stood, in both languages (no survey held yet here).
    (step,) = [s for s in content["steps"] if s["url"] == "/barometer/surveys"]
    assert step["text"]["nb"].startswith("Ingen pulsundersøkelse er gjennomført")
    assert step["text"]["en"].startswith("No pulse survey has been held")
    assert "Ingen pulsundersøkelse er gjennomført" in page.text

    again = client.post(
        "/barometer/snapshots", data={"csrf_token": client.token("/barometer")},
        follow_redirects=True,
    )  # fmt: skip
    assert "allerede tatt" in again.text
    assert len(session.exec(select(BarometerSnapshot)).all()) == 1
    # The year's answers are locked too.
    locked = _assess(client, "hms_work_quality", "good")
    assert locked.status_code == 303
    session.expire_all()
    assert session.exec(select(BarometerAssessment)).one().answer == "fair"

    for statement in (
        "UPDATE barometer_snapshot SET content = '{}'",
        "DELETE FROM barometer_snapshot",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="never changed"), engine.begin() as conn:
            conn.execute(sa.text(statement))
    session.expire_all()
    assert session.exec(select(BarometerSnapshot)).one().content == snapshot.content


def test_who_may_do_what(client, session):
    login_as(client, session, make_user(session))
    token = client.token("/")
    assert client.post("/barometer/snapshots", data={"csrf_token": token}).status_code == 403
    assert client.get(f"/barometer/{today().year}").status_code == 403
    login_admin(client, session)
    assert client.get("/barometer/1999").status_code == 404
    assert client.get(f"/barometer/{today().year}").status_code == 404  # none taken yet
    assert client.get("/barometer/surveys").status_code == 200  # not a year


def test_the_page_shows_earlier_reviews_over_time_in_a_chart_and_a_table(client, session):
    login_admin(client, session)
    _assess(client, "hms_work_quality", "fair")
    client.post("/barometer/snapshots", data={"csrf_token": client.token("/barometer")})
    page = client.get("/barometer").text
    year = today().year
    assert "Svarene fra registrene over tid" in page
    assert '<svg class="barometer-chart"' in page and 'role="img"' in page
    assert f'<th scope="col">{year}</th>' in page  # the table beside the chart
    assert "(Verken god eller dårlig)" in page  # the coordinator's answer of that year


def test_the_chart_puts_each_answer_on_its_scale():
    from hms_tracker.barometer.chart import LEFT, RIGHT, WIDTH, answers_chart
    from hms_tracker.barometer.measures import Measure
    from hms_tracker.barometer.questions import barometer_for
    from hms_tracker.barometer.review import PastAnswer
    from hms_tracker.barometer.service import Answers, RecordsAnswer

    barometer = barometer_for(2025)
    question = barometer.question("hms_work_quality")
    assert question is not None
    scale = barometer.scale_of(question)
    best = next(b for b in question.records.bands if b.answer == "very_good")
    answers = Answers(
        barometer, today(),
        (RecordsAnswer(question, scale, Measure("legal_gaps", 0.0), (), best),),
    )  # fmt: skip
    past = {
        "hms_work_quality": [PastAnswer(2024, "very_poor", None), PastAnswer(2025, "fair", "good")]
    }
    chart = answers_chart(answers, past)
    by_label = {d.label: d.x for d in chart.dots}
    assert by_label["2024"] == LEFT  # the worst answer at the left end
    assert by_label[""] == WIDTH - RIGHT  # today's, the best, at the right end
    assert by_label["2025"] == LEFT + (WIDTH - LEFT - RIGHT) / 2  # "fair": the middle of five
