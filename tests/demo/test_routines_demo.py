"""The demo's routines: fifteen for the workshop, three past their review date, one new
version most people have not read, the whistleblowing routine, and reading to do for the
demo employee."""

from __future__ import annotations

from sqlmodel import select

from hms_tracker.organisation.models import Person
from hms_tracker.routines import service
from hms_tracker.routines.markdown import render_markdown
from hms_tracker.routines.models import Routine, RoutineAcknowledgement, RoutineVersion
from hms_tracker.rules.facts import evaluate_on
from tests.demo.conftest import TODAY


def test_demo_has_fifteen_routines_three_overdue_and_the_whistleblowing_routine(demo, session):
    routines = session.exec(select(Routine)).all()
    assert len(routines) == 15
    findings = {f.rule: f for f in evaluate_on(session=session, day=TODAY).findings}
    overdue = findings["routines.review-overdue"]
    assert overdue.is_gap
    assert sorted(ref.label for ref in overdue.evidence) == [
        "Avfallshåndtering og farlig avfall",
        "Ergonomi og manuelt arbeid",
        "Støy og hørselvern",
    ]
    assert not findings["aml-2a-6.whistleblowing-routine"].is_gap
    # The list's stored review dates agree with the rule engine.
    assert sorted(r.title for r in routines if r.next_review_on and r.next_review_on < TODAY) == [
        "Avfallshåndtering og farlig avfall",
        "Ergonomi og manuelt arbeid",
        "Støy og hørselvern",
    ]
    for version in session.exec(select(RoutineVersion)).all():
        html = str(render_markdown(version.body))
        assert "<ul>" in html or "<ol>" in html, version.title  # every routine has steps
        assert "<h1>" not in html and "<h2>" not in html


def test_demo_fire_routine_has_a_new_version_awaiting_acknowledgement(demo, session):
    fire = session.exec(select(Routine).where(Routine.title == "Brannvern og evakuering")).one()
    versions = session.exec(
        select(RoutineVersion)
        .where(RoutineVersion.routine_id == fire.id)
        .order_by(RoutineVersion.number)
    ).all()
    assert [(v.number, v.status) for v in versions] == [(1, "archived"), (2, "published")]
    first, second = (
        service.coverage(session=session, routine=fire, version=v, today=TODAY) for v in versions
    )
    assert first.acknowledged > 2 * second.acknowledged
    assert second.required == first.required and second.acknowledged < second.required
    diff = service.diff_versions(versions[0], versions[1])
    assert any(
        line.kind == "insert" and "parkeringsplassen øst" in line.text for line in diff[2].lines
    )
    assert len(session.exec(select(RoutineAcknowledgement)).all()) > 300


def test_demo_employee_has_routines_to_read(demo, session):
    employee = session.exec(select(Person).where(Person.email == "ansatt@example.com")).one()
    rows = service.reading_list(session=session, person=employee, today=TODAY)
    unread = [r.routine.title for r in rows if r.acknowledged_at is None]
    read = [r.routine.title for r in rows if r.acknowledged_at is not None]
    assert "Brannvern og evakuering" in unread and "Truckkjøring" in unread
    assert read  # and some routines already read
    assert "Støy og hørselvern" not in unread + read  # production only


def test_demo_acknowledgements_are_in_the_past_and_after_their_publication(demo, session):
    """Every "lest og forstått" happened before the demo's day began (so never later than
    now when the demo is built for today) and after its version was published."""
    from datetime import datetime, time

    from hms_tracker.web.i18n import OSLO

    start_of_today = datetime.combine(TODAY, time(0), OSLO)
    rows = session.exec(
        select(RoutineAcknowledgement.acknowledged_at, RoutineVersion.published_at).join(
            RoutineVersion, RoutineVersion.id == RoutineAcknowledgement.routine_version_id
        )
    ).all()
    assert rows
    assert max(at for at, _published in rows) < start_of_today
    assert all(published is not None and at >= published for at, published in rows)
