"""Departments: list with counts, create and edit with checks, leaders, closing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.organisation import service
from hms_tracker.organisation.models import Department, DepartmentLeader, Person
from hms_tracker.web.dates import today
from tests.conftest import login
from tests.factories import make_department, make_leader, make_person, make_user
from tests.login import login_admin


def test_list_shows_parent_leaders_and_people_employed_today(client, session):
    drift = make_department(session, name="Drift")
    lager = make_department(session, name="Lager", parent_id=drift.id)
    leader = make_leader(session, department=lager)  # a person in Lager, employed
    make_person(session, department=lager)
    make_person(session, department=lager, employed_to=today() - timedelta(days=1))
    make_person(session, department=lager, employed_from=today() + timedelta(days=10))
    session.commit()
    rows = {r.department.name: r for r in service.list_departments(session=session, today=today())}
    assert rows["Lager"].people_count == 2  # the leader and one more; not former, not future
    assert rows["Lager"].parent_name == "Drift"
    leader_person = session.get(Person, leader.person_id)
    assert rows["Lager"].leaders == [(leader_person.id, leader_person.name)]
    assert rows["Drift"].people_count == 0

    employee = make_user(session, email="ansatt@test.example")
    session.commit()
    login(client, employee.email)
    page = client.get("/departments")
    assert page.status_code == 200  # everyone logged in may look
    assert "Lager" in page.text and "Drift" in page.text
    assert "Ny avdeling" not in page.text
    assert client.get(f"/departments/{lager.id}").status_code == 200
    assert client.get("/departments/new").status_code == 403


def test_department_list_uses_a_fixed_number_of_queries(session):
    import sqlalchemy as sa

    for n in range(8):
        dept = make_department(session, name=f"Avdeling {n}")
        make_leader(session, department=dept)
        make_person(session, department=dept)
    session.commit()
    statements = []

    def count(*_args):
        statements.append(1)

    bind = session.get_bind()
    sa.event.listen(bind, "before_cursor_execute", count)
    try:
        session.expire_all()
        rows = service.list_departments(session=session, today=today())
    finally:
        sa.event.remove(bind, "before_cursor_execute", count)
    assert len(rows) == 8 and all(r.people_count == 2 for r in rows)
    assert len(statements) <= 3


def test_admin_creates_department_and_name_must_be_unique(client, session):
    login_admin(client, session)
    make_department(session, name="Lager")
    session.commit()
    r = client.submit("/departments/new", {"name": "  lager ", "parent_id": ""})
    assert r.status_code == 422
    assert "Det finnes allerede en avdeling med navnet «lager»." in r.text
    r = client.submit("/departments/new", {"name": "Kontor", "parent_id": ""})
    assert r.status_code == 303
    kontor = session.exec(select(Department).where(Department.name == "Kontor")).one()
    assert r.headers["location"] == f"/departments/{kontor.id}"


def test_parent_that_makes_a_cycle_is_refused(client, session):
    login_admin(client, session)
    top = make_department(session, name="Drift")
    middle = make_department(session, name="Lager", parent_id=top.id)
    bottom = make_department(session, name="Mottak", parent_id=middle.id)
    session.commit()
    for parent in (bottom, top):  # below its own grandchild, or below itself
        r = client.submit(
            f"/departments/{top.id}/edit", {"name": top.name, "parent_id": str(parent.id)}
        )
        assert r.status_code == 422
        assert "kan ikke ligge under seg selv" in r.text
    session.expire_all()
    assert session.get(Department, top.id).parent_id is None
    ok = client.submit(
        f"/departments/{bottom.id}/edit", {"name": "Mottak", "parent_id": str(top.id)}
    )
    assert ok.status_code == 303


def test_leaders_are_added_and_removed_and_both_are_audited(client, session):
    login_admin(client, session)
    lager = make_department(session, name="Lager")
    kari = make_person(session, name="Kari Nordmann")
    session.commit()
    r = client.submit(f"/departments/{lager.id}/leaders", {"person_id": str(kari.id)})
    assert r.status_code == 303
    link = session.exec(select(DepartmentLeader)).one()
    assert (link.department_id, link.person_id) == (lager.id, kari.id)
    again = client.submit(f"/departments/{lager.id}/leaders", {"person_id": str(kari.id)})
    assert again.status_code == 422 and "leder allerede avdelingen" in again.text

    page = client.get(f"/departments/{lager.id}").text
    assert "Kari Nordmann" in page
    r = client.submit(f"/departments/{lager.id}/leaders/{link.id}/remove", {})
    assert r.status_code == 303
    assert session.exec(select(DepartmentLeader)).first() is None
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.entity == "department_leader")
    ).all()
    assert sorted(actions) == ["create", "delete"]
    removed = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "department_leader", AuditEvent.action == "delete"
        )
    ).one()
    assert removed.before["person_id"] == kari.id


def test_close_is_refused_while_people_work_there_then_recorded_not_deleted(client, session):
    login_admin(client, session)
    lager = make_department(session, name="Lager")
    worker = make_person(session, department=lager)
    session.commit()
    r = client.submit(f"/departments/{lager.id}/close", {"closed_on": today().isoformat()})
    assert r.status_code == 422
    assert "Avdelingen har 1 ansatte" in r.text
    worker.employed_to = today() - timedelta(days=1)
    session.add(worker)
    session.commit()
    r = client.submit(f"/departments/{lager.id}/close", {"closed_on": today().isoformat()})
    assert r.status_code == 303
    session.expire_all()
    closed = session.get(Department, lager.id)
    assert closed is not None and closed.closed_on == today()
    # a closed department is no longer offered for new people
    form = client.get("/people/new").text
    assert f'<option value="{lager.id}"' not in form
    refused = client.submit(
        "/people/new",
        {
            "name": "Ny",
            "department_id": str(lager.id),
            "employed_from": "2025-01-01",
            "employment_type": "permanent",
            "weekly_hours": "37,5",
        },
    )
    assert refused.status_code == 422 and "lagt ned" in refused.text


def test_leader_cannot_manage_departments(client, session):
    lager = make_department(session, name="Lager")
    leader = make_leader(session, department=lager)
    session.commit()
    login(client, leader.email)
    assert client.get(f"/departments/{lager.id}/edit").status_code == 403
    r = client.submit(f"/departments/{lager.id}/close", {"closed_on": "2025-01-01"})
    assert r.status_code == 403
    page = client.get(f"/departments/{lager.id}")
    assert page.status_code == 200 and "Legg til person" in page.text


def test_unknown_department_is_404(client, session):
    login_admin(client, session)
    assert client.get("/departments/424242").status_code == 404
    assert client.get("/departments/abc").status_code == 404
    r = client.submit("/departments/424242/close", {"closed_on": date(2025, 1, 1).isoformat()})
    assert r.status_code == 404
