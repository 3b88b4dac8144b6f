"""Course types over HTTP: everyone sees them, the admin creates, edits and archives them."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.training.models import CourseType
from tests.conftest import login
from tests.factories import make_user
from tests.login import login_admin


def course_form(**overrides):
    data = {
        "name": "Varme arbeider",
        "legal_basis": "Forsikringsvilkår",
        "required_hours": "7,5",
        "validity_months": "60",
        "required_for_leaders": "",
    }
    data.update(overrides)
    return data


def test_everyone_logged_in_sees_the_seeded_courses_with_validity_and_kinds(client, session):
    user = make_user(session)
    session.commit()
    login(client, user.email)
    page = client.get("/training/courses")
    assert page.status_code == 200
    text = page.text
    assert "Grunnopplæring for verneombud" in text
    assert "Verneombud, Hovedverneombud" in text
    assert "AMU-medlem" in text
    assert "Daglig leder, Ledere" in text
    assert "Utløper ikke" in text
    assert "24 måneder" in text
    assert 'class="table-scroll" tabindex="0" role="region"' in text
    assert "/training/courses/new" not in text  # no admin actions for an employee


def test_an_employee_may_not_manage_course_types(client, session):
    user = make_user(session)
    session.commit()
    login(client, user.email)
    assert client.get("/training/courses/new").status_code == 403
    r = client.submit("/training/courses/new", course_form(), token_page="/")
    assert r.status_code == 403
    assert (
        session.exec(select(CourseType).where(CourseType.name == "Varme arbeider")).first() is None
    )


def test_admin_creates_a_course_type_with_comma_hours_and_kinds(client, session):
    login_admin(client, session)
    data = course_form()
    data["required_for"] = ["safety_rep", "amu_member"]
    r = client.submit("/training/courses/new", data, token_page="/training/courses/new")
    assert r.status_code == 303, r.text[:2000]
    course = session.exec(select(CourseType).where(CourseType.name == "Varme arbeider")).one()
    assert course.required_hours == Decimal("7.5")
    assert course.validity_months == 60
    assert course.required_for == "safety_rep,amu_member"
    assert course.required_for_leaders is False
    page = client.get("/training/courses")
    assert "Kurset Varme arbeider er opprettet." in page.text
    assert "60 måneder" in page.text


def test_a_course_name_must_be_unique_whatever_the_case(client, session):
    login_admin(client, session)
    r = client.submit(
        "/training/courses/new",
        course_form(name="grunnopplæring for VERNEOMBUD"),
        token_page="/training/courses/new",
    )
    assert r.status_code == 422
    assert "Det finnes allerede et kurs med navnet" in r.text
    assert 'href="#field-name"' in r.text
    assert 'value="grunnopplæring for VERNEOMBUD"' in r.text  # the user's value is kept


def test_hours_and_validity_are_checked(client, session):
    login_admin(client, session)
    for overrides, message in (
        ({"required_hours": "-1"}, "Timetallet må være mellom 0 og 9999."),
        ({"required_hours": "mange"}, "Skriv antall timer som et tall"),
        ({"validity_months": "0"}, "Gyldigheten må være mellom 1 og 240 måneder"),
        ({"validity_months": "241"}, "Gyldigheten må være mellom 1 og 240 måneder"),
        ({"validity_months": "tolv"}, "Skriv et helt antall måneder"),
        ({"required_for": "sjef"}, "Velg blant vervene i listen."),
    ):
        r = client.submit(
            "/training/courses/new", course_form(**overrides), token_page="/training/courses/new"
        )
        assert r.status_code == 422, overrides
        assert message in r.text, overrides
    assert (
        session.exec(select(CourseType).where(CourseType.name == "Varme arbeider")).first() is None
    )


def test_zero_hours_and_empty_validity_are_allowed(client, session):
    login_admin(client, session)
    r = client.submit(
        "/training/courses/new",
        course_form(required_hours="0", validity_months=""),
        token_page="/training/courses/new",
    )
    assert r.status_code == 303
    course = session.exec(select(CourseType).where(CourseType.name == "Varme arbeider")).one()
    assert course.required_hours == 0 and course.validity_months is None


def seeded(session, name="Førstehjelp"):
    return session.exec(select(CourseType).where(CourseType.name == name)).one()


def test_admin_edits_a_seeded_course_type_and_the_change_is_audited(client, session):
    login_admin(client, session)
    first_aid = seeded(session)
    form = client.get(f"/training/courses/{first_aid.id}/edit")
    assert form.status_code == 200 and 'value="24"' in form.text
    data = course_form(
        name="Førstehjelp",
        legal_basis="",
        required_hours="4",
        validity_months="12",
        required_for_leaders="true",
        version=str(first_aid.version),
    )
    data["required_for"] = "safety_rep"
    r = client.submit(
        f"/training/courses/{first_aid.id}/edit", data, token_page="/training/courses"
    )
    assert r.status_code == 303, r.text[:2000]
    session.expire_all()
    first_aid = seeded(session)
    assert first_aid.validity_months == 12
    assert first_aid.required_for == "safety_rep"
    assert first_aid.required_for_leaders is True
    assert first_aid.version == 2
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "course_type", AuditEvent.entity_id == str(first_aid.id)
        )
    ).all()
    assert any(e.action == "update" and e.after.get("validity_months") == 12 for e in events)


def test_editing_an_old_version_is_a_conflict_and_keeps_what_was_saved(client, session):
    login_admin(client, session)
    first_aid = seeded(session)
    data = course_form(name="Førstehjelp", version=str(first_aid.version))
    assert (
        client.submit(
            f"/training/courses/{first_aid.id}/edit", data, token_page="/training/courses"
        ).status_code
        == 303
    )
    stale = course_form(name="Førstehjelp", validity_months="36", version=str(first_aid.version))
    r = client.submit(
        f"/training/courses/{first_aid.id}/edit", stale, token_page="/training/courses"
    )
    assert r.status_code == 409
    assert "Endret av noen andre" in r.text
    session.expire_all()
    assert seeded(session).validity_months == 60


def test_renaming_to_another_course_name_is_refused(client, session):
    login_admin(client, session)
    first_aid = seeded(session)
    data = course_form(name="HMS-opplæring for arbeidsgiver", version=str(first_aid.version))
    r = client.submit(
        f"/training/courses/{first_aid.id}/edit", data, token_page="/training/courses"
    )
    assert r.status_code == 422
    assert "Det finnes allerede et kurs med navnet" in r.text


def test_archiving_keeps_the_course_type_and_restoring_brings_it_back(client, session):
    login_admin(client, session)
    first_aid = seeded(session)
    r = client.submit(f"/training/courses/{first_aid.id}/archive", token_page="/")
    assert r.status_code == 303
    session.expire_all()
    assert seeded(session).archived_on is not None
    page = client.get("/training/courses")
    assert "Arkivert" in page.text and "Førstehjelp" in page.text
    r = client.submit(f"/training/courses/{first_aid.id}/restore", token_page="/")
    assert r.status_code == 303
    session.expire_all()
    assert seeded(session).archived_on is None


def test_unknown_course_type_is_404(client, session):
    login_admin(client, session)
    assert client.get("/training/courses/99999/edit").status_code == 404
    assert client.get("/training/courses/abc/edit").status_code == 404
