"""The coordinator's and leaders' forms choose people with a searchable picker: a few
likely people offered, the rest found by name or e-mail (htmx: /people/choices; without
it, the page again with the people found), never a select of everyone (both databases)."""

from __future__ import annotations

import re
from datetime import date

from tests.factories import make_department, make_person, make_user
from tests.login import login_admin, login_as


def option_names(html: str, field: str) -> list[str]:
    select = html[html.index(f'id="field-{field}"') :]
    select = select[: select.index("</select>")]
    labels = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select)
    return [label.split(" · ")[0] for label in labels]


def test_the_search_answers_options_for_coordinators_and_leaders_only(client, session):
    office = make_department(session, name="Kontor")
    make_person(session, name="Kari Søk", email="kari.sok@test.example", department=office)
    make_person(session, name="Kari Sluttet", employed_to=date(2020, 1, 31))
    employee = make_user(session)
    login_admin(client, session)
    answer = client.get(
        "/people/choices", params={"field": "owner_id", "pick_owner_id": "KARI", "selected": ""}
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    assert "Kari Søk · Kontor" in answer.text and "Kari Sluttet" not in answer.text
    by_mail = client.get("/people/choices", params={"field": "x", "pick_x": "sok@test"})
    assert "Kari Søk" in by_mail.text
    login_as(client, session, employee)
    assert client.get("/people/choices", params={"field": "owner_id"}).status_code == 403


def test_the_routine_form_offers_few_and_finds_the_owner(client, session):
    workshop = make_department(session, name="Verksted")
    for i in range(40):
        make_person(session, name=f"Ansatt {i:02}", department=workshop)
    owner = make_person(session, name="Oda Eier", department=workshop)
    login_admin(client, session)
    page = client.get("/routines/new").text
    assert "Oda Eier" not in option_names(page, "owner_id")
    assert len(option_names(page, "owner_id")) <= 2  # the admin themself (and a chosen one)
    assert 'form="pick-owner"' in page and 'id="pick-owner"' in page
    found = client.get("/routines/new", params={"pick_owner_id": "oda"}).text
    names = option_names(found, "owner_id")
    assert "Oda Eier" in names and not [n for n in names if n.startswith("Ansatt")]
    assert f'value="{owner.id}"' in found


def test_a_department_leader_is_found_by_search_and_added(client, session):
    lager = make_department(session, name="Lager")
    elsewhere = make_department(session, name="Kontor")
    here = make_person(session, name="Lise Lager", department=lager)
    there = make_person(session, name="Kåre Kontor", department=elsewhere)
    login_admin(client, session)
    page = client.get(f"/departments/{lager.id}").text
    assert option_names(page, "person_id") == ["Lise Lager"]  # the department's own
    found = client.get(f"/departments/{lager.id}", params={"pick_person_id": "kåre"}).text
    assert option_names(found, "person_id") == ["Kåre Kontor"]
    r = client.submit(f"/departments/{lager.id}/leaders", {"person_id": str(there.id)})
    assert r.status_code == 303, r.text[:2000]
    assert "Kåre Kontor" in client.get(f"/departments/{lager.id}").text
    assert here.id is not None
