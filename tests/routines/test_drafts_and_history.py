"""Routines on both databases: a draft keeps its scope, tags and review interval until it
is published, a draft can be discarded (kept, marked discarded), the rules read the version
history for a past day, and a review that asks for a new version does not make the routine
up to date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from hms_tracker.errors import EditConflict, Forbidden, TransitionRefused
from hms_tracker.routines import service
from hms_tracker.routines.forms import ReviewForm, TextForm
from hms_tracker.routines.models import RoutineVersion
from hms_tracker.rules.engine import add_months
from hms_tracker.rules.facts import evaluate_on, load_routine_facts
from hms_tracker.web.dates import today
from tests.factories import make_department, make_person, make_user
from tests.routines.helpers import new_version, principal_for, published_routine, routine_form

WHISTLE = "aml-2a-6.whistleblowing-routine"
OVERDUE = "routines.review-overdue"


def findings_on(session, day):
    return {f.rule: f for f in evaluate_on(session=session, day=day).findings}


def test_a_draft_keeps_scope_tags_and_interval_until_it_is_published(session):
    day = today()
    admin = principal_for(session, make_user(session, is_admin=True), day)
    workshop = make_department(session, name="Verksted")
    office = make_department(session, name="Kontor")
    worker = make_user(session, department=workshop)
    clerk = make_user(session, department=office)
    for _ in range(5):
        make_person(session)
    published_on = day - timedelta(days=30)
    routine = published_routine(
        session, admin, published_on, title="Si fra", tags="avvik",
        scope="departments", department_ids=[workshop.id], review_interval_months=12,
    )  # fmt: skip
    session.commit()
    due = add_months(published_on, 12)
    assert routine.next_review_on == due
    assert findings_on(session, day)[WHISTLE].is_gap

    service.save_draft(
        session=session, routine=routine,
        data=routine_form(title="Si fra", body="Ny tekst", tags="avvik, varsling",
                          scope="company", review_interval_months=6),
        actor=admin, version=routine.version, today=day,
    )  # fmt: skip
    session.commit()
    # Nothing of the version in force changed: scope, tags, interval, review date, readers.
    assert routine.whole_company is False and routine.review_interval_months == 12
    assert service.tags_of(session=session, routine=routine) == ["avvik"]
    assert service.scope_department_ids(session=session, routine=routine) == [workshop.id]
    assert routine.next_review_on == due
    assert findings_on(session, day)[WHISTLE].is_gap  # `varsling` only counts once published
    clerk_p = principal_for(session, clerk, day)
    assert [r.routine.title for r in service.reading_list(
        session=session, person=clerk_p.person, today=day)] == []  # fmt: skip
    draft = service.draft_version(session=session, routine=routine)
    pending = service.pending_settings(draft)
    assert pending == service.PendingSettings(True, [], ["avvik", "varsling"], 6)

    # The owner's text-only save keeps what the coordinator chose for the draft.
    service.save_draft(
        session=session, routine=routine, data=TextForm(title="Si fra", body="Enda nyere"),
        actor=admin, version=routine.version, today=day,
    )  # fmt: skip
    assert service.pending_settings(draft) == pending

    service.publish(
        session=session, routine=routine, actor=admin, version=routine.version, today=day
    )
    session.commit()
    assert routine.whole_company is True and routine.review_interval_months == 6
    assert service.tags_of(session=session, routine=routine) == ["avvik", "varsling"]
    assert service.scope_department_ids(session=session, routine=routine) == []
    assert routine.next_review_on == add_months(day, 6)
    assert service.pending_settings(session.get(RoutineVersion, draft.id)) is None
    assert not findings_on(session, day)[WHISTLE].is_gap
    assert [r.routine.title for r in service.reading_list(
        session=session, person=clerk_p.person, today=day)] == ["Si fra"]  # fmt: skip
    assert worker  # in scope before and after


def test_a_first_draft_takes_scope_and_tags_at_once(session):
    day = today()
    admin = principal_for(session, make_user(session, is_admin=True), day)
    workshop = make_department(session, name="Verksted")
    routine = service.create_routine(
        session=session, data=routine_form(title="Truck"), actor=admin, today=day
    )
    service.save_draft(
        session=session, routine=routine,
        data=routine_form(title="Truck", tags="truck", scope="departments",
                          department_ids=[workshop.id], review_interval_months=24),
        actor=admin, version=routine.version, today=day,
    )  # fmt: skip
    assert routine.whole_company is False and routine.review_interval_months == 24
    assert service.tags_of(session=session, routine=routine) == ["truck"]
    draft = service.draft_version(session=session, routine=routine)
    assert service.pending_settings(draft) is None


def test_a_draft_is_discarded_and_kept_by_the_coordinator_or_the_owner(session):
    day = today()
    admin = principal_for(session, make_user(session, is_admin=True), day)
    owner_user = make_user(session)
    other = principal_for(session, make_user(session), day)
    routine = published_routine(session, admin, day, owner_id=owner_user.person_id)
    owner = principal_for(session, owner_user, day)
    service.save_draft(
        session=session, routine=routine,
        data=routine_form(body="Utkast", tags="varsling", owner_id=owner_user.person_id),
        actor=admin, version=routine.version, today=day,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        service.discard_draft(
            session=session, routine=routine, actor=other, version=routine.version
        )
    with pytest.raises(EditConflict):
        service.discard_draft(
            session=session, routine=routine, actor=owner, version=routine.version - 1
        )
    discarded = service.discard_draft(
        session=session, routine=routine, actor=owner, version=routine.version
    )
    session.commit()
    assert discarded.status == "discarded" and discarded.number is None
    assert discarded.archived_at is not None and discarded.body == "Utkast"
    assert service.draft_version(session=session, routine=routine) is None
    assert service.current_version(session=session, routine=routine).number == 1
    assert service.tags_of(session=session, routine=routine) == ["brann"]
    with pytest.raises(TransitionRefused):
        service.discard_draft(
            session=session, routine=routine, actor=admin, version=routine.version
        )
    # A new draft can be started; the discarded one stays in the table.
    new_version(session, admin, routine, day, "Versjon 2")
    statuses = sorted(
        session.exec(
            select(RoutineVersion.status).where(RoutineVersion.routine_id == routine.id)
        ).all()
    )
    assert statuses == ["archived", "discarded", "published"]


def test_a_past_day_counts_the_version_in_force_on_that_day(session):
    day = today()
    admin = principal_for(session, make_user(session, is_admin=True), day)
    for _ in range(5):
        make_person(session)
    last_year = day - timedelta(days=300)
    routine = published_routine(
        session, admin, last_year, title="Varsling v1", tags="varsling", review_interval_months=12
    )
    new_version(session, admin, routine, day, "Ny tekst", title="Varsling v2")
    session.commit()

    past = day - timedelta(days=30)
    [fact] = load_routine_facts(session=session, day=past)
    assert (fact.id, fact.title, fact.reviewed_on) == (routine.id, "Varsling v1", last_year)
    assert not findings_on(session, past)[WHISTLE].is_gap
    [fact] = load_routine_facts(session=session, day=day)
    assert (fact.title, fact.reviewed_on) == ("Varsling v2", day)
    # Before the first version there was nothing in force.
    assert load_routine_facts(session=session, day=last_year - timedelta(days=1)) == ()
    assert findings_on(session, last_year - timedelta(days=1))[WHISTLE].is_gap

    # Archived today: in force on a past day still, not today.
    service.archive_routine(
        session=session, routine=routine, actor=admin, reason="Erstattet",
        version=routine.version, today=day,
    )  # fmt: skip
    session.commit()
    assert [f.title for f in load_routine_facts(session=session, day=past)] == ["Varsling v1"]
    assert load_routine_facts(session=session, day=day) == ()


def test_a_review_asking_for_a_new_version_keeps_the_routine_overdue(session):
    day = today()
    admin = principal_for(session, make_user(session, is_admin=True), day)
    published_on = day - timedelta(days=400)
    routine = published_routine(session, admin, published_on, title="Stoffkartotek")
    session.commit()
    due = add_months(published_on, 12)
    assert findings_on(session, day)[OVERDUE].is_gap

    service.record_review(
        session=session, routine=routine,
        data=ReviewForm(reviewed_on=day, outcome="new_version", note="Nye stoffer"),
        actor=admin, today=day,
    )  # fmt: skip
    session.commit()
    assert routine.next_review_on == due  # unchanged: still overdue
    overdue = findings_on(session, day)[OVERDUE]
    assert overdue.is_gap and [r.id for r in overdue.evidence] == [routine.id]
    reviews = service.review_log(session=session, routine=routine)
    current = service.current_version(session=session, routine=routine)
    assert service.new_version_requested(reviews, current) == day

    new_version(session, admin, routine, day, "Oppdatert kartotek")
    session.commit()
    assert routine.next_review_on == add_months(day, 12)
    assert not findings_on(session, day)[OVERDUE].is_gap
    reviews = service.review_log(session=session, routine=routine)
    current = service.current_version(session=session, routine=routine)
    assert service.new_version_requested(reviews, current) is None


def test_a_review_without_change_after_asking_for_a_new_version_counts(session):
    day = today()
    admin = principal_for(session, make_user(session, is_admin=True), day)
    published_on = day - timedelta(days=400)
    routine = published_routine(session, admin, published_on)
    for outcome, when in (("new_version", day - timedelta(days=2)), ("no_change", day)):
        service.record_review(
            session=session, routine=routine,
            data=ReviewForm(reviewed_on=when, outcome=outcome), actor=admin, today=day,
        )  # fmt: skip
    session.commit()
    assert routine.next_review_on == add_months(day, 12)
    assert not findings_on(session, day)[OVERDUE].is_gap
    reviews = service.review_log(session=session, routine=routine)
    current = service.current_version(session=session, routine=routine)
    assert service.new_version_requested(reviews, current) is None


def test_a_department_whistleblowing_routine_does_not_satisfy_aml_2a_6(session):
    day = today()
    admin = principal_for(session, make_user(session, is_admin=True), day)
    workshop = make_department(session, name="Verksted")
    for _ in range(5):
        make_person(session, department=workshop)
    published_routine(
        session, admin, day, title="Varsling i verkstedet", tags="varsling",
        scope="departments", department_ids=[workshop.id],
    )  # fmt: skip
    session.commit()
    [fact] = load_routine_facts(session=session, day=day)
    assert fact.whole_company is False
    assert findings_on(session, day)[WHISTLE].is_gap
    published_routine(session, admin, day, title="Varsling", tags="varsling")
    session.commit()
    found = findings_on(session, day)[WHISTLE]
    assert not found.is_gap and [r.label for r in found.evidence] == ["Varsling"]
