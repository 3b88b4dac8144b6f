"""Appointment pages over HTTP: list with filters, register, edit, end, chair, agreements,
permissions and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from hms_tracker.appointments.models import Appointment, SafetyRepAgreement
from hms_tracker.audit.models import AuditEvent
from hms_tracker.web.dates import today
from tests.conftest import login
from tests.factories import make_department, make_person, make_user
from tests.login import login_admin


def as_employee(client, session):
    user = make_user(session)
    session.commit()
    login(client, user.email)
    return user


def years_later(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def new_form(**overrides):
    data = {
        "kind": "safety_rep",
        "person_id": "",
        "external_name": "",
        "external_organisation": "",
        "starts_on": today().isoformat(),
        "ends_on": "",
        "amu_side": "",
        "note": "",
    }
    data.update(overrides)
    return data


def test_admin_registers_a_safety_rep_with_areas_and_sees_it_in_the_list(client, session):
    login_admin(client, session)
    kari = make_person(session, name="Kari Verneombud")
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    session.commit()
    start = today()
    r = client.submit(
        "/appointments/new",
        {
            **new_form(person_id=str(kari.id), starts_on=start.isoformat()),
            "area_ids": [str(lager.id), str(kontor.id)],
        },
    )
    assert r.status_code == 303, r.text[:3000]
    appointment = session.exec(select(Appointment)).one()
    assert r.headers["location"] == f"/appointments/{appointment.id}"
    # The default term: two years less a day (from 29 February: to 27 February).
    assert appointment.ends_on == years_later(start, 2) - timedelta(days=1)
    page = client.get(r.headers["location"])
    assert "Vervet er registrert." in page.text
    assert "Kari Verneombud" in page.text and "Lager" in page.text and "Kontor" in page.text
    listing = client.get("/appointments")
    assert listing.status_code == 200
    assert "Kari Verneombud" in listing.text and "Aktiv" in listing.text


def test_list_filters_by_kind_and_status_and_htmx_gets_only_the_results(client, session):
    login_admin(client, session)
    day = today()
    vo = make_person(session, name="Vera Vern")
    dl = make_person(session, name="Dag Leder")
    session.add(
        Appointment(
            kind="safety_rep",
            person_id=vo.id,
            starts_on=day - timedelta(days=400),
            ends_on=day + timedelta(days=10),
        )
    )
    session.add(
        Appointment(kind="managing_director", person_id=dl.id, starts_on=day - timedelta(days=10))
    )
    session.commit()
    r = client.get("/appointments", params={"kind": "safety_rep"})
    assert "Vera Vern" in r.text and "Dag Leder" not in r.text
    assert "Slutter snart" in r.text
    r = client.get("/appointments", params={"status": "active"})
    assert "Dag Leder" in r.text and "Vera Vern" not in r.text
    r = client.get(
        "/appointments", params={"status": "ending_soon"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200
    assert "<html" not in r.text and 'id="results"' in r.text and "Vera Vern" in r.text
    r = client.get("/appointments", params={"kind": "nonsense", "status": "nonsense"})
    assert r.status_code == 200 and "Vera Vern" in r.text and "Dag Leder" in r.text


def test_the_list_shows_what_is_in_force_and_ended_terms_when_asked(client, session):
    login_admin(client, session)
    day = today()
    session.add_all(
        [
            Appointment(
                kind="safety_rep", person_id=make_person(session, name="Eva Tidligere").id,
                starts_on=day - timedelta(days=900), ends_on=day - timedelta(days=170),
            ),
            Appointment(
                kind="safety_rep", person_id=make_person(session, name="Ole Avsluttet").id,
                starts_on=day - timedelta(days=300), ended_on=day - timedelta(days=1),
            ),
            Appointment(
                kind="safety_rep", person_id=make_person(session, name="Siri Nå").id,
                starts_on=day - timedelta(days=30), ended_on=day,
            ),
            Appointment(
                kind="amu_member", person_id=make_person(session, name="Kai Kommer").id,
                starts_on=day + timedelta(days=5),
            ),
        ]
    )  # fmt: skip
    session.commit()
    current = client.get("/appointments").text
    assert "Siri Nå" in current and "Kai Kommer" in current  # ends today; starts later
    assert "Eva Tidligere" not in current and "Ole Avsluttet" not in current
    every = client.get("/appointments", params={"status": "all"}).text
    assert all(n in every for n in ("Eva Tidligere", "Ole Avsluttet", "Siri Nå", "Kai Kommer"))
    ended = client.get("/appointments", params={"status": "ended"}).text
    assert "Eva Tidligere" in ended and "Siri Nå" not in ended


def test_new_form_preselects_kind_and_person(client, session):
    login_admin(client, session)
    kari = make_person(session, name="Kari Forvalgt")
    session.commit()
    r = client.get(f"/appointments/new?kind=amu_member&person_id={kari.id}")
    assert r.status_code == 200
    assert '<option value="amu_member" selected>' in r.text
    assert f'<option value="{kari.id}" selected>' in r.text


def test_bad_input_gives_422_with_summary_and_keeps_values(client, session):
    login_admin(client, session)
    session.commit()
    r = client.submit(
        "/appointments/new",
        new_form(kind="amu_member", note="Valgt på allmøte", starts_on="31.02.2025"),
    )
    assert r.status_code == 422
    assert 'id="error-summary"' in r.text and 'href="#field-starts_on"' in r.text
    assert "Valgt på allmøte" in r.text


def test_external_ohs_contact_without_a_person(client, session):
    login_admin(client, session)
    session.commit()
    r = client.submit(
        "/appointments/new",
        new_form(kind="ohs_contact", external_name="Dr. Berg", external_organisation="BHT Vest"),
    )
    assert r.status_code == 303, r.text[:2000]
    appointment = session.exec(select(Appointment)).one()
    assert appointment.person_id is None and appointment.ends_on is None
    assert "Dr. Berg" in client.get("/appointments").text


def test_overlap_is_refused_on_the_page(client, session):
    login_admin(client, session)
    kari = make_person(session)
    session.add(Appointment(kind="safety_rep", person_id=kari.id, starts_on=today()))
    session.commit()
    r = client.submit("/appointments/new", new_form(person_id=str(kari.id)))
    assert r.status_code == 422
    assert "Personen har allerede et verv som verneombud" in r.text


def test_edit_end_and_chair(client, session):
    login_admin(client, session)
    kari = make_person(session, name="Kari AMU")
    a = Appointment(
        kind="amu_member",
        person_id=kari.id,
        starts_on=today(),
        ends_on=today() + timedelta(days=700),
        amu_side="employee",
    )
    session.add(a)
    session.commit()
    page = client.get(f"/appointments/{a.id}/edit")
    assert page.status_code == 200 and 'name="version" value="1"' in page.text
    r = client.submit(
        f"/appointments/{a.id}/edit",
        new_form(
            kind="safety_rep",
            person_id=str(kari.id),
            amu_side="employer",
            version="1",
            ends_on=(today() + timedelta(days=700)).isoformat(),
        ),
    )
    assert r.status_code == 303, r.text[:2000]
    session.refresh(a)
    assert a.kind == "amu_member" and a.amu_side == "employer" and not a.is_deputy
    assert a.version == 2
    stale = client.submit(
        f"/appointments/{a.id}/edit",
        new_form(person_id=str(kari.id), amu_side="employee", version="1"),
    )
    assert stale.status_code == 409 and "Endret av noen andre" in stale.text
    r = client.submit(
        f"/appointments/{a.id}/chair", {"starts_on": today().isoformat(), "ends_on": ""}
    )
    assert r.status_code == 303
    assert "Lederperioden" in client.get(f"/appointments/{a.id}").text
    r = client.submit(
        f"/appointments/{a.id}/chair", {"starts_on": today().isoformat(), "ends_on": ""}
    )
    assert r.status_code == 422 and "AMU har allerede en leder" in r.text
    r = client.submit(
        f"/appointments/{a.id}/end",
        {"ended_on": (today() - timedelta(days=1)).isoformat(), "end_reason": "x"},
    )
    assert r.status_code == 422
    r = client.submit(
        f"/appointments/{a.id}/end", {"ended_on": today().isoformat(), "end_reason": "Sluttet"}
    )
    assert r.status_code == 303
    session.refresh(a)
    assert a.ended_on == today() and a.end_reason == "Sluttet"


def test_agreement_register_refuses_more_than_two_years(client, session):
    login_admin(client, session)
    session.commit()
    r = client.submit(
        "/appointments/agreements",
        {"valid_from": "2025-01-01", "valid_to": "2027-01-01", "description": "Avtale"},
    )
    assert r.status_code == 422 and "høyst 2 år" in r.text
    r = client.submit(
        "/appointments/agreements",
        {
            "valid_from": "2025-01-01",
            "valid_to": "2026-12-31",
            "description": "Daglig leder følger opp",
        },
    )
    assert r.status_code == 303
    assert session.exec(select(SafetyRepAgreement)).one().valid_to.isoformat() == "2026-12-31"
    assert "Daglig leder følger opp" in client.get("/appointments/agreements").text


def test_unknown_and_malformed_ids_are_404(client, session):
    login_admin(client, session)
    assert client.get("/appointments/999999").status_code == 404
    assert client.get("/appointments/abc").status_code == 404
    assert client.get("/appointments/999999/edit").status_code == 404
    assert (
        client.submit(
            "/appointments/999999/end", {"ended_on": "2025-01-01", "end_reason": "x"}
        ).status_code
        == 404
    )


def test_employee_can_view_the_list_but_not_change_anything(client, session):
    as_employee(client, session)
    kari = make_person(session, name="Kari Synlig")
    a = Appointment(kind="safety_rep", person_id=kari.id, starts_on=today())
    session.add(a)
    session.commit()
    listing = client.get("/appointments")
    assert listing.status_code == 200 and "Kari Synlig" in listing.text
    assert "/appointments/new" not in listing.text
    assert 'href="/appointments"' in listing.text  # the menu entry
    assert client.get(f"/appointments/{a.id}").status_code == 200
    assert client.get("/appointments/new").status_code == 403
    assert client.submit("/appointments/new", new_form(person_id=str(kari.id))).status_code == 403
    assert (
        client.submit(
            f"/appointments/{a.id}/end", {"ended_on": today().isoformat(), "end_reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.submit(
            "/appointments/agreements",
            {"valid_from": "2025-01-01", "valid_to": "2025-02-01", "description": "x"},
        ).status_code
        == 403
    )


def test_anonymous_is_sent_to_login(client):
    r = client.get("/appointments", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_appointment_changes_are_audited_with_the_actor(client, session):
    admin = login_admin(client, session)
    kari = make_person(session)
    dept = make_department(session)
    session.commit()
    r = client.submit(
        "/appointments/new", {**new_form(person_id=str(kari.id)), "area_ids": str(dept.id)}
    )
    assert r.status_code == 303
    appointment = session.exec(select(Appointment)).one()
    client.submit(
        f"/appointments/{appointment.id}/end",
        {"ended_on": today().isoformat(), "end_reason": "Nyvalg"},
    )
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "appointment", AuditEvent.entity_id == str(appointment.id)
        )
    ).all()
    assert [e.action for e in events] == ["create", "appointment_ended"]
    assert all(e.actor_user_id == admin.id for e in events)
    assert events[-1].after and events[-1].after.get("end_reason") == "Nyvalg"
    area_events = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "appointment_area")
    ).all()
    assert len(area_events) == 1


def test_an_active_safety_rep_logs_in_with_the_role_and_area(session):
    """The provider runs when a principal is built (at each request), through the app's
    registry; without the appointment the same account has no such role."""
    from hms_tracker.accounts.models import UserSession
    from hms_tracker.accounts.principal import build_principal
    from hms_tracker.appointments.models import AppointmentArea

    user = make_user(session)
    dept = make_department(session)
    row = UserSession(id="x" * 64, user_id=user.id, csrf_token="t")
    session.add(row)
    assert "safety_rep" not in build_principal(session, user, row, today()).roles
    a = Appointment(kind="safety_rep", person_id=user.person_id, starts_on=today())
    session.add(a)
    session.flush()
    session.add(AppointmentArea(appointment_id=a.id, department_id=dept.id))
    session.flush()
    principal = build_principal(session, user, row, today())
    assert "safety_rep" in principal.roles
    assert principal.scopes["safety_area"] == frozenset({dept.id})


def test_terms_longer_than_two_years_and_ineligible_chairs_are_refused(client, session):
    login_admin(client, session)
    kari = make_person(session, name="Kari Nordmann")
    session.commit()
    r = client.submit(
        "/appointments/new",
        new_form(
            kind="safety_rep",
            person_id=str(kari.id),
            amu_side="",
            starts_on="2026-01-01",
            ends_on="2030-12-31",
        ),
    )
    assert r.status_code == 422 and "Valgperioden er 2 år" in r.text
    deputy = Appointment(
        kind="amu_member", person_id=kari.id, starts_on=today(), amu_side="employee", is_deputy=True
    )
    session.add(deputy)
    session.commit()
    r = client.submit(
        f"/appointments/{deputy.id}/chair", {"starts_on": today().isoformat(), "ends_on": ""}
    )
    assert r.status_code == 422 and "faste medlemmene" in r.text
