"""Routines through the service on both databases: versions and diffs, reviews, who must
read what, and the rules computed from the stored routines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from hms_tracker.errors import EditConflict, Forbidden, InvalidInput, TransitionRefused
from hms_tracker.organisation.models import Person
from hms_tracker.routines import access, service
from hms_tracker.routines.forms import ReviewForm, TextForm
from hms_tracker.routines.models import RoutineAcknowledgement, RoutineVersion
from hms_tracker.rules.engine import add_months
from hms_tracker.rules.facts import evaluate_on
from tests.factories import make_department, make_person, make_user
from tests.routines.helpers import new_version, principal_for, published_routine, routine_form

DAY = date(2026, 11, 25)


def admin_principal(session):
    return principal_for(session, make_user(session, is_admin=True), DAY)


def test_publishing_numbers_versions_and_archives_the_previous(session):
    admin = admin_principal(session)
    routine = published_routine(session, admin, DAY - timedelta(days=30))
    first = service.current_version(session=session, routine=routine)
    assert first.number == 1 and first.status == "published"
    assert service.draft_version(session=session, routine=routine) is None

    assert new_version(session, admin, routine, DAY, "# Ved brann\n\n1. Varsle 110\n2. Redde") == 2
    session.commit()
    versions = session.exec(
        select(RoutineVersion)
        .where(RoutineVersion.routine_id == routine.id)
        .order_by(RoutineVersion.number)
    ).all()
    assert [(v.number, v.status) for v in versions] == [(1, "archived"), (2, "published")]
    assert versions[0].archived_at is not None
    assert service.get_version(session=session, routine=routine, number=1).body.startswith(
        "# Ved brann"
    )
    assert routine.next_review_on == add_months(DAY, 12)


def test_editing_updates_one_draft_and_the_version_in_force_stays(session):
    admin = admin_principal(session)
    routine = published_routine(session, admin, DAY)
    for body in ("Utkast 1", "Utkast 2"):
        service.save_draft(
            session=session,
            routine=routine,
            data=TextForm(title="Brannvern", body=body),
            actor=admin,
            version=routine.version,
            today=DAY,
        )
    drafts = session.exec(
        select(RoutineVersion).where(
            RoutineVersion.routine_id == routine.id, RoutineVersion.status == "draft"
        )
    ).all()
    assert [d.body for d in drafts] == ["Utkast 2"]
    assert service.current_version(session=session, routine=routine).number == 1


def test_a_stale_edit_is_a_conflict(session):
    admin = admin_principal(session)
    routine = published_routine(session, admin, DAY)
    stale = routine.version
    service.save_draft(
        session=session, routine=routine, data=TextForm(title="A", body="a"), actor=admin,
        version=stale, today=DAY,
    )  # fmt: skip
    with pytest.raises(EditConflict):
        service.save_draft(
            session=session, routine=routine, data=TextForm(title="B", body="b"), actor=admin,
            version=stale, today=DAY,
        )  # fmt: skip


def test_publish_without_draft_is_refused(session):
    admin = admin_principal(session)
    routine = published_routine(session, admin, DAY)
    with pytest.raises(TransitionRefused):
        service.publish(
            session=session, routine=routine, actor=admin, version=routine.version, today=DAY
        )


def test_owner_edits_the_draft_but_cannot_publish_and_others_cannot_edit(session):
    admin = admin_principal(session)
    owner_user = make_user(session)
    other = principal_for(session, make_user(session), DAY)
    routine = published_routine(session, admin, DAY, owner_id=owner_user.person_id)
    owner = principal_for(session, owner_user, DAY)
    service.save_draft(
        session=session, routine=routine, data=TextForm(title="Brannvern", body="Ny tekst"),
        actor=owner, version=routine.version, today=DAY,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        service.publish(
            session=session, routine=routine, actor=owner, version=routine.version, today=DAY
        )
    with pytest.raises(Forbidden):
        service.save_draft(
            session=session, routine=routine, data=TextForm(title="X", body="x"), actor=other,
            version=routine.version, today=DAY,
        )  # fmt: skip
    # The owner's form cannot change scope, owner or tags (only the coordinator's can).
    with pytest.raises(Forbidden):
        service.save_draft(
            session=session, routine=routine, data=routine_form(), actor=owner,
            version=routine.version, today=DAY,
        )  # fmt: skip


def test_diff_marks_removed_and_added_lines_and_shortens_unchanged_runs():
    old = "\n".join(f"linje {i}" for i in range(1, 21))
    new = old.replace("linje 10", "linje ti") + "\nlinje 21"
    lines = service.diff_lines(old, new)
    kinds = [(line.kind, line.text) for line in lines]
    assert ("delete", "linje 10") in kinds and ("insert", "linje ti") in kinds
    assert ("insert", "linje 21") in kinds
    assert kinds.index(("delete", "linje 10")) < kinds.index(("insert", "linje ti"))
    skipped = [line for line in lines if line.kind == "skipped"]
    assert skipped and skipped[0].skipped == 7  # lines 1–7 before the context of 8, 9
    assert ("equal", "linje 9") in kinds and ("equal", "linje 1") not in kinds
    assert service.diff_lines("samme", "samme") == [service.DiffLine("equal", "samme")]


def test_acknowledgement_is_per_version_and_resets_when_a_new_one_is_published(session):
    admin = admin_principal(session)
    dept = make_department(session, name="Verksted")
    reader_user = make_user(session, department=dept)
    reader = principal_for(session, reader_user, DAY)
    routine = published_routine(session, admin, DAY)
    service.acknowledge(session=session, routine=routine, actor=reader, version_number=1, today=DAY)
    # Twice is harmless: still one row.
    service.acknowledge(session=session, routine=routine, actor=reader, version_number=1, today=DAY)
    assert len(session.exec(select(RoutineAcknowledgement)).all()) == 1
    rows = service.reading_list(session=session, person=reader.person, today=DAY)
    assert [r.acknowledged_at is not None for r in rows] == [True]

    new_version(session, admin, routine, DAY, "Ny tekst")
    rows = service.reading_list(session=session, person=reader.person, today=DAY)
    assert [(r.version.number, r.acknowledged_at, r.earlier_acknowledged) for r in rows] == [
        (2, None, True)
    ]
    # The page opened on version 1 cannot acknowledge version 2.
    with pytest.raises(TransitionRefused):
        service.acknowledge(
            session=session, routine=routine, actor=reader, version_number=1, today=DAY
        )
    service.acknowledge(session=session, routine=routine, actor=reader, version_number=2, today=DAY)
    assert service.reading_list(session=session, person=reader.person, today=DAY)[0].acknowledged_at


def test_coverage_counts_only_active_employees_in_scope(session):
    admin_user = make_user(session, is_admin=True)
    production = make_department(session, name="Produksjon")
    welding = make_department(session, name="Sveis", parent_id=production.id)
    office = make_department(session, name="Kontor")
    session.get(Person, admin_user.person_id).department_id = office.id
    admin = principal_for(session, admin_user, DAY)
    in_prod = make_person(session, name="Per Produksjon", department=production)
    in_welding = make_person(session, name="Siv Sveiser", department=welding)
    make_person(session, name="Kari Kontor", department=office)  # outside the scope
    make_person(
        session, name="Ola Sluttet", department=welding, employed_to=DAY - timedelta(days=1)
    )
    make_person(
        session, name="Nina Nyansatt", department=production, employed_from=DAY + timedelta(days=5)
    )
    routine = published_routine(
        session, admin, DAY, scope="departments", department_ids=[production.id], tags="sveis"
    )
    version = service.current_version(session=session, routine=routine)
    result = service.coverage(session=session, routine=routine, version=version, today=DAY)
    assert (result.acknowledged, result.required) == (0, 2)
    assert sorted(name for _pid, name, _d in result.unread) == ["Per Produksjon", "Siv Sveiser"]

    welder = principal_for(session, make_user(session, person=in_welding), DAY)
    service.acknowledge(session=session, routine=routine, actor=welder, version_number=1, today=DAY)
    result = service.coverage(session=session, routine=routine, version=version, today=DAY)
    assert (result.acknowledged, result.required, result.percent) == (1, 2, 50)
    assert [(d.name, d.acknowledged, d.required) for d in result.departments] == [
        ("Produksjon", 0, 1),
        ("Sveis", 1, 1),
    ]
    assert [name for _pid, name, _d in result.unread] == ["Per Produksjon"]
    # A leader of Sveis sees only Sveis.
    only = service.coverage(
        session=session, routine=routine, version=version, today=DAY,
        only_departments=frozenset({welding.id}),
    )  # fmt: skip
    assert (only.acknowledged, only.required) == (1, 1)

    # Someone outside the scope may not acknowledge; after leaving, they no longer count.
    office_reader = principal_for(session, make_user(session, department=office), DAY)
    with pytest.raises(TransitionRefused):
        service.acknowledge(
            session=session, routine=routine, actor=office_reader, version_number=1, today=DAY
        )
    in_welding.employed_to = DAY
    session.add(in_welding)
    session.flush()
    later = service.coverage(
        session=session, routine=routine, version=version, today=DAY + timedelta(days=1)
    )
    assert (later.acknowledged, later.required) == (0, 1)
    assert in_prod.id in [pid for pid, _n, _d in later.unread]


def test_coverage_names_the_first_unread_by_name_and_counts_them_all(session, monkeypatch):
    monkeypatch.setattr(service, "UNREAD_SHOWN", 2)
    admin = principal_for(session, make_user(session, is_admin=True), DAY)
    workshop = make_department(session, name="Verksted")
    for name in ("Dina", "Bjørn", "Cato", "Anne"):
        make_person(session, name=name, department=workshop)
    routine = published_routine(session, admin, DAY, title="Verneutstyr")  # whole company
    version = service.current_version(session=session, routine=routine)
    result = service.coverage(session=session, routine=routine, version=version, today=DAY)
    assert result.required == 5 and result.unread_count == 5  # and the admin, no department
    assert [name for _pid, name, _d in result.unread] == ["Anne", "Bjørn"]


def test_readers_see_published_routines_in_scope_and_drafts_stay_hidden(session):
    admin = admin_principal(session)
    production = make_department(session, name="Produksjon")
    office = make_department(session, name="Kontor")
    worker = principal_for(session, make_user(session, department=production), DAY)
    clerk = principal_for(session, make_user(session, department=office), DAY)
    for_production = published_routine(
        session, admin, DAY, title="Truck", scope="departments", department_ids=[production.id]
    )
    everyone = published_routine(session, admin, DAY, title="Brann")
    draft_only = service.create_routine(
        session=session, data=routine_form(title="Utkast"), actor=admin, today=DAY
    )

    def titles(p):
        rows = service.list_routines(
            session=session, principal=p, filters=service.ListFilters(), today=DAY
        )
        return [row.routine.title for row in rows.rows]

    assert titles(worker) == ["Brann", "Truck"]
    assert titles(clerk) == ["Brann"]
    assert titles(admin) == ["Brann", "Truck", "Utkast"]
    with pytest.raises(Forbidden):
        access.ensure_readable(session=session, principal=clerk, routine=for_production)
    from hms_tracker.errors import NotFound

    with pytest.raises(NotFound):
        access.ensure_readable(session=session, principal=worker, routine=draft_only)
    assert access.ensure_readable(session=session, principal=clerk, routine=everyone).may_read
    assert [
        r.routine.title
        for r in service.reading_list(session=session, person=clerk.person, today=DAY)
    ] == ["Brann"]


def test_review_moves_the_next_review_date_and_closes_the_gap(session):
    admin = admin_principal(session)
    published_on = DAY - timedelta(days=400)
    routine = published_routine(session, admin, published_on, title="Stoffkartotek")
    session.commit()
    due = add_months(published_on, 12)
    assert routine.next_review_on == due
    findings = {f.rule: f for f in evaluate_on(session=session, day=DAY).findings}
    overdue = findings["routines.review-overdue"]
    assert overdue.is_gap and [ref.label for ref in overdue.evidence] == ["Stoffkartotek"]
    on_the_day = {f.rule: f for f in evaluate_on(session=session, day=due).findings}
    assert not on_the_day["routines.review-overdue"].is_gap

    with pytest.raises(InvalidInput):
        service.record_review(
            session=session, routine=routine,
            data=ReviewForm(reviewed_on=DAY + timedelta(days=1), outcome="no_change"),
            actor=admin, today=DAY,
        )  # fmt: skip
    service.record_review(
        session=session, routine=routine,
        data=ReviewForm(reviewed_on=DAY, outcome="no_change", note="Gjennomgått med verneombudet"),
        actor=admin, today=DAY,
    )  # fmt: skip
    session.commit()
    assert routine.next_review_on == add_months(DAY, 12)
    findings = {f.rule: f for f in evaluate_on(session=session, day=DAY).findings}
    assert not findings["routines.review-overdue"].is_gap
    [(review, reviewer)] = service.review_log(session=session, routine=routine)
    assert review.version_number == 1 and reviewer == admin.display_name


def test_whistleblowing_rule_reads_published_routines_tagged_varsling(session):
    admin = admin_principal(session)
    for _ in range(5):
        make_person(session)
    session.commit()
    rule = "aml-2a-6.whistleblowing-routine"
    assert {f.rule: f for f in evaluate_on(session=session, day=DAY).findings}[rule].is_gap
    draft = service.create_routine(
        session=session,
        data=routine_form(title="Varsling", tags="varsling"),
        actor=admin,
        today=DAY,
    )
    session.commit()
    assert {f.rule: f for f in evaluate_on(session=session, day=DAY).findings}[rule].is_gap
    service.publish(session=session, routine=draft, actor=admin, version=draft.version, today=DAY)
    session.commit()
    found = {f.rule: f for f in evaluate_on(session=session, day=DAY).findings}[rule]
    assert not found.is_gap and [ref.id for ref in found.evidence] == [draft.id]
    service.archive_routine(
        session=session,
        routine=draft,
        actor=admin,
        reason="Erstattet",
        version=draft.version,
        today=DAY,
    )
    session.commit()
    assert {f.rule: f for f in evaluate_on(session=session, day=DAY).findings}[rule].is_gap


def test_tags_are_lowercase_unique_and_checked():
    assert routine_form(tags="Varsling, BRANN brann,  førstehjelp").tags == [
        "varsling",
        "brann",
        "førstehjelp",
    ]
    with pytest.raises(ValueError):
        routine_form(tags="<script>")
