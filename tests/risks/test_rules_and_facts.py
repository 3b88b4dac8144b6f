"""The risk facts from the database and the gaps page: archived risks and archived or
draft-only routines do not count; the list filter uses the same 12-month boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hms_tracker.risks import service
from hms_tracker.risks.models import RiskRoutine
from hms_tracker.routines import service as routines
from hms_tracker.rules.engine import is_assessment_overdue
from hms_tracker.rules.facts import evaluate_on, load_facts
from tests.conftest import login
from tests.factories import make_department, make_user
from tests.risks.helpers import make_risk, principal_for
from tests.routines.helpers import published_routine, routine_form

HIGH = "ik-5-6.high-risk-without-routine"
ASSESS = "ik-5-6.risk-assessment-overdue"


def _finding(session, rule, today):
    found = [f for f in evaluate_on(session=session, day=today).findings if f.rule == rule]
    return found[0] if found else None


def test_facts_leave_out_archived_risks_and_count_only_routines_in_force(session, today):
    dept = make_department(session)
    admin = principal_for(session, make_user(session, is_admin=True, department=dept), today)
    published = published_routine(session, admin, today, title="Løfting")
    draft = routines.create_routine(
        session=session, data=routine_form(title="Kjemikalier"), actor=admin, today=today
    )
    archived = published_routine(session, admin, today, title="Gammel")
    archived.archived_on = today - timedelta(days=1)
    controlled = make_risk(
        session, admin, dept, today, title="Kontrollert", consequence=5, probability=2
    )
    on_draft = make_risk(
        session, admin, dept, today, title="Bare utkast", consequence=5, probability=2
    )
    on_archived = make_risk(
        session, admin, dept, today, title="Arkivert rutine", consequence=5, probability=2
    )
    gone = make_risk(
        session, admin, dept, today, title="Arkivert risiko", consequence=5, probability=5
    )
    # An archived routine is no longer offered, but a link made before it was archived stays.
    links = ((controlled, published), (on_draft, draft), (on_archived, archived))
    for risk, routine in links:
        session.add(RiskRoutine(risk_id=risk.id, routine_id=routine.id))
    gone.archived_on = today
    session.add(gone)
    session.commit()

    facts = load_facts(session=session, day=today)
    assert {r.title for r in facts.risks} == {"Kontrollert", "Bare utkast", "Arkivert rutine"}
    result = _finding(session, HIGH, today)
    assert result.is_gap
    assert sorted(r.label for r in result.evidence) == ["Arkivert rutine", "Bare utkast"]


@pytest.mark.parametrize("days_more", [0, 1])
def test_list_filter_and_rule_agree_on_the_12_month_boundary(session, days_more, today):
    dept = make_department(session)
    admin = principal_for(session, make_user(session, is_admin=True, department=dept), today)
    from hms_tracker.rules.engine import add_months

    assessed = add_months(today, -12) - timedelta(days=days_more)
    make_risk(session, admin, dept, today, last_assessed_on=assessed.isoformat(), consequence=1)
    session.commit()
    page = service.list_risks(
        session=session, principal=admin, filters=service.ListFilters(not_assessed=True),
        today=today,
    )  # fmt: skip
    overdue = is_assessment_overdue(assessed, today)
    assert len(page.rows) == (1 if overdue else 0)
    assert _finding(session, ASSESS, today).is_gap is overdue


def test_cutoff_matches_the_rule_on_every_day_of_a_leap_year():
    for n in range(366 * 2):
        today = date(2027, 1, 1) + timedelta(days=n)
        cutoff = service.assessment_cutoff(today)
        assert not is_assessment_overdue(cutoff, today)
        assert is_assessment_overdue(cutoff - timedelta(days=1), today)


def test_gaps_page_links_the_risk_and_the_threshold_setting_changes_it(client, session, today):
    dept = make_department(session)
    admin_user = make_user(session, is_admin=True, department=dept)
    admin = principal_for(session, admin_user, today)
    risk = make_risk(session, admin, dept, today, title="Tunge løft", consequence=3, probability=3)
    session.commit()
    login(client, admin_user.email)
    page = client.get("/gaps").text
    assert "Høy risiko uten rutine" not in page  # 9 is below the default threshold
    settings_page = client.get("/settings").text
    assert "Risikotall som krever en gjeldende rutine" in settings_page
    form = {"risk_routine_min_score": "9"}
    assert client.submit("/settings", form).status_code in (200, 303)
    page = client.get("/gaps").text
    assert "Høy risiko uten rutine" in page
    assert f'href="/risks/{risk.id}">Tunge løft</a>' in page
    assert "/risks?without_routine=1&amp;min_score=9" in page
    listing = client.get("/risks?without_routine=1&min_score=9").text
    assert "Tunge løft" in listing and "Risikotall minst 9" in listing
