"""Every state-changing request needs the session's CSRF token."""

from __future__ import annotations

from tests.conftest import login
from tests.factories import make_user


def test_login_post_without_token_is_refused(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    client.get("/login")
    r = client.post("/login", data={"email": "kari@test.example", "password": "x"})
    assert r.status_code == 403


def test_post_with_wrong_token_is_refused(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    login(client, "kari@test.example")
    r = client.post("/logout", data={"csrf_token": "not-the-token"}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still logged in


def test_pre_login_token_does_not_work_after_login(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    anon_token = client.token("/login")
    login(client, "kari@test.example")
    r = client.post("/logout", data={"csrf_token": anon_token}, follow_redirects=False)
    assert r.status_code == 403


def test_htmx_header_token_is_accepted(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    login(client, "kari@test.example")
    token = client.token("/")
    r = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert r.status_code == 303
