"""The gaps summary and the training overview, on any day (both databases)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select

from hms_tracker.appointments.models import Appointment
from hms_tracker.training.models import CourseType, TrainingRecord
from hms_tracker.web.dates import today
from tests.conftest import login
from tests.factories import make_person, make_user
from tests.login import login_admin


def _vo_course(session) -> CourseType:
    return session.exec(
        select(CourseType).where(CourseType.name == "Grunnopplæring for verneombud")
    ).one()


def test_gaps_page_names_a_missing_safety_rep_and_how_to_fix_it(client, session):
    for _ in range(6):
        make_person(session)
    login_admin(client, session)
    page = client.get("/gaps")
    assert page.status_code == 200
    assert "Bedriften har ikke verneombud" in page.text
    assert (
        'arbeidsmiljøloven § <a class="ds-link" href="https://lovdata.no/lov/2005-06-17-62/§6-1"'
        in page.text
    )
    assert 'href="/appointments/new?kind=safety_rep"' in page.text


def test_gap_disappears_when_a_trained_safety_rep_is_registered(client, session):
    login_admin(client, session)
    kari = make_person(session, name="Kari Nordmann")
    session.add(
        Appointment(kind="safety_rep", person_id=kari.id, starts_on=today() - timedelta(days=400))
    )
    session.commit()
    page = client.get("/gaps").text
    assert "Bedriften har ikke verneombud" not in page
    assert "Opplæring: Grunnopplæring for verneombud" in page and "Kari Nordmann" in page
    training = client.get("/training", params={"status": "missing"}).text
    assert "Kari Nordmann" in training and "Mangler" in training

    session.add(
        TrainingRecord(
            person_id=kari.id,
            course_type_id=_vo_course(session).id,
            completed_on=today() - timedelta(days=10),
            hours=Decimal(40),
        )
    )
    session.commit()
    training = client.get("/training", params={"status": "missing"}).text
    assert "Kari Nordmann" not in training
    assert "Kari Nordmann" in client.get("/training", params={"status": "ok"}).text


def test_the_day_can_be_in_the_past_or_the_future(client, session):
    login_admin(client, session)
    kari = make_person(session, name="Kari Nordmann")
    start = today() - timedelta(days=30)
    session.add(Appointment(kind="safety_rep", person_id=kari.id, starts_on=start))
    session.commit()
    now = client.get("/training").text
    assert "Innenfor frist" in now
    later = client.get("/training", params={"on": (start + timedelta(days=200)).isoformat()}).text
    assert "Mangler" in later and "Kari Nordmann" in later
    before = client.get("/gaps", params={"on": (start - timedelta(days=1)).isoformat()}).text
    assert "Bedriften har ikke verneombud" in before


def test_a_bad_day_is_explained_not_an_error(client, session):
    login_admin(client, session)
    page = client.get("/gaps", params={"on": "31.12.2026"})
    assert page.status_code == 200
    assert "Skriv datoen som åååå-mm-dd" in page.text


def test_training_csv_export_follows_the_filter(client, session):
    login_admin(client, session)
    kari = make_person(session, name="Kari Nordmann")
    session.add(Appointment(kind="safety_rep", person_id=kari.id, starts_on=date(2020, 1, 1)))
    session.commit()
    response = client.get("/training/export.csv", params={"status": "missing"})
    assert response.status_code == 200
    assert response.text.startswith("\ufeffNavn;Kurs;Verv;Status")
    assert "Kari Nordmann;Grunnopplæring for verneombud;Verneombud;Mangler" in response.text
    empty = client.get("/training/export.csv", params={"status": "ok"}).text
    assert "Kari Nordmann" not in empty


def test_employees_see_neither_page(client, session):
    make_user(session, email="ansatt@test.example")
    session.commit()
    login(client, "ansatt@test.example")
    assert client.get("/gaps").status_code == 403
    assert client.get("/training").status_code == 403


def test_htmx_filter_returns_only_the_results(client, session):
    login_admin(client, session)
    partial = client.get("/training", params={"status": "ok"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and 'id="results"' in partial.text


def test_own_page_shows_what_to_take_and_by_when(client, session):
    user = make_user(session, email="kari@test.example")
    start = today() - timedelta(days=30)
    session.add(Appointment(kind="safety_rep", person_id=user.person_id, starts_on=start))
    session.commit()
    login(client, "kari@test.example")
    page = client.get(f"/people/{user.person_id}").text
    assert "Grunnopplæring for verneombud" in page
    assert "Innenfor frist" in page and "Må være fullført innen" in page
    assert "Verneombud" in page and f'href="/people/{user.person_id}/training/new"' in page


def test_another_employee_cannot_see_my_training(client, session):
    me = make_user(session, email="kari@test.example")
    other = make_person(session, name="Ola Hansen")
    session.add(Appointment(kind="safety_rep", person_id=other.id, starts_on=date(2020, 1, 1)))
    session.commit()
    login(client, "kari@test.example")
    assert client.get(f"/people/{other.id}").status_code == 403
    assert client.get(f"/people/{me.person_id}").status_code == 200


def test_a_day_out_of_range_is_explained_not_an_error(client, session):
    login_admin(client, session)
    for path in ("/gaps", "/training"):
        page = client.get(path, params={"on": "0001-01-01"})
        assert page.status_code == 200
        assert "Velg en dag mellom år 1900 og 2200" in page.text


def test_a_long_evidence_list_shows_the_first_ten_and_links_to_all(client, session):
    login_admin(client, session)
    for n in range(12):
        rep = make_person(session, name=f"Verneombud {n:02d}")
        session.add(
            Appointment(
                kind="safety_rep", person_id=rep.id, starts_on=today() - timedelta(days=400)
            )
        )
    session.commit()
    page = client.get("/gaps").text
    shown = [n for n in range(12) if f"Verneombud {n:02d}" in page]
    assert len(shown) == 10
    link = re.search(r'href="(/gaps\?show=[^"#]+)#finding-\d+">Vis alle 12<', page)
    assert link, "no link to the whole list"
    every = client.get(html.unescape(link[1])).text
    assert all(f"Verneombud {n:02d}" in every for n in range(12))


def test_what_lapses_within_the_look_ahead_shows_on_todays_page(client, session):
    for _ in range(6):
        make_person(session)
    rep = make_person(session, name="Siri Snartslutt")
    new_rep = make_person(session, name="Nils Nyvalgt")
    far = make_person(session, name="Frida Fjern")
    session.add_all([
        Appointment(kind="safety_rep", person_id=rep.id, starts_on=today() - timedelta(days=700),
                    ends_on=today() + timedelta(days=30)),
        Appointment(kind="safety_rep", person_id=far.id, starts_on=today() - timedelta(days=10),
                    ends_on=today() + timedelta(days=400)),
    ])  # fmt: skip
    # In the grace period, with its deadline inside the look-ahead (training within 6 months
    # of the appointment, unless the company's setting says otherwise).
    session.add(Appointment(kind="safety_rep", person_id=new_rep.id,
                            starts_on=today() - timedelta(days=150)))  # fmt: skip
    session.commit()
    login_admin(client, session)
    page = client.get("/gaps").text
    soon = page[page.index('id="soon-heading"') : page.index('id="legal-heading"')]
    assert "Snart: det som går ut innen 60 dager" in soon
    assert "Siri Snartslutt" in soon and "vervet slutter" in soon
    assert (today() + timedelta(days=30)).strftime("%Y") in soon
    assert "Nils Nyvalgt" in soon and "Grunnopplæring for verneombud" in soon and "frist" in soon
    assert "Frida Fjern" not in soon  # her term ends in more than 60 days


def test_the_gaps_say_why_no_agreement_counts_and_that_hired_in_workers_count(client, session):
    from hms_tracker.appointments.models import SafetyRepAgreement
    from hms_tracker.organisation.models import EmploymentType

    for _ in range(4):
        make_person(session)
    make_person(session, employment_type=EmploymentType.hired_in)  # the fifth
    session.add(SafetyRepAgreement(valid_from=today() - timedelta(days=100),
                                   valid_to=today() + timedelta(days=200),
                                   description="Leder tar opp saker på fellesmøtet"))  # fmt: skip
    session.commit()
    login_admin(client, session)
    gaps = html.unescape(client.get("/gaps").text)
    assert "Bedriften har ikke verneombud" in gaps
    assert "Innleide arbeidstakere telles med: 1 av dem er innleid." in gaps
    assert "avtalen om annen ordning teller ikke lenger" in gaps
    listed = client.get("/appointments/agreements").text
    assert 'id="agreements-do-not-count"' in listed and "Teller ikke: " in listed


def test_the_gaps_say_when_an_agreement_ended(client, session):
    from hms_tracker.appointments.models import SafetyRepAgreement

    for _ in range(3):
        make_person(session)
    ended = today() - timedelta(days=5)
    session.add(SafetyRepAgreement(valid_from=today() - timedelta(days=300), valid_to=ended,
                                   description="Felles ordning"))  # fmt: skip
    session.commit()
    login_admin(client, session)
    gaps = html.unescape(client.get("/gaps").text)
    assert "Avtalen om annen ordning gjaldt til og med" in gaps
    assert str(ended.year) in gaps
    assert 'id="agreements-do-not-count"' not in client.get("/appointments/agreements").text


def test_the_employer_course_says_the_law_sets_no_deadline(client, session):
    from hms_tracker.organisation.models import DepartmentLeader
    from tests.factories import make_department

    department = make_department(session, name="Sveis")
    boss = make_person(session, name="Berit Sjef", department=department,
                       employed_from=date(2015, 1, 1))  # fmt: skip
    session.add(DepartmentLeader(department_id=department.id, person_id=boss.id,
                                 starts_on=date(2016, 1, 1)))  # fmt: skip
    session.commit()
    login_admin(client, session)
    gaps = html.unescape(client.get("/gaps").text)
    card = gaps[gaps.index("Opplæring: HMS-opplæring for arbeidsgiver") :]
    card = card[: card.index("</li>")]
    assert "setter ingen frist for arbeidsgiverens opplæring" in card
