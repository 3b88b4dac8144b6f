"""The notice (oppslag) of who represents whom (/notice): the verneombud with their areas,
the hovedverneombud, the AMU by side with deputies, terms and chair, the BHT; one
department's notice with its own verneombud first; any day; a fixed number of statements."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from hms_tracker.appointments.models import AmuChairPeriod, Appointment, AppointmentArea
from hms_tracker.appointments.notice import notice_on
from hms_tracker.errors import NotFound
from hms_tracker.organisation.models import CompanySetting
from hms_tracker.web.dates import today
from tests.factories import make_department, make_person, make_user
from tests.login import login_as
from tests.sql import statements_on

START = date(2024, 1, 1)


def appoint(session, kind, person=None, *, areas=(), starts_on=START, ends_on=None, **fields):
    appointment = Appointment(
        kind=kind,
        person_id=person.id if person else None,
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,
    )
    session.add(appointment)
    session.flush()
    for department in areas:
        session.add(AppointmentArea(appointment_id=appointment.id, department_id=department.id))
    session.flush()
    return appointment


def as_employee(client, session):
    user = make_user(session)
    session.commit()
    return login_as(client, session, user)


def text_of(html: str) -> str:
    """The page's visible text on one line: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, heading_id: str) -> str:
    """The text of the <section> whose heading has `heading_id`."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, flags=re.S
    )
    assert match, heading_id
    return text_of(match.group(0))


@pytest.fixture
def company(session):
    """A company with every kind of appointment on the notice, in force today."""
    end = today() + timedelta(days=400)
    lager = make_department(session, name="Lager")
    lager_nord = make_department(session, name="Lager Nord", parent_id=lager.id)
    kontor = make_department(session, name="Kontor")
    verkstad = make_department(session, name="Verksted")
    kari = make_person(session, name="Kari Vern", phone="+47 900 11 222", email="kari@x.example")
    ola = make_person(session, name="Ola Kontorvern", email="ola@x.example")
    hanne = make_person(session, name="Hanne Hoved", phone="41 00 00 00")
    arne = make_person(session, name="Arne Arbeidsgiver")
    vera = make_person(session, name="Vera Vara")
    tone = make_person(session, name="Tone Tillitsvalgt")
    appoint(session, "safety_rep", kari, areas=[lager], ends_on=end)
    appoint(session, "safety_rep", ola, areas=[kontor], ends_on=end)
    appoint(session, "chief_safety_rep", hanne, ends_on=end)
    chair = appoint(session, "amu_member", arne, amu_side="employer", ends_on=end)
    appoint(session, "amu_member", vera, amu_side="employer", is_deputy=True, ends_on=end)
    appoint(session, "amu_member", tone, amu_side="employee", ends_on=end)
    appoint(session, "amu_member", hanne, amu_side="employee", ends_on=end)
    appoint(
        session, "amu_member", amu_side="ohs", external_name="Berit Bedriftslege",
        external_organisation="Helse BHT AS", ends_on=end,
    )  # fmt: skip
    appoint(
        session, "ohs_contact", external_name="Berit Bedriftslege",
        external_organisation="Helse BHT AS",
    )  # fmt: skip
    session.add(
        AmuChairPeriod(appointment_id=chair.id, starts_on=START, ends_on=today() + timedelta(30))
    )
    session.add(CompanySetting(key="company_name", value="Fjordbakst AS"))
    session.commit()
    return {"lager": lager, "lager_nord": lager_nord, "kontor": kontor, "verksted": verkstad}


def test_an_employee_sees_who_represents_whom(client, session, company):
    as_employee(client, session)
    r = client.get("/notice")
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Hvem er verneombud og i arbeidsmiljøutvalget" in page
    assert "Fjordbakst AS" in page
    assert re.search(r"Oppdatert per \d{1,2}\. \w+ \d{4}", page), page[:500]

    reps = section(r.text, "safety-reps-heading")
    assert "Kari Vern Lager" in reps and "Ola Kontorvern Kontor" in reps
    assert "+47 900 11 222" in reps and "kari@x.example" in reps
    assert 'href="tel:+4790011222"' in r.text
    assert f"{START.day}. jan. {START.year} –" in reps

    chief = section(r.text, "chief-heading")
    assert "Hanne Hoved" in chief and "41 00 00 00" in chief
    assert "Kari Vern" not in chief

    amu = section(r.text, "amu-heading")
    assert "Leder av AMU: Arne Arbeidsgiver" in amu
    employer = amu.index("Arbeidsgiversiden")
    employee = amu.index("Arbeidstakersiden")
    ohs = amu.index("Bedriftshelsetjenesten (uten stemmerett)")
    assert employer < employee < ohs
    employer_part, employee_part = amu[employer:employee], amu[employee:ohs]
    assert "Arne Arbeidsgiver Medlem Leder av AMU" in employer_part
    assert "Vera Vara Varamedlem" in employer_part
    assert employer_part.index("Arne Arbeidsgiver") < employer_part.index("Vera Vara")
    assert "Tone Tillitsvalgt Medlem" in employee_part and "Hanne Hoved Medlem" in employee_part
    assert "Vera Vara" not in employee_part
    assert "Berit Bedriftslege Helse BHT AS Medlem" in amu[ohs:]

    bht = section(r.text, "ohs-heading")
    # One line for the BHT's person who is both its contact and its member of AMU.
    assert bht.count("Berit Bedriftslege") == 1
    assert "Berit Bedriftslege Helse BHT AS Kontaktperson, medlem av AMU" in bht
    assert "Ditt verneombud" not in page


def test_a_department_notice_puts_its_own_verneombud_first(client, session, company):
    as_employee(client, session)
    r = client.get(f"/notice?department={company['kontor'].id}")
    assert r.status_code == 200
    yours = section(r.text, "yours-heading")
    assert "Ditt verneombud i Kontor" in yours
    assert "Ola Kontorvern" in yours and "Verneområde: Kontor" in yours
    assert "Kari Vern" not in yours
    assert r.text.index('id="yours-heading"') < r.text.index('id="safety-reps-heading"')
    # The rest of the notice is still there.
    assert "Kari Vern" in section(r.text, "safety-reps-heading")


def test_a_sub_department_gets_the_verneombud_of_its_parent(client, session, company):
    as_employee(client, session)
    yours = section(
        client.get(f"/notice?department={company['lager_nord'].id}").text, "yours-heading"
    )
    assert "Kari Vern" in yours and "Verneområde: Lager" in yours
    assert "Ola Kontorvern" not in yours


def test_a_department_nobody_covers_says_so_and_a_company_wide_one_covers_all(
    client, session, company
):
    as_employee(client, session)
    url = f"/notice?department={company['verksted'].id}"
    yours = section(client.get(url).text, "yours-heading")
    assert "Ingen verneombud har denne avdelingen i sitt verneområde" in yours
    appoint(session, "safety_rep", make_person(session, name="Per Overalt"))
    session.commit()
    yours = section(client.get(url).text, "yours-heading")
    assert "Per Overalt" in yours and "Verneområde: Hele virksomheten" in yours
    # Those of the department's own area come before those of the whole company.
    lager = section(client.get(f"/notice?department={company['lager'].id}").text, "yours-heading")
    assert "Dine verneombud i Lager" in lager
    assert lager.index("Kari Vern") < lager.index("Per Overalt")


def test_ended_and_later_appointments_are_not_on_the_notice(client, session, company):
    day, yesterday = today(), today() - timedelta(days=1)
    for name, fields in (
        ("Siri Sluttet", {"ends_on": yesterday}),
        ("Even Endt", {"ended_on": yesterday, "end_reason": "Flyttet"}),
        ("Kåre Kommende", {"starts_on": day + timedelta(days=1)}),
        ("Liv Sistedag", {"ends_on": day}),
    ):
        appoint(session, "safety_rep", make_person(session, name=name), **fields)
    session.commit()
    as_employee(client, session)
    reps = section(client.get("/notice").text, "safety-reps-heading")
    assert "Liv Sistedag" in reps and "Kari Vern" in reps
    for name in ("Siri Sluttet", "Even Endt", "Kåre Kommende"):
        assert name not in reps


def test_a_past_day_shows_who_was_in_office_then(client, session, company):
    appoint(session, "safety_rep", make_person(session, name="Gunn Gammel"),
            starts_on=date(2019, 1, 1), ends_on=date(2020, 12, 31))  # fmt: skip
    session.commit()
    as_employee(client, session)
    r = client.get("/notice?on=2020-06-01")
    assert r.status_code == 200
    page = text_of(r.text)
    assert "Oppdatert per 1. juni 2020" in page
    reps = section(r.text, "safety-reps-heading")
    assert "Gunn Gammel" in reps and "Kari Vern" not in reps
    assert "Ingen leder av AMU" not in page and "Arne Arbeidsgiver" not in page
    # A day that is not a day: today, with a message, never an error.
    r = client.get("/notice?on=i-morgen")
    assert r.status_code == 200 and "Skriv datoen som åååå-mm-dd" in r.text
    assert "Kari Vern" in section(r.text, "safety-reps-heading")


def test_an_unknown_department_is_not_found(client, session, company):
    as_employee(client, session)
    assert client.get("/notice?department=999999").status_code == 404
    assert client.get("/notice?department=abc").status_code == 404
    assert client.get("/notice?department=" + "1" * 40).status_code == 404
    assert client.get("/notice?department=").status_code == 200
    with pytest.raises(NotFound):
        notice_on(session=session, day=today(), department_id=999999)


def test_anonymous_is_sent_to_login(client, session, company):
    r = client.get("/notice", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert "Kari Vern" not in r.text


def test_the_department_page_and_the_appointments_list_link_to_the_notice(client, session, company):
    as_employee(client, session)
    kontor = company["kontor"]
    page = client.get(f"/departments/{kontor.id}")
    assert page.status_code == 200
    assert f'href="/notice?department={kontor.id}"' in page.text
    assert "Oppslag: verneombud og AMU for denne avdelingen" in page.text
    assert 'href="/notice"' in client.get("/appointments").text


def test_an_empty_register_gives_an_empty_notice_not_an_error(client, session):
    as_employee(client, session)
    r = client.get("/notice")
    assert r.status_code == 200
    assert "Ingen verneombud er registrert per denne dagen." in r.text
    assert "Ingen medlemmer av arbeidsmiljøutvalget er registrert per denne dagen." in r.text


def _add_safety_reps(session, departments, numbers):
    for i in numbers:
        person = make_person(session, phone=f"400{i:05d}")
        appoint(session, "safety_rep", person, areas=[departments[i % len(departments)]])
        appoint(session, "amu_member", person, amu_side="employee", is_deputy=bool(i % 2))
    session.commit()


def test_the_notice_runs_as_many_statements_for_20_verneombud_as_for_2(app, client, session):
    departments = [make_department(session, name=f"Avd {i}") for i in range(4)]
    child = make_department(session, name="Avd 0 underavdeling", parent_id=departments[0].id)
    as_employee(client, session)
    _add_safety_reps(session, departments, range(2))
    urls = ("/notice", f"/notice?department={child.id}")

    def counts():
        client.get(urls[0])  # whatever is read once per process is read
        found = []
        for url in urls:
            with statements_on(app.state.engine) as statements:
                r = client.get(url)
            assert r.status_code == 200
            found.append(len(statements))
        return found, r.text

    few, _html = counts()
    _add_safety_reps(session, departments, range(2, 20))
    many, html = counts()
    assert many == few
    assert section(html, "safety-reps-heading").count("400000") == 20
    assert section(html, "yours-heading").count("400000") == 5  # Avd 0: reps 0, 4, 8, 12, 16
