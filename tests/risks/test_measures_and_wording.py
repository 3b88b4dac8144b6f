"""On both databases: an overdue planned measure on a risk shows on /gaps (and the list can
show those risks only); the matrix cell's filter reads as two filters; the edit form's
conflict table speaks in names and dates, not ids."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from hms_tracker.db import utcnow
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.rules.facts import evaluate_on
from hms_tracker.web.i18n import format_date, set_language
from tests.conftest import login
from tests.factories import make_department, make_person, make_user
from tests.risks.helpers import make_risk, principal_for, risk_form

RULE = "ik-5-6.risk-measures-overdue"
LOW = {"consequence": 2, "probability": 2}  # below the routine threshold: one finding


def measure(session, risk, owner, deadline, **fields):
    action = CorrectiveAction(
        risk_id=risk.id,
        description=f"Tiltak for {risk.title}",
        owner_person_id=owner.person_id,
        deadline=deadline,
        **fields,
    )
    session.add(action)
    session.flush()
    return action


def test_an_overdue_planned_measure_is_a_gap_on_gaps(client, session, today):
    verksted = make_department(session, name="Verksted")
    admin = make_user(session, is_admin=True, department=verksted)
    principal = principal_for(session, admin, today)
    late = make_risk(session, principal, verksted, today, title="Støv fra sliping", **LOW)
    due_today = make_risk(session, principal, verksted, today, title="Tunge løft", **LOW)
    finished = make_risk(session, principal, verksted, today, title="Kutt", **LOW)
    archived = make_risk(session, principal, verksted, today, title="Gammel maskin", **LOW)
    yesterday = today - timedelta(days=1)
    measure(session, late, admin, yesterday)
    measure(session, due_today, admin, today)
    measure(session, finished, admin, yesterday, done_on=today)
    measure(session, finished, admin, yesterday, withdrawn_at=utcnow(), withdrawn_reason="Feil")
    measure(session, archived, admin, yesterday)
    archived.archived_on, archived.archived_reason = today, "Solgt"
    session.commit()

    [found] = [f for f in evaluate_on(session=session, day=today).findings if f.rule == RULE]
    assert found.is_gap
    assert [(r.kind, r.id) for r in found.evidence] == [("risk", late.id)]
    assert found.params == {"overdue": 1, "planned": 2, "measures": 1}

    login(client, admin.email)
    page = client.get("/gaps").text
    assert "Tiltak i risikoregisteret på overtid" in page
    assert "1 av 2 risikoer med planlagte tiltak har tiltak som har passert fristen." in page
    assert f'href="/risks/{late.id}"' in page and f'href="/risks/{due_today.id}"' not in page
    assert "internkontrollforskriften § 5 nr. 6" in page
    assert 'href="/risks?overdue_measures=1"' in page
    listing = client.get("/risks?overdue_measures=1").text
    assert f'href="/risks/{late.id}"' in listing
    assert f'href="/risks/{due_today.id}"' not in listing
    assert f'href="/risks/{finished.id}"' not in listing
    assert 'name="overdue_measures" value="1" checked' in listing

    # Done today, the gap is gone (and the finding says so).
    for action in session.exec(
        select(CorrectiveAction).where(CorrectiveAction.risk_id == late.id)
    ).all():
        action.done_on = today
        session.add(action)
    session.commit()
    page = client.get("/gaps").text
    assert "Ingen planlagte tiltak i risikoregisteret har passert fristen." in page


def test_the_matrix_cell_filter_reads_as_two_filters(client, session, today):
    verksted = make_department(session, name="Verksted")
    admin = make_user(session, is_admin=True, department=verksted)
    make_risk(
        session, principal_for(session, admin, today), verksted, today,
        consequence=5, probability=2,
    )  # fmt: skip
    session.commit()
    login(client, admin.email)
    page = client.get("/risks?consequence=5&probability=2").text
    assert "Konsekvens 5 · Sannsynlighet 2" in page
    assert "Konsekvens 5Sannsynlighet" not in re.sub(r"\s+", "", page)
    client.cookies.set("hms_lang", "en")
    english = client.get("/risks?consequence=5&probability=2").text
    assert "5Probability" not in re.sub(r"\s+", "", english)


def test_the_conflict_table_shows_names_and_dates(client, session, today):
    verksted = make_department(session, name="Verksted")
    lager = make_department(session, name="Lager")
    admin = make_user(session, is_admin=True, department=verksted)
    kari = make_user(session, person=make_person(session, name="Kari Nordmann"))
    ola = make_user(session, person=make_person(session, name="Ola Hansen"))
    risk = make_risk(
        session, principal_for(session, admin, today), verksted, today,
        owner_person_id=kari.person_id,
    )  # fmt: skip
    session.commit()
    login(client, admin.email)
    earlier = today - timedelta(days=3)
    first = client.submit(
        f"/risks/{risk.id}/edit",
        risk_form(lager, owner_person_id=ola.person_id, version="1",
                  last_assessed_on=earlier.isoformat()),
    )  # fmt: skip
    assert first.status_code == 303
    stale = client.submit(
        f"/risks/{risk.id}/edit",
        risk_form(verksted, owner_person_id=kari.person_id, version="1"),
    )
    assert stale.status_code == 409
    table = stale.text.split("Forskjeller mellom det som er lagret", 1)[1].split("</table>")[0]
    cells = re.findall(
        r"<th scope=\"row\">([^<]*)</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", table
    )
    token = set_language("nb")
    try:
        dates = (format_date(earlier), format_date(today))
    finally:
        from hms_tracker.web import i18n

        i18n._language.reset(token)
    assert ("Avdeling", "Lager", "Verksted") in cells
    assert ("Ansvarlig", "Ola Hansen", "Kari Nordmann") in cells
    assert ("Sist vurdert", *dates) in cells
    assert earlier.isoformat() not in table and today.isoformat() not in table
