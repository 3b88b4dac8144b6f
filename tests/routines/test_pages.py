"""Routine pages over HTTP: write and publish, versions and diffs, reading list and
acknowledgement, coverage, reviews, attachments, permissions and unknown ids."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.routines.models import Routine, RoutineAcknowledgement, RoutineVersion
from hms_tracker.web.dates import today
from tests.conftest import login
from tests.factories import make_department, make_leader, make_person, make_user
from tests.uploads.corpus import benign_pdf

SMALL_PDF = benign_pdf()  # a real PDF: every upload is parsed (web/uploads.py)


def routine_data(**overrides):
    data = {
        "title": "Varmt arbeid",
        "purpose": "Hindre brann ved sveising og skjæring.",
        "body": "# Før arbeidet\n\n- Fjern brennbart materiale\n- Ha slokkeutstyr klart",
        "change_note": "",
        "owner_id": "",
        "scope": "company",
        "tags": "brann, varmt-arbeid",
        "review_interval_months": "12",
    }
    data.update(overrides)
    return data


def as_admin(client, session, department=None):
    admin = make_user(session, is_admin=True, department=department)
    session.commit()
    login(client, admin.email)
    return admin


def create_and_publish(client, session, **overrides) -> Routine:
    r = client.submit("/routines/new", routine_data(**overrides))
    assert r.status_code == 303, r.text[:3000]
    routine_id = int(r.headers["location"].rsplit("/", 1)[1])
    routine = session.get(Routine, routine_id)
    session.refresh(routine)
    r = client.submit(f"/routines/{routine_id}/publish", {"version": str(routine.version)})
    assert r.status_code == 303, r.text[:3000]
    session.refresh(routine)
    return routine


def edit_and_publish(client, session, routine: Routine, body: str) -> None:
    session.refresh(routine)
    r = client.submit(
        f"/routines/{routine.id}/edit",
        {**routine_data(body=body, change_note="Ny tekst"), "version": str(routine.version)},
    )
    assert r.status_code == 303, r.text[:3000]
    session.refresh(routine)
    r = client.submit(f"/routines/{routine.id}/publish", {"version": str(routine.version)})
    assert r.status_code == 303, r.text[:3000]
    session.refresh(routine)


def test_admin_writes_a_draft_publishes_it_and_sees_it_in_the_list(client, session):
    as_admin(client, session)
    r = client.submit("/routines/new", routine_data())
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Rutinen er lagret som utkast." in page.text
    assert "Utkast som ikke er publisert" in page.text and "Publiser utkastet" in page.text
    routine = session.exec(select(Routine)).one()
    r = client.submit(f"/routines/{routine.id}/publish", {"version": str(routine.version)})
    assert r.status_code == 303
    page = client.get(f"/routines/{routine.id}")
    assert "Versjon 1 er publisert." in page.text
    assert (
        "<h3>Før arbeidet</h3>" in page.text and "<li>Fjern brennbart materiale</li>" in page.text
    )
    listing = client.get("/routines")
    assert "Varmt arbeid" in listing.text and "versjon 1" in listing.text
    assert "varmt-arbeid" in listing.text


def test_the_form_reports_errors_and_keeps_what_was_typed(client, session):
    as_admin(client, session)
    r = client.submit(
        "/routines/new",
        routine_data(title="", scope="departments", tags="ok, <b>", review_interval_months="0"),
    )
    assert r.status_code == 422
    assert 'href="#field-title"' in r.text and 'href="#field-tags"' in r.text
    assert "Hindre brann ved sveising" in r.text
    r = client.submit("/routines/new", routine_data(scope="departments"))
    assert r.status_code == 422 and "Velg minst én avdeling" in r.text
    assert session.exec(select(Routine)).first() is None


def test_script_in_the_body_is_shown_as_text(client, session):
    as_admin(client, session)
    routine = create_and_publish(
        client,
        session,
        body="Hei <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    page = client.get(f"/routines/{routine.id}").text
    body = page.split('class="routine-body"', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_new_version_archives_the_old_keeps_it_readable_and_diffs(client, session):
    as_admin(client, session)
    routine = create_and_publish(client, session)
    edit_and_publish(
        client,
        session,
        routine,
        "# Før arbeidet\n\n- Fjern brennbart materiale\n- Brannvakt i en time etter",
    )
    versions = session.exec(
        select(RoutineVersion)
        .where(RoutineVersion.routine_id == routine.id)
        .order_by(RoutineVersion.number)
    ).all()
    assert [(v.number, v.status) for v in versions] == [(1, "archived"), (2, "published")]
    old = client.get(f"/routines/{routine.id}/versions/1")
    assert old.status_code == 200
    assert "Dette er en tidligere versjon. Gjeldende versjon er 2." in old.text
    assert "Ha slokkeutstyr klart" in old.text
    diff = client.get(f"/routines/{routine.id}/diff?a=1&b=2")
    assert diff.status_code == 200
    assert re.search(r"Fjernet</span> <del>- Ha slokkeutstyr klart</del>", diff.text)
    assert re.search(r"Lagt til</span> <ins>- Brannvakt i en time etter</ins>", diff.text)
    same = client.get(f"/routines/{routine.id}/diff?a=2&b=2")
    assert "Ingen forskjeller" in same.text
    assert client.get(f"/routines/{routine.id}/versions/3").status_code == 404
    assert client.get(f"/routines/{routine.id}/diff?a=1&b=9").status_code == 404
    assert client.get(f"/routines/{routine.id}/diff?a=1&b=x").status_code == 404


def test_employee_reads_and_acknowledges_from_the_reading_list_and_a_new_version_asks_again(
    client, session
):
    dept = make_department(session, name="Verksted")
    admin = as_admin(client, session, department=dept)
    employee = make_user(session, department=dept)
    session.commit()
    routine = create_and_publish(client, session)

    login(client, employee.email)
    reading = client.get("/my/reading")
    assert reading.status_code == 200
    assert "1 rutine å lese" in reading.text and "Varmt arbeid" in reading.text
    # The list has no shortcut: the confirmation is on the routine's page, below its text.
    assert f'action="/routines/{routine.id}/acknowledge"' not in reading.text
    r = client.submit(
        f"/routines/{routine.id}/acknowledge",
        {"version_number": "1", "next": "/my/reading"},
        token_page=f"/routines/{routine.id}",
    )
    assert r.status_code == 303 and r.headers["location"] == "/my/reading"
    reading = client.get("/my/reading")
    assert "0 rutiner å lese" in reading.text and "Du har lest alle rutinene" in reading.text
    assert "Lest og bekreftet" in reading.text
    detail = client.get(f"/routines/{routine.id}")
    assert "Du bekreftet" in detail.text
    assert "Hvem har lest" not in detail.text  # an employee sees no coverage

    login(client, admin.email)
    page = client.get(f"/routines/{routine.id}")
    assert "1 av 2 har bekreftet" in page.text  # the admin and the employee work there
    edit_and_publish(client, session, routine, "Ny tekst for versjon 2")
    page = client.get(f"/routines/{routine.id}")
    assert "0 av 2 har bekreftet" in page.text

    login(client, employee.email)
    reading = client.get("/my/reading")
    assert "1 rutine å lese" in reading.text and "Ny versjon" in reading.text
    # An acknowledgement of the old version (a stale page) is refused.
    # It comes back to the reading list with the reason, showing the version to read now.
    stale = client.submit(
        f"/routines/{routine.id}/acknowledge", {"version_number": "1", "next": "/my/reading"}
    )
    assert stale.status_code == 303 and stale.headers["location"] == "/my/reading"
    back = client.get("/my/reading").text
    assert "En nyere versjon av rutinen er publisert siden du åpnet siden." in back
    assert 'data-color="danger"' in back and "1 rutine å lese" in back
    assert "Versjon 2" in back and f'href="/routines/{routine.id}#text-heading"' in back
    assert len(session.exec(select(RoutineAcknowledgement)).all()) == 1
    ok = client.submit(f"/routines/{routine.id}/acknowledge", {"version_number": "2"})
    assert ok.status_code == 303
    assert len(session.exec(select(RoutineAcknowledgement)).all()) == 2


def test_permissions_employees_cannot_edit_publish_or_review(client, session):
    as_admin(client, session)
    routine = create_and_publish(client, session)
    employee = make_user(session)
    session.commit()
    login(client, employee.email)
    assert client.get(f"/routines/{routine.id}").status_code == 200
    assert client.get(f"/routines/{routine.id}/edit").status_code == 403
    assert (
        client.submit(
            f"/routines/{routine.id}/edit", {**routine_data(), "version": "1"}
        ).status_code
        == 403
    )
    assert client.submit(f"/routines/{routine.id}/publish", {"version": "2"}).status_code == 403
    assert (
        client.submit(
            f"/routines/{routine.id}/archive", {"version": "2", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.submit(
            f"/routines/{routine.id}/reviews",
            {"reviewed_on": today().isoformat(), "outcome": "no_change"},
        ).status_code
        == 403
    )
    assert client.get("/routines/new").status_code == 403
    assert client.get("/routines/999999").status_code == 404
    assert client.get("/routines/99999999999999999999999").status_code == 404
    assert client.get("/routines/999999/edit").status_code == 404
    assert client.get(f"/routines/{routine.id}/versions/99999999999999999999").status_code == 404
    assert client.get(f"/routines/{routine.id}/diff?a=1&b=99999999999999999999").status_code == 404
    assert client.get(f"/routines/{routine.id}/attachments/999").status_code == 404
    page = client.get(f"/routines/{routine.id}").text
    assert (
        "Rediger utkast" not in page
        and "Lag ny versjon" not in page
        and "Arkiver rutinen" not in page
    )


def test_drafts_and_other_departments_routines_are_hidden_from_employees(client, session):
    production = make_department(session, name="Produksjon")
    office = make_department(session, name="Kontor")
    as_admin(client, session)
    for_production = create_and_publish(
        client,
        session,
        title="Truckkjøring",
        scope="departments",
        department_ids=str(production.id),
    )
    r = client.submit("/routines/new", routine_data(title="Hemmelig utkast"))
    draft_id = int(r.headers["location"].rsplit("/", 1)[1])
    clerk = make_user(session, department=office)
    session.commit()
    login(client, clerk.email)
    listing = client.get("/routines").text
    assert "Truckkjøring" not in listing and "Hemmelig utkast" not in listing
    assert client.get(f"/routines/{for_production.id}").status_code == 403
    assert client.get(f"/routines/{draft_id}").status_code == 404
    assert client.get(f"/routines/{for_production.id}/versions/1").status_code == 403


def test_owner_edits_the_draft_and_records_a_review_but_cannot_publish(client, session):
    owner = make_user(session)
    as_admin(client, session)
    routine = create_and_publish(client, session, owner_id=str(owner.person_id))
    login(client, owner.email)
    form = client.get(f"/routines/{routine.id}/edit")
    assert form.status_code == 200 and 'name="tags"' not in form.text  # text only
    session.refresh(routine)
    r = client.submit(
        f"/routines/{routine.id}/edit",
        {"title": "Varmt arbeid", "body": "Eierens forslag", "version": str(routine.version)},
    )
    assert r.status_code == 303
    assert client.submit(f"/routines/{routine.id}/publish", {"version": "3"}).status_code == 403
    bad = client.submit(
        f"/routines/{routine.id}/reviews", {"reviewed_on": "", "outcome": "no_change"}
    )
    assert bad.status_code == 422 and 'href="#field-reviewed_on"' in bad.text
    r = client.submit(
        f"/routines/{routine.id}/reviews",
        {"reviewed_on": today().isoformat(), "outcome": "no_change", "note": "Ingen endring"},
    )
    assert r.status_code == 303
    page = client.get(f"/routines/{routine.id}").text
    assert "Gjennomgangen er registrert." in page and "Gjennomgått uten endring" in page
    session.refresh(routine)
    assert routine.title == "Varmt arbeid"


def test_list_filters_tag_overdue_status_text_and_htmx_block(client, session):
    as_admin(client, session)
    fire = create_and_publish(
        client, session, title="Brannvern", tags="brann", body="Slokkeapparat i hallen"
    )
    create_and_publish(client, session, title="Varsling", tags="varsling", body="Slik varsler du")
    client.submit("/routines/new", routine_data(title="Støy", tags="støy"))
    fire_row = session.get(Routine, fire.id)
    fire_row.next_review_on = today() - timedelta(days=1)
    session.add(fire_row)
    session.commit()

    def titles(query: str) -> list[str]:
        html = client.get("/routines" + query).text
        return re.findall(r'href="/routines/\d+">([^<]+)</a>', html)

    assert titles("?tag=varsling") == ["Varsling"]
    assert titles("?overdue=1") == ["Brannvern"]
    assert titles("?status=draft") == ["Støy"]
    assert titles("?q=slokkeapparat") == ["Brannvern"]
    assert titles("?q=SLIK") == ["Varsling"]
    partial = client.get("/routines?tag=brann", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<section id="results"')
    assert "Forfalt" in client.get("/routines?overdue=1").text


def test_leader_sees_coverage_for_their_department_only(client, session):
    workshop = make_department(session, name="Verksted")
    office = make_department(session, name="Kontor")
    leader = make_leader(session, department=workshop)
    make_person(session, name="Vera Verksted", department=workshop)
    kim = make_person(session, name="Kim Kontor", department=office)
    as_admin(client, session, department=office)
    routine = create_and_publish(client, session)
    login(client, leader.email)
    page = client.get(f"/routines/{routine.id}").text
    assert "0 av 2 har bekreftet" in page  # the leader and Vera
    assert "Vera Verksted" in page and "Kim Kontor" not in page
    assert "Du ser ansatte i avdelingene du leder." in page
    assert 'href="/routines/coverage"' in client.get("/routines").text
    coverage = client.get("/routines/coverage").text
    assert "Lest og forstått per avdeling" in coverage
    assert "Verksted" in coverage and "Kontor" not in coverage
    employee = make_user(session, person=kim)
    session.commit()
    login(client, employee.email)
    assert 'href="/routines/coverage"' not in client.get("/routines").text
    assert client.get("/routines/coverage").status_code == 403


def test_attachment_upload_download_and_refusal(client, session):
    as_admin(client, session)
    routine = create_and_publish(client, session)
    r = client.submit(
        f"/routines/{routine.id}/attachments",
        files={"file": ("../../sveiseprosedyre.pdf", SMALL_PDF, "application/pdf")},
    )
    assert r.status_code == 303
    page = client.get(f"/routines/{routine.id}").text
    match = re.search(
        rf'href="(/routines/{routine.id}/attachments/\d+)">sveiseprosedyre.pdf<', page
    )
    assert match
    download = client.get(match.group(1))
    assert download.status_code == 200 and download.content == SMALL_PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["content-security-policy"] == "sandbox"
    svg = client.submit(
        f"/routines/{routine.id}/attachments",
        files={
            "file": (
                "bilde.png",
                b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>",
                "image/png",
            )
        },
    )
    assert svg.status_code == 422 and "Filtypen er ikke tillatt" in svg.text
    attachment_id = match.group(1).rsplit("/", 1)[1]
    r = client.submit(f"/routines/{routine.id}/attachments/{attachment_id}/withdraw", {})
    assert r.status_code == 303
    assert client.get(match.group(1)).status_code == 404


def test_archive_needs_a_reason_and_removes_it_from_the_reading_list(client, session):
    admin = as_admin(client, session)
    routine = create_and_publish(client, session)
    session.refresh(routine)
    r = client.submit(
        f"/routines/{routine.id}/archive", {"version": str(routine.version), "reason": ""}
    )
    assert r.status_code == 422 and 'href="#field-reason"' in r.text
    r = client.submit(
        f"/routines/{routine.id}/archive", {"version": str(routine.version), "reason": "Erstattet"}
    )
    assert r.status_code == 303
    page = client.get(f"/routines/{routine.id}").text
    assert "gjelder ikke lenger" in page
    assert "Varmt arbeid" not in client.get("/my/reading").text
    assert admin is not None


def test_changes_are_in_the_audit_log_with_readable_labels(client, session):
    as_admin(client, session)
    create_and_publish(client, session)
    entities = {e.entity for e in session.exec(select(AuditEvent)).all()}
    assert {"routine", "routine_version", "routine_tag"} <= entities
    audit = client.get("/audit?entity=routine_version").text
    assert "Rutineversjon" in audit and "Tittel" in audit


def test_gaps_page_shows_the_routine_rules(client, session):
    as_admin(client, session)
    for _ in range(5):
        make_person(session)
    session.commit()
    gaps = client.get("/gaps").text
    assert "Rutine for varsling" in gaps and "/routines/new" in gaps
