"""A form refused for its token keeps what was typed on the refusal page, for the browser
tab to put back (static/form-draft.js; the journey is in tests/browser/test_form_draft.py):
after the session ended, and after a logout and login in another tab. Both databases."""

from __future__ import annotations

import json
import re

from tests.factories import make_department, make_user
from tests.login import login_as

HOSTILE = "Stige </script><script>alert(1)</script>"


def _draft(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="form-draft">(.*?)</script>', html, re.S)
    assert match, "no draft on the page"
    return json.loads(match.group(1))


def test_a_report_refused_after_logout_keeps_what_was_typed_for_the_tab(client, session):
    department = make_department(session, name="Lager")
    user = make_user(session, department=department)
    session.commit()
    login_as(client, session, user)
    token = client.token("/deviations/new")
    client.post("/logout", data={"csrf_token": token})
    response = client.post(
        "/deviations/new",
        data={"csrf_token": token, "title": HOSTILE, "description": "Linje 1\nLinje 2",
              "department_id": str(department.id)},
        headers={"referer": "http://testserver/deviations/new"},
        files={"files": ("bilde.jpg", b"\xff\xd8\xff", "image/jpeg")},
    )  # fmt: skip
    assert response.status_code == 403
    assert "<script>alert(1)</script>" not in response.text  # no way out of the JSON block
    draft = _draft(response.text)
    assert draft["action"] == "/deviations/new"
    assert ["title", HOSTILE] in draft["fields"]
    assert ["description", "Linje 1\nLinje 2"] in draft["fields"]
    assert not any(name == "csrf_token" for name, _value in draft["fields"])
    assert "Vedlegg må legges ved på nytt." in draft["notice"]  # files cannot be kept
    assert 'href="/login?next=%2Fdeviations%2Fnew"' in response.text
    assert "Logg inn og fortsett" in response.text


def test_a_stale_page_while_logged_in_goes_back_to_the_form(client, session):
    user = make_user(session, department=make_department(session, name="Verksted"))
    session.commit()
    login_as(client, session, user)
    response = client.post(
        "/deviations/new",
        data={"csrf_token": "fra-en-gammel-side", "title": "Gnister fra slipemaskin"},
        headers={"referer": "http://testserver/deviations/new?category=hazard"},
    )
    assert response.status_code == 403
    assert ["title", "Gnister fra slipemaskin"] in _draft(response.text)["fields"]
    assert 'href="/deviations/new?category=hazard"' in response.text
    assert "Tilbake til skjemaet" in response.text


def test_another_sites_page_is_not_where_it_goes_back_to(client, session):
    user = make_user(session)
    session.commit()
    login_as(client, session, user)
    response = client.post(
        "/deviations/new",
        data={"csrf_token": "x", "title": "T"},
        headers={"referer": "https://angriper.example/skjema"},
    )
    assert response.status_code == 403
    assert "angriper.example" not in response.text
    assert 'href="/"' in response.text
