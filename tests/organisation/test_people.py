"""The people register over HTTP: list, search, create, edit, end employment, scope."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.organisation.models import Person
from hms_tracker.web.dates import today
from tests.conftest import login
from tests.factories import make_department, make_leader, make_person, make_user
from tests.login import login_admin


def person_form(**overrides):
    data = {
        "name": "Kari Nordmann",
        "email": "kari@firma.no",
        "phone": "+47 912 34 567",
        "title": "Lagermedarbeider",
        "department_id": "",
        "employed_from": "2024-01-15",
        "employed_to": "",
        "employment_type": "permanent",
        "weekly_hours": "37,5",
    }
    data.update(overrides)
    return data


def edit_values(person: Person, **overrides):
    data = person_form(
        name=person.name,
        email=person.email or "",
        phone=person.phone or "",
        title=person.title or "",
        department_id=str(person.department_id or ""),
        employed_from=person.employed_from.isoformat(),
        employed_to=person.employed_to.isoformat() if person.employed_to else "",
        employment_type=person.employment_type,
        weekly_hours=str(person.weekly_hours),
        version=str(person.version),
    )
    data.update(overrides)
    return data


# --- create -------------------------------------------------------------------------------


def test_admin_creates_a_person_with_comma_hours_and_is_sent_to_the_page(client, session):
    login_admin(client, session)
    lager = make_department(session, name="Lager")
    session.commit()
    r = client.submit(
        "/people/new",
        person_form(department_id=str(lager.id), email="Kari@Firma.no"),
        token_page="/people/new",
    )
    assert r.status_code == 303, r.text[:2000]
    person = session.exec(select(Person).where(Person.name == "Kari Nordmann")).one()
    assert r.headers["location"] == f"/people/{person.id}"
    assert person.weekly_hours == Decimal("37.5")
    assert person.email == "kari@firma.no"
    assert person.department_id == lager.id
    assert person.version == 1
    page = client.get(r.headers["location"])
    assert "Kari Nordmann er lagt til i personregisteret." in page.text
    assert "Lager" in page.text and "37,5" in page.text


def test_create_with_bad_input_rerenders_with_every_error_and_keeps_values(client, session):
    login_admin(client, session)
    r = client.submit(
        "/people/new",
        person_form(
            name="",
            email="ikke-en-adresse",
            employed_from="2024-02-31",
            weekly_hours="120",
            employment_type="fast",
        ),
    )
    assert r.status_code == 422
    assert 'href="#field-name"' in r.text
    assert "Navn: Fyll ut dette feltet." in r.text
    assert 'href="#field-email"' in r.text
    assert 'href="#field-employed_from"' in r.text
    assert 'href="#field-weekly_hours"' in r.text
    assert "Ukentlige timer må være mellom 0 og 100." in r.text
    assert 'value="ikke-en-adresse"' in r.text  # what the user typed is kept
    assert session.exec(select(Person).where(Person.name == "")).first() is None


def test_end_date_before_start_is_refused(client, session):
    login_admin(client, session)
    r = client.submit("/people/new", person_form(employed_to="2023-12-31"))
    assert r.status_code == 422
    assert "Sluttdatoen kan ikke være før ansatt fra-datoen." in r.text


def test_email_must_be_unique_among_people_ignoring_case(client, session):
    login_admin(client, session)
    make_person(session, email="kari@firma.no")
    session.commit()
    r = client.submit("/people/new", person_form(email="KARI@firma.no"))
    assert r.status_code == 422
    assert "har allerede e-postadressen kari@firma.no" in r.text


def test_norwegian_date_format_is_accepted(client, session):
    login_admin(client, session)
    r = client.submit("/people/new", person_form(employed_from="15.01.2024", email=""))
    assert r.status_code == 303
    person = session.exec(select(Person).where(Person.name == "Kari Nordmann")).one()
    assert person.employed_from == date(2024, 1, 15) and person.email is None


# --- list ---------------------------------------------------------------------------------


def test_list_searches_name_email_and_title_case_insensitively(client, session):
    login_admin(client, session)
    make_person(session, name="Øyvind Ås", title="Truckfører", email="oyvind@firma.no")
    make_person(session, name="Berit Berg", title="Økonom", email="berit@firma.no")
    session.commit()
    by_name = client.get("/people", params={"q": "øyv"}).text
    assert "Øyvind Ås" in by_name and "Berit Berg" not in by_name
    by_title = client.get("/people", params={"q": "ØKONOM"}).text
    assert "Berit Berg" in by_title and "Øyvind Ås" not in by_title
    by_email = client.get("/people", params={"q": "oyvind@"}).text
    assert "Øyvind Ås" in by_email and "Berit Berg" not in by_email
    # LIKE wildcards are searched for literally
    assert "Ingen personer passer til søket." in client.get("/people", params={"q": "%"}).text


def test_list_filters_by_department_and_status(client, session):
    login_admin(client, session)
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    make_person(session, name="Aktiv Lagerarbeider", department=lager)
    make_person(
        session,
        name="Sluttet Lagerarbeider",
        department=lager,
        employed_to=today() - timedelta(days=1),
    )
    make_person(session, name="Kontorist", department=kontor)
    session.commit()

    default = client.get("/people", params={"department": str(lager.id)}).text
    assert "Aktiv Lagerarbeider" in default
    assert "Sluttet Lagerarbeider" not in default and "Kontorist" not in default

    former = client.get("/people", params={"department": str(lager.id), "status": "former"}).text
    assert "Sluttet Lagerarbeider" in former and "Aktiv Lagerarbeider" not in former
    assert "Sluttet</span>" in former

    everyone = client.get("/people", params={"status": "all"}).text
    for name in ("Aktiv Lagerarbeider", "Sluttet Lagerarbeider", "Kontorist"):
        assert name in everyone


def test_list_is_sorted_by_name_and_paginated_by_fifty(client, session):
    admin = login_admin(client, session)
    for n in range(60):
        make_person(session, name=f"Ansatt {n:03d}")
    session.commit()
    first = client.get("/people").text
    names = re.findall(r">(Ansatt \d{3})</a>", first)
    assert len(names) == 50
    assert names == sorted(names)
    assert "61 personer" in first  # 60 + the admin's own person
    second = client.get("/people", params={"page": "2"}).text
    rest = re.findall(r">(Ansatt \d{3})</a>", second)
    assert len(rest) == 10 and not set(rest) & set(names)
    assert admin.email  # the admin is a person too
    # a page beyond the end shows the last page, a bad page number the first
    assert re.findall(r">(Ansatt \d{3})</a>", client.get("/people?page=99").text) == rest
    assert client.get("/people?page=abc").status_code == 200


def test_htmx_request_gets_only_the_results_block(client, session):
    login_admin(client, session)
    make_person(session, name="Kari Nordmann")
    session.commit()
    r = client.get("/people", params={"q": "kari"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="results"')
    assert "<html" not in r.text and "<form" not in r.text
    assert "Kari Nordmann" in r.text
    full = client.get("/people", params={"q": "kari"})
    assert "<html" in full.text and 'hx-target="#results"' in full.text


# --- edit and conflicts -------------------------------------------------------------------


def test_edit_saves_bumps_version_and_writes_audit_with_before_and_after(client, session):
    login_admin(client, session)
    person = make_person(session, name="Kari Nordmann", title="Lagermedarbeider")
    session.commit()
    r = client.submit(f"/people/{person.id}/edit", edit_values(person, title="Lagerleder"))
    assert r.status_code == 303, r.text[:2000]
    session.expire_all()
    saved = session.get(Person, person.id)
    assert saved.title == "Lagerleder" and saved.version == 2
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "person",
            AuditEvent.entity_id == str(person.id),
            AuditEvent.action == "update",
        )
    ).all()
    assert len(events) == 1
    assert events[0].before["title"] == "Lagermedarbeider"
    assert events[0].after["title"] == "Lagerleder"
    assert events[0].before["version"] == 1 and events[0].after["version"] == 2
    assert events[0].actor_user_id is not None


def test_create_writes_an_audit_event_with_the_new_values(client, session):
    admin = login_admin(client, session)
    client.submit("/people/new", person_form())
    person = session.exec(select(Person).where(Person.name == "Kari Nordmann")).one()
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "person",
            AuditEvent.entity_id == str(person.id),
            AuditEvent.action == "create",
        )
    ).one()
    assert event.before is None
    assert event.after["name"] == "Kari Nordmann"
    assert Decimal(event.after["weekly_hours"]) == Decimal("37.5")
    assert event.actor_user_id == admin.id


def test_stale_version_is_refused_and_nothing_is_lost(client, session):
    login_admin(client, session)
    person = make_person(session, name="Kari Nordmann", title="Lagermedarbeider")
    session.commit()
    opened = edit_values(person)  # both forms opened on version 1
    first = client.submit(f"/people/{person.id}/edit", {**opened, "title": "Lagerleder"})
    assert first.status_code == 303
    second = client.submit(f"/people/{person.id}/edit", {**opened, "title": "Truckfører"})
    assert second.status_code == 409
    assert "endret av noen andre siden du åpnet skjemaet" in second.text
    assert 'value="Truckfører"' in second.text  # the user's value is still in the form
    assert "Lagerleder" in second.text  # and the saved value is shown beside it
    assert 'name="version" value="2"' in second.text
    session.expire_all()
    assert session.get(Person, person.id).title == "Lagerleder"
    # saving again on the version now shown goes through
    third = client.submit(
        f"/people/{person.id}/edit", {**opened, "title": "Truckfører", "version": "2"}
    )
    assert third.status_code == 303
    session.expire_all()
    saved = session.get(Person, person.id)
    assert saved.title == "Truckfører" and saved.version == 3


def test_edit_without_version_is_a_form_error(client, session):
    login_admin(client, session)
    person = make_person(session)
    session.commit()
    values = edit_values(person)
    del values["version"]
    assert client.submit(f"/people/{person.id}/edit", values).status_code == 422


# --- end employment -----------------------------------------------------------------------


def test_ending_employment_keeps_the_person_and_deactivates_their_account(client, session):
    login_admin(client, session)
    worker = make_user(session, email="ola@test.example")
    session.commit()
    other = client.__class__(client.app)
    with other:
        login(other, "ola@test.example")
        assert other.get("/", follow_redirects=False).status_code == 200
        r = client.submit(
            f"/people/{worker.person_id}/end",
            {"employed_to": "2025-06-30", "end_reason": "Sa opp selv"},
        )
        assert r.status_code == 303, r.text[:2000]
        assert other.get("/", follow_redirects=False).status_code == 303  # logged out
    session.expire_all()
    person = session.get(Person, worker.person_id)
    assert person is not None
    assert person.employed_to == date(2025, 6, 30) and person.end_reason == "Sa opp selv"
    session.refresh(worker)
    assert worker.is_active is False
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "person", AuditEvent.action == "employment_ended"
        )
    ).one()
    assert event.after["employed_to"] == "2025-06-30"
    page = client.get(f"/people/{worker.person_id}")
    assert "Ansettelsen er avsluttet, og kontoen er deaktivert." in page.text
    assert "Sluttet" in page.text


def test_end_employment_needs_a_date_and_a_reason(client, session):
    login_admin(client, session)
    person = make_person(session, employed_from=date(2024, 1, 1))
    session.commit()
    r = client.submit(f"/people/{person.id}/end", {"employed_to": "2023-01-01", "end_reason": ""})
    assert r.status_code == 422
    assert 'href="#field-end_reason"' in r.text
    r = client.submit(f"/people/{person.id}/end", {"employed_to": "2023-01-01", "end_reason": "x"})
    assert r.status_code == 422
    assert "Siste arbeidsdag kan ikke være før" in r.text
    session.expire_all()
    assert session.get(Person, person.id).employed_to is None


def test_nobody_ends_their_own_employment(client, session):
    admin = login_admin(client, session)
    r = client.submit(
        f"/people/{admin.person_id}/end", {"employed_to": "2025-01-01", "end_reason": "x"}
    )
    assert r.status_code == 422
    session.expire_all()
    assert session.get(Person, admin.person_id).employed_to is None


# --- who sees and changes whom ------------------------------------------------------------


def test_leader_sees_only_their_departments_people(client, session):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    leader = make_leader(session, department=lager)
    mine = make_person(session, name="Lagerarbeider", department=lager)
    theirs = make_person(session, name="Kontorist", department=kontor)
    session.commit()
    login(client, leader.email)
    listing = client.get("/people").text
    assert "Lagerarbeider" in listing and "Kontorist" not in listing
    # filtering on someone else's department does not widen the scope
    assert "Kontorist" not in client.get("/people", params={"department": kontor.id}).text
    assert client.get(f"/people/{mine.id}").status_code == 200
    assert client.get(f"/people/{theirs.id}").status_code == 403
    csv_text = client.get("/people/export.csv").content.decode("utf-8-sig")
    assert "Lagerarbeider" in csv_text and "Kontorist" not in csv_text


def test_leader_cannot_edit_or_end_another_departments_people(client, session):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    leader = make_leader(session, department=lager)
    theirs = make_person(session, name="Kontorist", department=kontor)
    session.commit()
    login(client, leader.email)
    assert client.get(f"/people/{theirs.id}/edit").status_code == 403
    r = client.submit(f"/people/{theirs.id}/edit", edit_values(theirs, title="Endret"))
    assert r.status_code == 403
    r = client.submit(f"/people/{theirs.id}/end", {"employed_to": "2025-01-01", "end_reason": "x"})
    assert r.status_code == 403
    session.expire_all()
    unchanged = session.get(Person, theirs.id)
    assert unchanged.title != "Endret" and unchanged.employed_to is None


def test_leader_creates_only_in_departments_they_lead(client, session):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    leader = make_leader(session, department=lager)
    session.commit()
    login(client, leader.email)
    form = client.get("/people/new").text
    assert f'<option value="{lager.id}" selected>' in form  # their only department
    assert f'<option value="{kontor.id}"' not in form
    refused = client.submit("/people/new", person_form(department_id=str(kontor.id)))
    assert refused.status_code == 403
    no_department = client.submit("/people/new", person_form(department_id=""))
    assert no_department.status_code == 422
    assert "Velg en av avdelingene du leder." in no_department.text
    assert session.exec(select(Person).where(Person.name == "Kari Nordmann")).first() is None
    ok = client.submit("/people/new", person_form(department_id=str(lager.id)))
    assert ok.status_code == 303


def test_leader_cannot_move_a_person_out_of_their_departments(client, session):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    leader = make_leader(session, department=lager)
    mine = make_person(session, name="Lagerarbeider", department=lager)
    session.commit()
    login(client, leader.email)
    r = client.submit(f"/people/{mine.id}/edit", edit_values(mine, department_id=str(kontor.id)))
    assert r.status_code == 403
    session.expire_all()
    assert session.get(Person, mine.id).department_id == lager.id


def test_leader_of_a_parent_department_manages_its_sub_departments(client, session):
    drift = make_department(session, name="Drift")
    lager = make_department(session, name="Lager", parent_id=drift.id)
    leader = make_leader(session, department=drift)
    worker = make_person(session, name="Lagerarbeider", department=lager)
    session.commit()
    login(client, leader.email)
    assert "Lagerarbeider" in client.get("/people").text
    assert client.get(f"/people/{worker.id}/edit").status_code == 200


def test_employee_has_no_list_but_sees_their_own_page_only(client, session):
    employee = make_user(session, email="ola@test.example")
    other = make_person(session, name="Noen Andre")
    session.commit()
    login(client, employee.email)
    assert client.get("/people").status_code == 403
    assert client.get("/people/export.csv").status_code == 403
    assert client.get("/people/new").status_code == 403
    own = client.get(f"/people/{employee.person_id}")
    assert own.status_code == 200
    assert f'href="/people/{employee.person_id}" aria-current="page"' in own.text  # "Min side"
    assert "Rediger" not in own.text and "Konto" not in own.text
    assert client.get(f"/people/{other.id}").status_code == 403
    assert client.get(f"/people/{employee.person_id}/edit").status_code == 403


def test_unknown_or_malformed_id_is_404(client, session):
    login_admin(client, session)
    assert client.get("/people/999999").status_code == 404
    assert client.get("/people/abc").status_code == 404
    assert client.get("/people/999999/edit").status_code == 404
    assert client.submit("/people/999999/end", {"employed_to": "2025-01-01"}).status_code == 404


def test_pages_need_login(client):
    r = client.get("/people", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_last_day_ahead_keeps_the_account_until_then(client, session):
    from datetime import timedelta

    from hms_tracker.web.dates import today

    login_admin(client, session)
    worker = make_user(session, email="ola@test.example")
    session.commit()
    last_day = today() + timedelta(days=30)
    r = client.submit(
        f"/people/{worker.person_id}/end",
        {"employed_to": last_day.isoformat(), "end_reason": "Sa opp selv"},
    )
    assert r.status_code == 303
    session.refresh(worker)
    assert worker.is_active is True
    other = client.__class__(client.app)
    with other:
        login(other, "ola@test.example")  # still employed: may log in


def test_a_person_who_has_left_cannot_log_in_even_with_an_active_account(client, session):
    from datetime import timedelta

    from hms_tracker.web.dates import today

    worker = make_user(session, email="ola@test.example")
    session.commit()
    login(client, "ola@test.example")
    person = session.get(Person, worker.person_id)
    person.employed_to = today() - timedelta(days=1)
    session.add(person)
    session.commit()
    assert client.get("/", follow_redirects=False).status_code == 303  # session no longer valid
    r = client.submit("/login", {"email": "ola@test.example", "password": "riktig-passord-123"})
    assert r.status_code == 422


def test_nobody_ends_their_own_employment_through_the_edit_form(client, session):
    admin = login_admin(client, session)
    person = session.get(Person, admin.person_id)
    page = client.get(f"/people/{person.id}/edit").text
    import re as _re

    version = _re.search(r'name="version" value="(\d+)"', page).group(1)
    r = client.submit(
        f"/people/{person.id}/edit",
        {
            "name": person.name,
            "email": person.email,
            "employed_from": "2020-01-01",
            "employed_to": "2026-01-01",
            "employment_type": "permanent",
            "weekly_hours": "37,5",
            "version": version,
        },
        token_page=f"/people/{person.id}/edit",
    )
    assert r.status_code == 422
    assert "Du kan ikke endre din egen sluttdato" in r.text


def test_implausible_dates_and_invisible_characters_are_refused(client, session):
    login_admin(client, session)
    r = client.submit(
        "/people/new",
        {
            "name": "Zero\u200bwidth",
            "employed_from": "0001-01-01",
            "employment_type": "permanent",
            "weekly_hours": "37,5",
        },
        token_page="/people/new",
    )
    assert r.status_code == 422
    assert "Skriv en dato mellom år 1900 og 2200." in r.text
    assert "Teksten inneholder ugyldige tegn." in r.text


def test_a_department_is_not_offered_as_its_own_parent(client, session):
    login_admin(client, session)
    top = make_department(session, name="Produksjon")
    make_department(session, name="Sveis", parent_id=top.id)
    session.commit()
    page = client.get(f"/departments/{top.id}/edit").text
    form = page[page.index('name="parent_id"') :]
    assert ">Sveis<" not in form[: form.index("</select>")]
