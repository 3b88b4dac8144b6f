"""The admin's account panel on a person's page: create, deactivate, end sessions."""

from __future__ import annotations

from sqlmodel import select

from hms_tracker.accounts.models import User, UserSession
from hms_tracker.audit.models import AuditEvent
from tests.conftest import AppClient, login
from tests.factories import make_department, make_leader, make_person, make_user
from tests.login import login_admin


def test_admin_creates_an_account_that_can_log_in(client, session, app):
    login_admin(client, session)
    person = make_person(session, name="Kari Nordmann", email="kari@firma.no")
    session.commit()
    page = client.get(f"/people/{person.id}").text
    assert "har ingen konto og kan ikke logge inn" in page
    assert 'value="kari@firma.no"' in page  # the person's e-mail is the default
    r = client.submit(
        f"/people/{person.id}/account",
        {"email": "kari@firma.no", "password": "et-langt-passord", "is_admin": "true"},
    )
    assert r.status_code == 303
    user = session.exec(select(User).where(User.person_id == person.id)).one()
    assert user.is_admin and user.is_active
    with AppClient(app) as kari:
        login(kari, "kari@firma.no", "et-langt-passord")
    page = client.get(f"/people/{person.id}").text
    assert "Kontoen er opprettet." in page
    assert "Aktive innlogginger" in page


def test_bad_account_form_keeps_the_email_but_never_the_password(client, session):
    login_admin(client, session)
    person = make_person(session, email="kari@firma.no")
    session.commit()
    r = client.submit(
        f"/people/{person.id}/account",
        {"email": "annen@firma.no", "password": "kort-pw"},
    )
    assert r.status_code == 422
    assert "ds-error-summary" in r.text and 'href="#field-password"' in r.text
    assert 'value="annen@firma.no"' in r.text
    assert "kort-pw" not in r.text
    assert session.exec(select(User).where(User.person_id == person.id)).first() is None


def test_end_all_sessions_logs_the_user_out(client, session, app):
    login_admin(client, session)
    user = make_user(session, email="ola@test.example")
    session.commit()
    with AppClient(app) as ola:
        login(ola, "ola@test.example")
        assert ola.get("/", follow_redirects=False).status_code == 200
        page = client.get(f"/people/{user.person_id}").text
        assert "Avslutt alle innlogginger" in page
        r = client.submit(f"/people/{user.person_id}/account/sessions/end", {})
        assert r.status_code == 303
        assert ola.get("/", follow_redirects=False).status_code == 303
    live = session.exec(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at == None)  # noqa: E711
    ).all()
    assert live == []
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "sessions_ended")).first()
        is not None
    )


def test_deactivate_stops_login_and_activate_restores_it(client, session, app):
    login_admin(client, session)
    user = make_user(session, email="ola@test.example")
    session.commit()
    with AppClient(app) as ola:
        login(ola, "ola@test.example")
        r = client.submit(f"/people/{user.person_id}/account/active", {"is_active": "false"})
        assert r.status_code == 303
        assert ola.get("/", follow_redirects=False).status_code == 303
        refused = ola.submit(
            "/login", {"email": "ola@test.example", "password": "riktig-passord-123"}
        )
        assert refused.status_code == 422
    session.refresh(user)
    assert user.is_active is False
    client.submit(f"/people/{user.person_id}/account/active", {"is_active": "true"})
    session.refresh(user)
    assert user.is_active is True


def test_admin_role_is_toggled_but_not_removed_from_oneself(client, session):
    admin = login_admin(client, session)
    user = make_user(session, email="ola@test.example")
    session.commit()
    client.submit(f"/people/{user.person_id}/account/admin", {"is_admin": "true"})
    session.refresh(user)
    assert user.is_admin
    r = client.submit(f"/people/{admin.person_id}/account/admin", {"is_admin": "false"})
    assert r.status_code == 303
    session.refresh(admin)
    assert admin.is_admin
    r = client.submit(f"/people/{admin.person_id}/account/active", {"is_active": "false"})
    session.refresh(admin)
    assert admin.is_active


def test_account_panel_is_for_admins_only(client, session):
    lager = make_department(session, name="Lager")
    leader = make_leader(session, department=lager)
    worker = make_user(session, department=lager, email="ola@test.example")
    session.commit()
    login(client, leader.email)
    page = client.get(f"/people/{worker.person_id}").text
    assert "Konto" not in page
    for path, data in (
        ("account/sessions/end", {}),
        ("account/active", {"is_active": "false"}),
        ("account", {"email": "x@firma.no", "password": "et-langt-passord"}),
    ):
        r = client.submit(f"/people/{worker.person_id}/{path}", data)
        assert r.status_code == 403, path
    session.refresh(worker)
    assert worker.is_active


def test_account_actions_on_a_person_without_account_are_404(client, session):
    login_admin(client, session)
    person = make_person(session)
    session.commit()
    r = client.submit(f"/people/{person.id}/account/sessions/end", {})
    assert r.status_code == 404


def test_an_account_cannot_take_another_persons_email(client, session):
    from tests.factories import make_person

    login_admin(client, session)
    make_person(session, name="Aksel Johannessen", email="aksel@test.example")
    lonely = make_person(session, name="Uten Konto", email=None)
    session.commit()
    r = client.submit(
        f"/people/{lonely.id}/account",
        {"email": "aksel@test.example", "password": "langt-nok-passord"},
        token_page=f"/people/{lonely.id}",
    )
    assert r.status_code == 422
    assert "tilhører Aksel Johannessen" in r.text


def test_spaces_in_a_password_are_kept(client, session):
    from tests.factories import make_person

    login_admin(client, session)
    person = make_person(session, name="Ny Bruker", email="ny@test.example")
    session.commit()
    r = client.submit(
        f"/people/{person.id}/account",
        {"email": "ny@test.example", "password": " med mellomrom "},
        token_page=f"/people/{person.id}",
    )
    assert r.status_code == 303
    other = client.__class__(client.app)
    with other:
        login(other, "ny@test.example", " med mellomrom ")
