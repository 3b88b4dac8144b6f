"""The yearly review's decisions (both databases): HMS goals with how they are measured,
a followed figure against its target, how a goal went; strengths and improvements, each
improvement with an owner and a deadline until it is done; bad input kept and explained."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from hms_tracker.barometer.models import BarometerGoal, BarometerPoint
from hms_tracker.web.dates import today
from tests.factories import make_department, make_user
from tests.login import login_admin, login_as


def _post(client, url: str, **fields):
    return client.post(
        url, data={"csrf_token": client.token("/barometer"), **fields}, follow_redirects=False
    )


def test_a_goal_with_a_followed_figure_shows_where_it_stands_and_how_it_went(client, session):
    login_admin(client, session)
    # No goal yet: § 5 nr. 4 is a gap; read again straight after the goal is added, the
    # checklist (kept under the data version) has it.
    assert "Ingen HMS-mål er satt for i år." in client.get("/barometer").text
    year = str(today().year)
    added = _post(
        client, "/barometer/goals", year=year, text="Alle rutiner lest",
        measured_by="Andel lest og bekreftet", measure_id="acknowledgement_coverage",
        target="90",
    )  # fmt: skip
    assert added.status_code == 303
    goal = session.exec(select(BarometerGoal)).one()
    assert goal.target == 0.9  # typed as per cent, kept as a share
    page = client.get("/barometer").text
    assert "Alle rutiner lest" in page and "måles ved: Andel lest og bekreftet" in page
    assert "mål 90 %" in page
    assert "1 mål er satt for i år." in page and "Ingen HMS-mål er satt for i år." not in page
    done = _post(
        client, f"/barometer/goals/{goal.id}/outcome", outcome="partly",
        outcome_note="Lageret mangler", version=str(goal.version),
    )  # fmt: skip
    assert done.status_code == 303
    session.expire_all()
    assert session.exec(select(BarometerGoal)).one().outcome == "partly"
    assert "Delvis nådd" in client.get("/barometer").text


def test_a_goal_without_how_it_is_measured_comes_back_with_what_was_typed(client, session):
    login_admin(client, session)
    refused = _post(
        client, "/barometer/goals", year=str(today().year), text="Færre skader",
        measured_by="", measure_id="legal_gaps", target="",
    )  # fmt: skip
    assert refused.status_code == 422
    assert "Skriv noe her." in refused.text
    assert "Et tall å følge og et mål hører sammen" in refused.text
    assert 'value="Færre skader"' in refused.text
    assert session.exec(select(BarometerGoal)).first() is None
    wrong_year = _post(client, "/barometer/goals", year="1999", text="x", measured_by="y")
    assert wrong_year.status_code == 422 and "Velg et av årene" in wrong_year.text


def test_an_improvement_has_an_owner_and_a_deadline_until_it_is_done(client, session):
    department = make_department(session, name="Lager")
    owner = make_user(session, department=department)
    login_admin(client, session, department=department)
    deadline = (today() + timedelta(days=60)).isoformat()
    missing = _post(client, "/barometer/points", kind="improvement", area="routines", text="")
    assert missing.status_code == 422
    assert "Velg hvem som har ansvaret" in missing.text and "Skriv fristen" in missing.text
    added = _post(
        client, "/barometer/points", kind="improvement", area="routines", text="",
        owner_person_id=str(owner.person_id), deadline=deadline,
    )  # fmt: skip
    assert added.status_code == 303
    point = session.exec(select(BarometerPoint)).one()
    assert point.text == "Rutiner som er kjent og blir fulgt"  # the area's own words
    assert (point.owner_person_id, point.deadline.isoformat()) == (owner.person_id, deadline)
    assert (
        _post(client, "/barometer/points", kind="strength", text="Gode vernerunder").status_code
        == 303
    )
    page = client.get("/barometer").text
    assert "Gode vernerunder" in page and "Rutiner som er kjent og blir fulgt" in page
    done = _post(
        client, f"/barometer/points/{point.id}/done", done_note="Gjennomgått på allmøte",
        version=str(point.version),
    )  # fmt: skip
    assert done.status_code == 303
    session.expire_all()
    assert session.get(BarometerPoint, point.id).done_on == today()
    again = _post(
        client, f"/barometer/points/{point.id}/done", done_note="igjen",
        version=str(point.version + 1),
    )  # fmt: skip
    assert again.status_code == 422


def test_an_employee_may_not_set_goals_and_unknown_ids_are_404(client, session):
    login_as(client, session, make_user(session))
    token = client.token("/")
    assert client.post("/barometer/goals", data={"csrf_token": token}).status_code == 403
    login_admin(client, session)
    assert _post(client, "/barometer/goals/999999/outcome", outcome="met").status_code == 404
    assert _post(client, "/barometer/points/999999/done", done_note="x").status_code == 404
