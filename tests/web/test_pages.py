"""Security headers, error pages in the layout, health checks, language switch."""

from __future__ import annotations

from fastapi import APIRouter

from hms_tracker.web.auth import Permission
from tests.conftest import login
from tests.factories import make_user
from tests.login import login_admin


def test_security_headers_on_every_page(client):
    for path in ("/login", "/healthz", "/this-does-not-exist"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-content-type-options"] == "nosniff"


def test_unknown_page_is_404_in_the_layout(client):
    response = client.get("/finnes-ikke")
    assert response.status_code == 404
    assert "Fant ikke siden" in response.text
    assert 'class="ds-skip-link"' in response.text  # the same layout


def test_forbidden_is_403_page(client, session):
    make_user(session, email="ansatt@test.example")
    session.commit()
    login(client, "ansatt@test.example")
    response = client.get("/audit")
    assert response.status_code == 403
    assert "Ingen tilgang" in response.text


def test_unauthenticated_page_redirects_to_login(client):
    response = client.get("/audit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faudit"


def test_too_large_request_is_413_page(client, settings):
    token = client.token("/login")
    body = {"csrf_token": token, "email": "x" * (settings.request_max_bytes + 10)}
    response = client.post("/login", data=body)
    assert response.status_code == 413
    assert "For stor forespørsel" in response.text


def test_server_error_is_500_page_without_stack_trace(app, client, session):
    router = APIRouter()

    @router.get("/boom", dependencies=[Permission("home.view")])
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    app.include_router(router)
    make_user(session, email="kari@test.example")
    session.commit()
    login(client, "kari@test.example")
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Noe gikk galt" in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


def test_readyz_reports_an_unmigrated_database(tmp_path):
    from fastapi.testclient import TestClient

    from hms_tracker.app import create_app
    from hms_tracker.config import Settings

    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path}/empty.db", var_dir=tmp_path, secret_key="k")
    )
    with TestClient(app) as c:
        response = c.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "not migrated"


def test_language_switch_sets_english_and_back(client):
    token = client.token("/login")
    response = client.post(
        "/language",
        data={"csrf_token": token, "language": "en", "next": "/login"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/login"
    page = client.get("/login")
    assert '<html lang="en"' in page.text
    assert page.headers["content-language"] == "en"
    client.post("/language", data={"csrf_token": client.token("/login"), "language": "nb"})
    assert '<html lang="nb"' in client.get("/login").text


def test_language_switch_ignores_foreign_redirects(client):
    token = client.token("/login")
    response = client.post(
        "/language",
        data={"csrf_token": token, "language": "en", "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_language_choice_is_remembered_on_the_account(client, session):
    user = make_user(session, email="kari@test.example")
    session.commit()
    login(client, "kari@test.example")
    client.submit("/language", {"language": "en", "next": "/"})
    session.refresh(user)
    assert user.language == "en"


def test_bokmal_is_the_default_whatever_the_browser_asks(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="nb"' in page.text and "Logg inn" in page.text


def test_start_page_shows_the_counts_the_law_uses(client, session):
    from datetime import date

    from tests.factories import make_person

    make_user(
        session,
        email="admin@test.example",
        is_admin=True,
        person=make_person(session, employed_from=date(2000, 1, 1)),
    )
    make_person(session, employed_from=date(2000, 1, 1), weekly_hours="10")
    session.commit()
    login(client, "admin@test.example")
    page = client.get("/")
    assert "Antall ansatte slik loven teller" in page.text
    # two employed today; last year's average counts only the one with ≥ 20 h/week
    assert "<dd>2 " in page.text and "<dd>1 " in page.text


def test_employee_start_page_has_no_counts(client, session):
    make_user(session, email="ansatt@test.example")
    session.commit()
    login(client, "ansatt@test.example")
    assert "Antall ansatte slik loven teller" not in client.get("/").text


def test_unknown_page_keeps_the_menu_for_a_logged_in_user(client, session):
    make_user(session, email="kari@test.example")
    session.commit()
    login(client, "kari@test.example")
    page = client.get("/finnes-ikke")
    assert page.status_code == 404
    assert 'action="/logout"' in page.text


def test_form_macros_point_inputs_to_their_hint_and_error():
    from hms_tracker.web.templating import env

    macros = env.get_template("components/forms.html").module
    html = str(macros.select("kind", "Type", [("a", "A")], hint="Hjelp", errors={"kind": "Feil"}))
    assert 'aria-describedby="hint-kind error-kind"' in html
    html = str(macros.select("kind", "Type", [("a", "A")], hint="Hjelp"))
    assert 'aria-describedby="hint-kind"' in html and "aria-invalid" not in html
    html = str(macros.textarea("note", "Notat", errors={"note": "Feil"}))
    assert 'aria-describedby="error-note"' in html


def test_huge_ids_are_unknown_ids_not_errors(client, session):
    login_admin(client, session)
    for path in (
        "/people/99999999999999999999999",
        "/departments/9223372036854775808",
        "/appointments/99999999999999999999999",
    ):
        assert client.get(path).status_code == 404, path


def test_a_form_sent_after_the_session_expired_says_so(client, session, settings):
    from datetime import timedelta

    from sqlmodel import select

    from hms_tracker.accounts.models import UserSession
    from hms_tracker.db import utcnow

    make_user(session, email="kari@test.example")
    session.commit()
    login(client, "kari@test.example")
    token = client.token("/")
    row = session.exec(select(UserSession)).one()
    row.last_seen_at = utcnow() - timedelta(hours=2)
    session.add(row)
    session.commit()
    r = client.post("/language", data={"csrf_token": token, "language": "en"})
    assert r.status_code == 403
    assert "ikke hadde vært aktiv" in r.text and "Logg inn og fortsett" in r.text
