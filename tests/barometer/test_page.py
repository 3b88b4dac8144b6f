"""/barometer as people use it (both databases): who may open it, the answers with their
figures and rule, any day, and no names of deviations the reader may not open."""

from __future__ import annotations

from datetime import timedelta

from hms_tracker.appointments.models import Appointment
from hms_tracker.web.dates import today
from tests.factories import make_department, make_person, make_user
from tests.login import login_admin, login_as


def test_the_coordinator_sees_every_question_answered_with_its_figures_and_rule(client, session):
    department = make_department(session, name="Lager")
    kari = make_person(session, name="Kari Nordmann", department=department)
    session.add(
        Appointment(kind="safety_rep", person_id=kari.id, starts_on=today() - timedelta(days=800))
    )
    session.commit()
    login_admin(client, session, department=department)
    page = client.get("/barometer")
    assert page.status_code == 200
    text = page.text
    assert "Har alle verneombudene fått den lovpålagte opplæringen?" in text
    assert "I 3 av 10 virksomheter mangler verneombudet lovpålagt opplæring." in text
    assert "Svaret fra registrene plasserer dere blant disse." in text
    assert f'href="/people/{kari.id}">Kari Nordmann</a>' in text
    assert "Slik blir tallet til et svar" in text and "0 eller mindre → Ja" in text
    assert "HMS Norge: HMS-barometeret, april 2025" in text


def test_any_day_and_a_wrong_day_told_plainly(client, session):
    login_admin(client, session)
    earlier = client.get("/barometer", params={"on": "2025-01-31"})
    assert earlier.status_code == 200 and "31. januar 2025" in earlier.text
    wrong = client.get("/barometer", params={"on": "31.01.2025"})
    assert wrong.status_code == 200 and "Skriv datoen som åååå-mm-dd" in wrong.text


def test_an_employee_may_not_open_it_and_the_menu_does_not_offer_it(client, session):
    login_as(client, session, make_user(session))
    assert client.get("/barometer").status_code == 403
    assert 'href="/barometer"' not in client.get("/").text


def test_in_english(client, session):
    login_admin(client, session)
    client.post("/language", data={"csrf_token": client.token("/"), "language": "en"})
    page = client.get("/barometer")
    assert '<html lang="en"' in page.text
    assert page.status_code == 200
    assert "Have all safety representatives had the mandatory training?" in page.text


def test_a_leader_sees_the_overdue_actions_of_their_department_and_only_a_count_of_others(
    client, session
):
    """The overdue actions behind a figure name their deviation: a leader sees those of
    their own department; of the others only how many were left out (as on /gaps)."""
    from hms_tracker.deviations.models import CorrectiveAction
    from tests.deviations.helpers import make_deviation
    from tests.factories import make_leader

    mine = make_department(session, name="Lager")
    other = make_department(session, name="Verksted")
    leader = make_leader(session, department=mine)
    someone = make_person(session, department=other)
    owners = {mine.id: leader.person_id, other.id: someone.id}
    for department, text in ((mine, "Sikre reolen i Lager"), (other, "Skjerm dreiebenken")):
        deviation, _receipt = make_deviation(session, department, reporter=None)
        deviation.status = "actions"
        session.add(deviation)
        session.add(
            CorrectiveAction(
                deviation_id=deviation.id, description=text,
                owner_person_id=owners[department.id],
                deadline=today() - timedelta(days=3),
            )
        )  # fmt: skip
    session.commit()
    login_as(client, session, leader)
    page = client.get("/barometer")
    assert page.status_code == 200
    assert "Sikre reolen i Lager" in page.text
    assert "Skjerm dreiebenken" not in page.text
    assert "til er ikke vist, fordi du ikke har tilgang" in page.text


def test_the_coordinator_opens_one_questions_form_at_a_time(client, session):
    from tests.login import login_admin as _login_admin

    _login_admin(client, session)
    page = client.get("/barometer").text
    assert 'name="question_id"' not in page  # read first: no forms until asked
    assert "/barometer?assess=hms_work_quality#assess-hms_work_quality" in page
    one = client.get("/barometer", params={"assess": "hms_work_quality"}).text
    assert one.count('name="question_id"') == 1
    assert 'name="question_id" value="hms_work_quality"' in one
