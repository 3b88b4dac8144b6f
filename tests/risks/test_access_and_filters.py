"""Who reads which risk beyond their own department, on both databases: AMU members read
every risk (read-only); /gaps leaves out the risks the viewer may not open (and says how
many); the department filters of the list and the matrix include the departments below."""

from __future__ import annotations

import re

from hms_tracker.appointments import service as appointments
from hms_tracker.appointments.forms import AppointmentForm
from tests.conftest import login
from tests.factories import make_department, make_leader, make_user
from tests.risks.helpers import make_risk, principal_for, risk_form


def company(session, today):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    admin = make_user(session, is_admin=True, department=kontor)
    kontor_leader = make_leader(session, department=kontor)
    principal = principal_for(session, admin, today)
    hidden = make_risk(session, principal, lager, today, title="Truck rygger på Ola")
    shown = make_risk(session, principal, kontor, today, title="Skjermarbeid")
    session.commit()
    return lager, kontor, admin, kontor_leader, hidden, shown


def appoint_amu_member(session, user, today) -> None:
    appointments.create_appointment(
        session=session,
        data=AppointmentForm.model_validate(
            {
                "kind": "amu_member",
                "person_id": user.person_id,
                "starts_on": today,
                "amu_side": "employee",
            }
        ),
    )
    session.commit()


def test_gaps_leave_out_the_risks_the_viewer_may_not_open_and_say_how_many(client, session, today):
    _lager, _kontor, admin, kontor_leader, hidden, shown = company(session, today)
    login(client, kontor_leader.email)
    page = client.get("/gaps")
    assert page.status_code == 200
    assert "Høy risiko uten rutine" in page.text  # the gap itself is shown
    assert f'href="/risks/{shown.id}"' in page.text
    assert f"/risks/{hidden.id}" not in page.text and "Truck rygger på Ola" not in page.text
    assert "1 risiko til er ikke vist, fordi du ikke har tilgang til den." in page.text
    assert client.get(f"/risks/{hidden.id}").status_code == 403

    client.cookies.clear()
    login(client, admin.email)
    page = client.get("/gaps")
    assert f'href="/risks/{hidden.id}"' in page.text and f'href="/risks/{shown.id}"' in page.text
    assert "til er ikke vist" not in page.text


def test_an_amu_member_reads_every_risk_but_changes_none(client, session, today):
    lager, kontor, _admin, _leader, hidden, shown = company(session, today)
    member = make_user(session, department=kontor)
    session.commit()
    login(client, member.email)
    listing = client.get("/risks")
    assert f'href="/risks/{shown.id}"' in listing.text
    assert f'href="/risks/{hidden.id}"' not in listing.text  # not AMU yet: own department

    appoint_amu_member(session, member, today)
    client.cookies.clear()
    login(client, member.email)
    listing = client.get("/risks")
    assert f'href="/risks/{shown.id}"' in listing.text
    assert f'href="/risks/{hidden.id}"' in listing.text
    assert f'<option value="{lager.id}"' in listing.text  # every department to filter by
    detail = client.get(f"/risks/{hidden.id}")
    assert detail.status_code == 200 and "Truck rygger på Ola" in detail.text
    assert f'action="/risks/{hidden.id}/edit' not in detail.text
    assert f'href="/risks/{hidden.id}/edit"' not in detail.text
    assert "2 gjeldende risikoer i matrisen." in client.get("/risks/matrix").text
    gaps = client.get("/gaps").text
    assert f'href="/risks/{hidden.id}"' in gaps and "til er ikke vist" not in gaps
    # Read-only: no edit, no assessment, no new risk.
    assert client.get(f"/risks/{hidden.id}/edit").status_code == 403
    version = {"version": str(hidden.version)}
    assert client.submit(f"/risks/{hidden.id}/assessed", version).status_code == 403
    assert client.submit(f"/risks/{hidden.id}/edit", risk_form(lager)).status_code == 403
    assert client.submit("/risks/new", risk_form(kontor)).status_code == 403


def test_department_filters_include_the_departments_below(client, session, today):
    produksjon = make_department(session, name="Produksjon")
    sveis = make_department(session, name="Sveis og montering", parent_id=produksjon.id)
    lager = make_department(session, name="Lager")
    admin = make_user(session, is_admin=True, department=lager)
    principal = principal_for(session, admin, today)
    top = make_risk(session, principal, produksjon, today, title="Støy i hallen")
    below = make_risk(
        session, principal, sveis, today, title="Sveiserøyk", consequence=5, probability=2
    )
    elsewhere = make_risk(session, principal, lager, today, title="Tunge løft")
    session.commit()
    login(client, admin.email)

    listing = client.get(f"/risks?department={produksjon.id}").text
    assert f'href="/risks/{top.id}"' in listing and f'href="/risks/{below.id}"' in listing
    assert f'href="/risks/{elsewhere.id}"' not in listing
    only_below = client.get(f"/risks?department={sveis.id}").text
    assert f'href="/risks/{below.id}"' in only_below
    assert f'href="/risks/{top.id}"' not in only_below

    matrix = client.get(f"/risks/matrix?department={produksjon.id}").text
    assert "2 gjeldende risikoer i matrisen." in matrix
    cell = f"/risks?consequence=5&amp;probability=2&amp;department={produksjon.id}"
    assert cell in matrix
    cell_list = client.get(cell.replace("&amp;", "&")).text
    assert re.search(r">\s*1 risiko\s*<", cell_list)
    assert f'href="/risks/{below.id}"' in cell_list
