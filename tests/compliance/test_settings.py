"""The rules' thresholds are company settings with the law's values as defaults."""

from __future__ import annotations

import re
from datetime import date

from tests.conftest import login
from tests.factories import make_person, make_user
from tests.login import login_admin


def _admin(client, session):
    login_admin(client, session, person=make_person(session, employed_from=date(2000, 1, 1)))


def test_changing_a_threshold_changes_the_gaps(client, session):
    for _ in range(12):
        make_person(session, employed_from=date(2000, 1, 1))
    _admin(client, session)
    assert "AMU kan kreves" in client.get("/gaps").text
    r = client.submit("/settings", {"amu_required_from": "12"}, token_page="/settings")
    assert r.status_code == 303
    page = client.get("/gaps").text
    assert "Bedriften skal ha arbeidsmiljøutvalg (AMU)" in page
    client.submit("/settings", {"amu_required_from": ""}, token_page="/settings")  # back to the law
    assert "AMU kan kreves" in client.get("/gaps").text


def test_bad_values_come_back_with_a_message_and_what_was_typed(client, session):
    _admin(client, session)
    r = client.submit(
        "/settings", {"grace_months": "seks", "expiring_days": "0"}, token_page="/settings"
    )
    assert r.status_code == 422
    assert "Skriv et tall." in r.text and 'value="seks"' in r.text
    assert "Tallet må være mellom 1 og 365." in r.text
    page = client.get("/settings").text
    assert "Standardverdi: 6." in page  # the grace period is not the law's


def test_only_thresholds_the_law_sets_say_lovens_verdi(client, session):
    _admin(client, session)
    page = client.get("/settings").text
    hints = dict(re.findall(r'id="hint-([a-z_]+)"[^>]*>([^<]*)<', page))
    law = {
        "safety_rep_min_employees": "5",
        "amu_required_from": "30",
        "amu_may_be_demanded_from": "10",
        "amu_min_weekly_hours": "20",
        "agreement_max_years": "2",
        "whistleblowing_min_employees": "5",
    }
    for name, value in law.items():
        assert f"Lovens verdi: {value}." in hints[name], name
    for name, value in {
        "grace_months": "6",
        "expiring_days": "60",
        "risk_routine_min_score": "10",
    }.items():
        assert f"Standardverdi: {value}." in hints[name] and "Lovens" not in hints[name], name
    assert page.count("Lovens verdi:") == len(law)


def test_only_the_admin_changes_settings(client, session):
    make_user(session, email="ansatt@test.example")
    session.commit()
    login(client, "ansatt@test.example")
    assert client.get("/settings").status_code == 403


def test_not_a_number_and_inconsistent_limits_are_refused(client, session):
    _admin(client, session)
    r = client.submit(
        "/settings", {"amu_min_weekly_hours": "NaN", "grace_months": "sNaN"}, token_page="/settings"
    )
    assert r.status_code == 422 and r.text.count("Skriv et tall.") >= 2
    r = client.submit(
        "/settings",
        {"amu_required_from": "12", "amu_may_be_demanded_from": "40"},
        token_page="/settings",
    )
    assert r.status_code == 422
    assert "kan ikke være høyere enn grensen" in r.text


def test_a_setting_apart_from_the_law_warns_when_saved_and_shows_on_every_rule_it_changes(
    client, session
):
    for _ in range(12):
        make_person(session, employed_from=date(2000, 1, 1))
    _admin(client, session)
    r = client.submit("/settings", {"amu_required_from": "100"}, token_page="/settings")
    assert r.status_code == 303
    settings_page = client.get("/settings").text
    assert "ikke lovens 30 (AML § 7-1)" in settings_page
    gaps = client.get("/gaps").text
    assert "Kjørt med 100 i stedet for lovens 30" in gaps
    # Beside the AMU rules only: the verneombud rule runs with the law's value.
    assert gaps.count("Kjørt med") == gaps.count("AMU kreves fra (gjennomsnittlig antall ansatte)")
    client.submit("/settings", {"amu_required_from": ""}, token_page="/settings")
    assert "Kjørt med" not in client.get("/gaps").text
    assert "ikke lovens" not in client.get("/settings").text
