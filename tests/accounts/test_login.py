"""Login, logout, session rotation and expiry, throttling."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from hms_tracker.accounts.models import LoginThrottle, UserSession
from hms_tracker.db import utcnow
from tests.conftest import PASSWORD, login
from tests.factories import make_user


def test_login_then_logout(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    response = login(client, "kari@test.example")
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "hms_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/", follow_redirects=False).status_code == 200

    logout = client.submit("/logout", {})
    assert logout.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303
    rows = session.exec(select(UserSession)).all()
    assert len(rows) == 1 and rows[0].ended_at is not None and rows[0].end_reason == "logout"


def test_login_is_case_insensitive_on_email(client, session):
    make_user(session, email="ola@test.example")
    session.commit()
    login(client, "  OLA@Test.Example ")


def test_wrong_password_and_unknown_email_give_the_same_message(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    wrong = client.submit("/login", {"email": "kari@test.example", "password": "feil-passord"})
    unknown = client.submit("/login", {"email": "finnes@ikke.no", "password": "feil-passord"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Feil e-postadresse eller passord." in wrong.text
    assert "Feil e-postadresse eller passord." in unknown.text
    assert 'value="kari@test.example"' in wrong.text  # the form keeps what was typed


def test_empty_login_form_names_each_field(client):
    response = client.submit("/login", {"email": "", "password": ""})
    assert response.status_code == 422
    assert "Skriv inn e-postadressen din." in response.text
    assert "Skriv inn passordet ditt." in response.text


def test_session_is_rotated_at_login(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    first = login(client, "kari@test.example").cookies["hms_session"]
    second = login(client, "kari@test.example").cookies["hms_session"]
    assert first != second
    ended = session.exec(select(UserSession).where(UserSession.end_reason == "rotated")).all()
    assert len(ended) == 1


def test_idle_session_expires(client, session, settings):
    make_user(session, email="kari@test.example")
    session.commit()
    login(client, "kari@test.example")
    row = session.exec(select(UserSession)).one()
    row.last_seen_at = utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)
    session.add(row)
    session.commit()
    response = client.get("/?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2F%3Fx%3D1")
    assert "expired=1" in response.headers["location"]
    session.expire_all()
    assert session.exec(select(UserSession)).one().end_reason == "expired"
    page = client.get(response.headers["location"])
    assert "ikke hadde vært aktiv" in page.text


def test_inactive_account_cannot_log_in(client, session):
    user = make_user(session, email="kari@test.example")
    user.is_active = False
    session.commit()
    response = client.submit("/login", {"email": "kari@test.example", "password": PASSWORD})
    assert response.status_code == 422


def test_repeated_failures_slow_down_then_lock(client, session, settings):
    make_user(session, email="kari@test.example")
    session.commit()
    for _ in range(settings.login_slowdown_after):
        r = client.submit("/login", {"email": "kari@test.example", "password": "feil"})
        assert r.status_code == 422
    # Now each attempt must wait; even the right password is refused until then.
    r = client.submit("/login", {"email": "kari@test.example", "password": PASSWORD})
    assert r.status_code == 429
    assert "For mange mislykkede forsøk" in r.text

    # Pretend the waits passed, with failures up to the lock threshold.
    row = session.get(LoginThrottle, _email_key("kari@test.example"))
    row.failures = settings.login_lock_after - 1
    assert settings.login_slowdown_after == 3
    row.last_failed_at = utcnow() - timedelta(seconds=2 ** (row.failures - 3) + 5)
    session.add(row)
    session.commit()
    r = client.submit("/login", {"email": "kari@test.example", "password": "feil"})
    assert r.status_code == 422
    session.expire_all()
    row = session.get(LoginThrottle, _email_key("kari@test.example"))
    assert row.locked_until is not None and row.locked_until > utcnow()
    r = client.submit("/login", {"email": "kari@test.example", "password": PASSWORD})
    assert r.status_code == 429


def test_throttle_does_not_reveal_unknown_emails(client, settings):
    for _ in range(settings.login_slowdown_after):
        client.submit("/login", {"email": "ukjent@test.example", "password": "feil"})
    r = client.submit("/login", {"email": "ukjent@test.example", "password": "feil"})
    assert r.status_code == 429


def test_successful_login_clears_account_failures(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    client.submit("/login", {"email": "kari@test.example", "password": "feil"})
    login(client, "kari@test.example")
    session.expire_all()
    assert session.get(LoginThrottle, _email_key("kari@test.example")).failures == 0


def _email_key(email: str) -> str:
    from hms_tracker.accounts.service import _throttle_key

    return _throttle_key("email", email)


def test_login_is_recorded_as_done_by_the_user(client, session):
    from hms_tracker.audit.models import AuditEvent

    user = make_user(session, email="kari@test.example")
    session.commit()
    login(client, "kari@test.example")
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "app_user", AuditEvent.action == "update")
    ).one()
    assert "last_login_at" in event.after
    assert event.actor_user_id == user.id and event.actor_label == "kari@test.example"


def test_successful_logins_from_one_address_are_not_counted_as_failures(request, settings):
    """Every attempt counts in advance (so simultaneous guesses are throttled); a success
    takes its count back from the client address: an office logs in all morning."""
    settings.login_client_factor = 1  # the address slows down after 3 failures, as an e-mail
    client, session = request.getfixturevalue("client"), request.getfixturevalue("session")
    users = [make_user(session) for _ in range(settings.login_slowdown_after + 1)]
    session.commit()
    for user in users:
        login(client, user.email)
        client.cookies.clear()
    client_row = session.exec(select(LoginThrottle).where(LoginThrottle.key.startswith("client:")))
    assert [row.failures for row in client_row] == [0]
