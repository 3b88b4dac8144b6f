"""Routine pages over HTTP on both databases: a draft's pending scope and tags, discarding a
draft, refusals shown on the page (not a bare error page), a review asking for a new
version, archived routines, and what an employee's list shows."""

from __future__ import annotations

from sqlmodel import select

from hms_tracker.routines.models import RoutineReview, RoutineVersion
from hms_tracker.web.dates import today
from tests.conftest import login
from tests.factories import make_department, make_user
from tests.routines.test_pages import as_admin, create_and_publish, routine_data
from tests.uploads.corpus import benign_pdf


def test_pending_scope_is_shown_with_the_draft_and_the_draft_can_be_discarded(client, session):
    workshop = make_department(session, name="Verksted")
    session.commit()
    as_admin(client, session, department=workshop)
    routine = create_and_publish(
        client, session, scope="departments", department_ids=str(workshop.id), tags="brann"
    )
    r = client.submit(
        f"/routines/{routine.id}/edit",
        {**routine_data(body="Ny tekst", tags="brann, varsling", review_interval_months="6"),
         "version": str(routine.version)},
    )  # fmt: skip
    assert r.status_code == 303
    page = client.get(f"/routines/{routine.id}").text
    assert "Til da gjelder versjon 1." in page
    assert (
        "Når utkastet publiseres, gjelder rutinen for: Hele virksomheten. "
        "Stikkord: brann, varsling. Gjennomgås hver 6. måned." in page
    )
    # The facts of the version in force are unchanged.
    facts = page[page.index('id="facts-heading"') :]
    assert "Verksted" in facts and "varsling" not in facts.split("Publisert")[0]
    session.refresh(routine)
    assert routine.whole_company is False and routine.review_interval_months == 12
    # The edit form shows what the draft will set.
    form = client.get(f"/routines/{routine.id}/edit").text
    assert 'value="brann, varsling"' in form

    # Discarding needs the CSRF token.
    session.refresh(routine)
    no_token = client.post(
        f"/routines/{routine.id}/draft/discard", data={"version": str(routine.version)}
    )
    assert no_token.status_code in (400, 403)
    r = client.submit(f"/routines/{routine.id}/draft/discard", {"version": str(routine.version)})
    assert r.status_code == 303 and r.headers["location"] == f"/routines/{routine.id}"
    page = client.get(f"/routines/{routine.id}").text
    assert "Utkastet er forkastet." in page and "Utkast som ikke er publisert" not in page
    statuses = sorted(
        session.exec(
            select(RoutineVersion.status).where(RoutineVersion.routine_id == routine.id)
        ).all()
    )
    assert statuses == ["discarded", "published"]
    session.refresh(routine)
    assert routine.whole_company is False


def test_an_employee_cannot_discard_a_draft(client, session):
    as_admin(client, session)
    routine = create_and_publish(client, session)
    session.refresh(routine)
    client.submit(
        f"/routines/{routine.id}/edit",
        {**routine_data(body="Utkast"), "version": str(routine.version)},
    )
    employee = make_user(session)
    session.commit()
    login(client, employee.email)
    session.refresh(routine)
    r = client.submit(
        f"/routines/{routine.id}/draft/discard",
        {"version": str(routine.version)},
        token_page=f"/routines/{routine.id}",
    )
    assert r.status_code == 403
    assert session.exec(
        select(RoutineVersion).where(RoutineVersion.status == "draft")
    ).one_or_none()


def test_publishing_twice_from_two_tabs_lands_on_the_routine_page(client, session):
    as_admin(client, session)
    routine = create_and_publish(client, session)
    session.refresh(routine)
    client.submit(
        f"/routines/{routine.id}/edit",
        {**routine_data(body="Versjon 2"), "version": str(routine.version)},
    )
    session.refresh(routine)
    stale_version = str(routine.version)
    first = client.submit(f"/routines/{routine.id}/publish", {"version": stale_version})
    assert first.status_code == 303
    second = client.submit(f"/routines/{routine.id}/publish", {"version": stale_version})
    assert second.status_code == 303 and second.headers["location"] == f"/routines/{routine.id}"
    page = client.get(f"/routines/{routine.id}").text
    assert "Det finnes ikke noe utkast å publisere." in page and 'data-color="danger"' in page
    assert "Rutinen (versjon 2)" in page
    numbers = session.exec(
        select(RoutineVersion.number).where(RoutineVersion.routine_id == routine.id)
    ).all()
    assert sorted(numbers) == [1, 2]

    # Archiving from a stale tab (the routine changed since) is shown the same way.
    r = client.submit(f"/routines/{routine.id}/archive", {"version": "1", "reason": "Gammel"})
    assert r.status_code == 303
    page = client.get(f"/routines/{routine.id}").text
    assert "Rutinen er endret av noen andre siden du åpnet siden." in page
    session.refresh(routine)
    assert routine.archived_on is None


def test_a_review_asking_for_a_new_version_is_shown_until_one_is_published(client, session):
    as_admin(client, session)
    routine = create_and_publish(client, session)
    day = today()
    r = client.submit(
        f"/routines/{routine.id}/reviews",
        {"reviewed_on": day.isoformat(), "outcome": "new_version", "note": "Ny maskin"},
    )
    assert r.status_code == 303
    session.refresh(routine)
    before = routine.next_review_on
    page = client.get(f"/routines/{routine.id}").text
    from hms_tracker.web.i18n import format_date

    assert f"Ny versjon er varslet ved gjennomgang {format_date(day)}." in page
    assert session.exec(select(RoutineReview)).one().outcome == "new_version"
    assert before == routine.next_review_on  # the publication still counts, not this review


def test_an_archived_routine_shows_when_and_why_and_leaves_the_default_list(client, session):
    as_admin(client, session)
    routine = create_and_publish(client, session, title="Gammel rutine")
    create_and_publish(client, session, title="Ny brannrutine")
    session.refresh(routine)
    r = client.submit(
        f"/routines/{routine.id}/archive",
        {"version": str(routine.version), "reason": "Erstattet av ny brannrutine"},
    )
    assert r.status_code == 303
    page = client.get(f"/routines/{routine.id}").text
    from hms_tracker.web.i18n import format_date

    assert f"Arkivert {format_date(today())}: Erstattet av ny brannrutine" in page
    assert "Fra rutinen publiseres" not in page
    listing = client.get("/routines").text
    assert "Ny brannrutine" in listing and "Gammel rutine" not in listing
    archived = client.get("/routines?status=archived").text
    assert "Gammel rutine" in archived and "Ny brannrutine" not in archived


def test_an_employee_sees_whether_they_have_read_each_routine(client, session):
    workshop = make_department(session, name="Verksted")
    session.commit()
    admin = as_admin(client, session, department=workshop)
    read_it = create_and_publish(client, session, title="Lest rutine")
    create_and_publish(client, session, title="Ulest rutine")
    client.submit("/routines/new", routine_data(title="Bare utkast"))
    employee = make_user(session, department=workshop)
    session.commit()
    login(client, employee.email)
    client.submit(
        f"/routines/{read_it.id}/acknowledge", {"version_number": "1"}, token_page="/my/reading"
    )
    listing = client.get("/routines").text
    rows = {
        title: listing[listing.index(title) :].split("</tr>")[0]
        for title in ("Lest rutine", "Ulest rutine")
    }
    assert ">Lest<" in rows["Lest rutine"] and "Ikke lest" not in rows["Lest rutine"]
    assert "Ikke lest" in rows["Ulest rutine"]
    assert "Bare utkast" not in listing
    status_filter = listing[listing.index('id="field-status"') :].split("</select>")[0]
    assert "Publisert" in status_filter
    assert "Ikke publisert" not in status_filter and "Arkivert" not in status_filter
    # The coordinator sees coverage and every status option.
    login(client, admin.email)
    listing = client.get("/routines").text
    status_filter = listing[listing.index('id="field-status"') :].split("</select>")[0]
    assert "Ikke publisert" in status_filter and "Arkivert" in status_filter
    assert "1 av 2" in listing  # the admin and the employee work in Verksted


def test_a_long_attachment_name_is_in_the_wrapping_list(client, session):
    as_admin(client, session)
    routine = create_and_publish(client, session)
    name = "a" * 290 + ".pdf"
    pdf = benign_pdf()
    r = client.submit(
        f"/routines/{routine.id}/attachments",
        files={"file": (name, pdf, "application/pdf")},
        token_page=f"/routines/{routine.id}",
    )
    assert r.status_code == 303
    page = client.get(f"/routines/{routine.id}").text
    assert '<ul class="ds-list routine-attachments">' in page and "a" * 200 in page
    css = client.get("/static/app.css").text
    assert ".routine-attachments { overflow-wrap: anywhere; }" in css
