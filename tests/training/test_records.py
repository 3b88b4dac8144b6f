"""Completed training over HTTP: registering (with a certificate), viewing, serving the
certificate to those allowed, and withdrawing without deleting."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.training.models import Certificate, CourseType, TrainingRecord
from hms_tracker.web.dates import today
from tests.conftest import login
from tests.factories import make_department, make_leader, make_user
from tests.uploads.corpus import benign_pdf, image

# Real files: every upload is parsed (PDF) or decoded and encoded anew (images); this PNG
# comes back from Pillow's encoder byte for byte.
PDF = benign_pdf()
PNG = image("PNG", (8, 8))
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>fetch('/people')</script></svg>"
)
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def course(session, name="Grunnopplæring for verneombud") -> CourseType:
    return session.exec(select(CourseType).where(CourseType.name == name)).one()


def record_form(session, **overrides):
    data = {
        "course_type_id": str(course(session).id),
        "completed_on": (today() - timedelta(days=10)).isoformat(),
        "hours": "40",
        "provider": "Bedriftshelsetjenesten AS",
    }
    data.update(overrides)
    return data


def register(client, person_id, data, files=None):
    return client.submit(
        f"/people/{person_id}/training/new",
        data,
        files=files,
        token_page=f"/people/{person_id}/training/new",
    )


def records_of(session, person_id):
    session.expire_all()
    return session.exec(
        select(TrainingRecord)
        .where(TrainingRecord.person_id == person_id)
        .order_by(TrainingRecord.id)
    ).all()


def setup_people(session):
    """An admin, a leader of Lager, an employee in Lager with an account, another employee."""
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    admin = make_user(session, is_admin=True)
    leader = make_leader(session, department=lager)
    employee = make_user(session, department=lager)
    other = make_user(session, department=kontor)
    session.commit()
    return admin, leader, employee, other


# --- registering ----------------------------------------------------------------------


def test_employee_registers_own_course_with_a_certificate(client, session):
    _admin, _leader, employee, _other = setup_people(session)
    login(client, employee.email)
    r = register(
        client,
        employee.person_id,
        record_form(session, hours="37,5"),
        files={"certificate": ("Kursbevis Ødegård.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 303, r.text[:3000]
    (record,) = records_of(session, employee.person_id)
    assert r.headers["location"] == f"/training/records/{record.id}"
    assert record.hours == Decimal("37.5")
    assert record.provider == "Bedriftshelsetjenesten AS"
    certificate = session.get(Certificate, record.certificate_id)
    assert certificate.content == PDF
    assert certificate.content_type == "application/pdf"
    assert certificate.filename == "Kursbevis Ødegård.pdf"
    assert certificate.size == len(PDF)
    page = client.get(r.headers["location"])
    assert "Opplæringen er registrert." in page.text
    assert "Kursbevis Ødegård.pdf" in page.text


def test_admin_registers_without_a_certificate(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    r = register(client, employee.person_id, record_form(session))
    assert r.status_code == 303, r.text[:3000]
    (record,) = records_of(session, employee.person_id)
    assert record.certificate_id is None
    page = client.get(r.headers["location"])
    assert "Ikke lastet opp" in page.text
    assert client.get(f"/training/records/{record.id}/certificate").status_code == 404


def test_an_empty_file_field_means_no_certificate(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    r = register(
        client,
        employee.person_id,
        record_form(session),
        files={"certificate": ("", b"", "application/octet-stream")},
    )
    assert r.status_code == 303, r.text[:3000]
    assert records_of(session, employee.person_id)[0].certificate_id is None


def test_hours_taken_in_parts_are_stored_as_separate_records(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    for hours, days_ago in (("16", 60), ("16", 30), ("8", 1)):
        day = (today() - timedelta(days=days_ago)).isoformat()
        r = register(
            client, employee.person_id, record_form(session, hours=hours, completed_on=day)
        )
        assert r.status_code == 303
    records = records_of(session, employee.person_id)
    assert [r.hours for r in records] == [Decimal(16), Decimal(16), Decimal(8)]
    assert {r.course_type_id for r in records} == {course(session).id}


@pytest.mark.parametrize("typed", ["01.01.1800", "0001-01-01", "1899-12-31"])
def test_a_date_before_1900_is_refused_as_every_other_date_field_does(client, session, typed):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    r = register(client, employee.person_id, record_form(session, completed_on=typed))
    assert r.status_code == 422
    assert "Skriv en dato mellom år 1900 og 2200." in r.text
    assert f'value="{typed}"' in r.text  # what was typed comes back
    assert records_of(session, employee.person_id) == []


def test_a_date_in_the_future_is_refused(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    r = register(client, employee.person_id, record_form(session, completed_on=tomorrow))
    assert r.status_code == 422
    assert "Datoen kan ikke være fram i tid." in r.text
    assert 'href="#field-completed_on"' in r.text
    assert records_of(session, employee.person_id) == []
    r = register(client, employee.person_id, record_form(session, completed_on=today().isoformat()))
    assert r.status_code == 303  # today is fine


def test_hours_of_zero_or_less_are_refused(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    for hours in ("0", "-4", "0,00", "abc"):
        r = register(client, employee.person_id, record_form(session, hours=hours))
        assert r.status_code == 422, hours
        assert 'href="#field-hours"' in r.text
    assert records_of(session, employee.person_id) == []


def test_an_archived_course_type_cannot_be_chosen(client, session):
    admin, _leader, employee, _other = setup_people(session)
    first_aid = course(session, "Førstehjelp")
    first_aid.archived_on = today()
    session.add(first_aid)
    session.commit()
    login(client, admin.email)
    form = client.get(f"/people/{employee.person_id}/training/new")
    assert "Førstehjelp" not in form.text
    r = register(client, employee.person_id, record_form(session, course_type_id=str(first_aid.id)))
    assert r.status_code == 422
    assert "Velg et kurs fra listen." in r.text


# --- who may register -----------------------------------------------------------------


def test_leader_registers_for_people_in_their_department_but_not_others(client, session):
    _admin, leader, employee, other = setup_people(session)
    login(client, leader.email)
    assert client.get(f"/people/{employee.person_id}/training/new").status_code == 200
    assert register(client, employee.person_id, record_form(session)).status_code == 303
    assert client.get(f"/people/{other.person_id}/training/new").status_code == 403
    assert register(client, other.person_id, record_form(session)).status_code == 403
    assert records_of(session, other.person_id) == []


def test_employee_may_not_register_for_someone_else(client, session):
    _admin, _leader, employee, other = setup_people(session)
    login(client, employee.email)
    assert client.get(f"/people/{other.person_id}/training/new").status_code == 403
    r = register(
        client,
        other.person_id,
        record_form(session),
        files={"certificate": ("a.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 403
    assert records_of(session, other.person_id) == []
    assert session.exec(select(Certificate)).all() == []


def test_unknown_person_is_404(client, session):
    admin, *_ = setup_people(session)
    login(client, admin.email)
    assert client.get("/people/99999/training/new").status_code == 404


# --- the certificate upload -------------------------------------------------------------


def _refused(client, session, person_id, files):
    r = register(client, person_id, record_form(session), files=files)
    assert records_of(session, person_id) == []
    assert session.exec(select(Certificate)).all() == []
    return r


def test_text_or_executable_content_is_refused(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    for name, content in (
        ("bevis.pdf", b"bare tekst, ikke en PDF\n"),
        ("bevis.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
    ):
        r = _refused(
            client, session, employee.person_id, {"certificate": (name, content, "application/pdf")}
        )
        assert r.status_code == 422
        assert "Filtypen er ikke tillatt" in r.text
        assert 'href="#field-certificate"' in r.text


def test_svg_with_a_script_named_png_and_sent_as_image_png_is_refused(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    r = _refused(
        client, session, employee.person_id, {"certificate": ("certificate.png", SVG, "image/png")}
    )
    assert r.status_code == 422
    assert "SVG-filer er ikke tillatt" in r.text
    assert "fetch(" not in r.text


def test_html_is_refused(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    r = _refused(
        client, session, employee.person_id, {"certificate": ("bevis.pdf", HTML, "application/pdf")}
    )
    assert r.status_code == 422
    assert "HTML-filer er ikke tillatt" in r.text


def test_a_too_large_file_is_refused_naming_the_limit(client, session, settings):
    """A file just over the upload limit gets the form's message (the request limit leaves
    room for the rest of the form)."""
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    assert settings.upload_max_bytes == 10 * 1024 * 1024
    big = PDF + b"\x00" * (settings.upload_max_bytes + 1 - len(PDF))
    r = _refused(
        client, session, employee.person_id, {"certificate": ("stor.pdf", big, "application/pdf")}
    )
    assert r.status_code == 413
    assert "Filen er for stor. Største tillatte størrelse er 10 MB." in r.text


def test_form_errors_and_file_errors_are_shown_together(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    r = register(
        client,
        employee.person_id,
        record_form(session, hours="0"),
        files={"certificate": ("x.png", SVG, "image/png")},
    )
    assert r.status_code == 422
    assert 'href="#field-hours"' in r.text and 'href="#field-certificate"' in r.text


def test_path_traversal_in_the_filename_is_stored_as_a_basename_and_never_used_as_a_path(
    client, session, tmp_path, monkeypatch
):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    monkeypatch.chdir(tmp_path)
    r = register(
        client,
        employee.person_id,
        record_form(session),
        files={"certificate": ("../../etc/passwd.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 303, r.text[:2000]
    (record,) = records_of(session, employee.person_id)
    certificate = session.get(Certificate, record.certificate_id)
    assert certificate.filename == "passwd.pdf"
    assert certificate.content == PDF  # stored in the database
    assert list(Path(tmp_path).rglob("*passwd*")) == []  # nothing written by that name
    download = client.get(f"/training/records/{record.id}/certificate")
    assert 'filename="passwd.pdf"' in download.headers["content-disposition"]
    assert ".." not in download.headers["content-disposition"]


def test_a_pdf_polyglot_is_refused_and_a_pdf_is_served_only_as_a_sandboxed_attachment(
    client, session
):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    # A PDF that is also an HTML page is refused (the one upload policy, web/uploads.py).
    polyglot = PDF + HTML + SVG
    r = _refused(
        client, session, employee.person_id, {"certificate": ("bevis.html", polyglot, "text/html")}
    )
    assert r.status_code == 422 and "HTML eller skript" in r.text
    r = register(
        client,
        employee.person_id,
        record_form(session),
        files={"certificate": ("bevis.html", PDF, "text/html")},
    )
    assert r.status_code == 303, r.text[:2000]
    (record,) = records_of(session, employee.person_id)
    download = client.get(f"/training/records/{record.id}/certificate")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    # The name ends in the stored type's extension.
    assert "filename*=UTF-8''bevis.html.pdf" in download.headers["content-disposition"]
    assert download.headers["content-security-policy"] == "sandbox"
    assert download.headers["x-content-type-options"] == "nosniff"


# --- viewing and the certificate download ----------------------------------------------


def _record_with_certificate(client, session, person_id, admin_email):
    login(client, admin_email)
    r = register(
        client,
        person_id,
        record_form(session),
        files={"certificate": ("bevis.png", PNG, "image/png")},
    )
    assert r.status_code == 303
    client.post("/logout", data={"csrf_token": client.token("/")})
    client.cookies.clear()
    return records_of(session, person_id)[0]


def test_certificate_is_served_to_the_person_the_admin_and_their_leader(client, session):
    admin, leader, employee, _other = setup_people(session)
    record = _record_with_certificate(client, session, employee.person_id, admin.email)
    for user in (employee, admin, leader):
        client.cookies.clear()
        login(client, user.email)
        page = client.get(f"/training/records/{record.id}")
        assert page.status_code == 200, user.email
        download = client.get(f"/training/records/{record.id}/certificate")
        assert download.status_code == 200, user.email
        assert download.content == PNG
        assert download.headers["content-type"] == "image/png"
        assert download.headers["content-disposition"] == (
            "attachment; filename=\"bevis.png\"; filename*=UTF-8''bevis.png"
        )


def test_another_employee_gets_403_for_the_record_and_its_certificate(client, session):
    admin, _leader, employee, other = setup_people(session)
    other_leader = make_leader(session, department=make_department(session, name="Salg"))
    session.commit()
    record = _record_with_certificate(client, session, employee.person_id, admin.email)
    for user in (other, other_leader):
        client.cookies.clear()
        login(client, user.email)
        assert client.get(f"/training/records/{record.id}").status_code == 403
        download = client.get(f"/training/records/{record.id}/certificate")
        assert download.status_code == 403
        assert PNG not in download.content


def test_unknown_record_ids_are_404(client, session):
    admin, *_ = setup_people(session)
    login(client, admin.email)
    for url in (
        "/training/records/99999",
        "/training/records/abc",
        "/training/records/99999/certificate",
        "/training/records/abc/certificate",
    ):
        assert client.get(url).status_code == 404, url


def test_not_logged_in_is_sent_to_login(client, session):
    _admin, _leader, employee, _other = setup_people(session)
    r = client.get(f"/people/{employee.person_id}/training/new", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# --- withdrawing and the audit trail ----------------------------------------------------


def test_withdraw_keeps_the_row_and_records_the_reason(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    assert register(client, employee.person_id, record_form(session)).status_code == 303
    (record,) = records_of(session, employee.person_id)
    r = client.submit(
        f"/training/records/{record.id}/withdraw",
        {"reason": "Registrert på feil person"},
        token_page=f"/training/records/{record.id}",
    )
    assert r.status_code == 303
    (record,) = records_of(session, employee.person_id)
    assert record.withdrawn_on == today()
    assert record.withdrawn_reason == "Registrert på feil person"
    page = client.get(f"/training/records/{record.id}")
    assert "Trukket tilbake" in page.text and "Registrert på feil person" in page.text
    again = client.submit(
        f"/training/records/{record.id}/withdraw",
        {"reason": "igjen"},
        token_page=f"/training/records/{record.id}",
    )
    assert again.status_code == 422


def test_withdraw_needs_a_reason(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    register(client, employee.person_id, record_form(session))
    (record,) = records_of(session, employee.person_id)
    r = client.submit(
        f"/training/records/{record.id}/withdraw",
        {"reason": "  "},
        token_page=f"/training/records/{record.id}",
    )
    assert r.status_code == 422
    assert records_of(session, employee.person_id)[0].withdrawn_on is None


def test_another_employee_may_not_withdraw(client, session):
    admin, _leader, employee, other = setup_people(session)
    login(client, admin.email)
    register(client, employee.person_id, record_form(session))
    (record,) = records_of(session, employee.person_id)
    client.cookies.clear()
    login(client, other.email)
    r = client.submit(f"/training/records/{record.id}/withdraw", {"reason": "nei"}, token_page="/")
    assert r.status_code == 403
    assert records_of(session, employee.person_id)[0].withdrawn_on is None


def test_registering_and_withdrawing_are_in_the_audit_trail(client, session):
    admin, _leader, employee, _other = setup_people(session)
    login(client, admin.email)
    register(client, employee.person_id, record_form(session))
    (record,) = records_of(session, employee.person_id)
    client.submit(
        f"/training/records/{record.id}/withdraw",
        {"reason": "Feil kurs"},
        token_page=f"/training/records/{record.id}",
    )
    session.expire_all()
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == "training_record", AuditEvent.entity_id == str(record.id))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["create", "withdrawn"]
    assert all(e.actor_user_id == admin.id for e in events)
    assert all(e.subject_person_id == employee.person_id for e in events)
    assert events[1].after == {"withdrawn_on": today().isoformat(), "withdrawn_reason": "Feil kurs"}


def test_the_form_offers_the_course_and_a_labelled_file_field(client, session):
    _admin, _leader, employee, _other = setup_people(session)
    login(client, employee.email)
    page = client.get(f"/people/{employee.person_id}/training/new")
    assert page.status_code == 200
    assert 'for="field-certificate"' in page.text
    assert 'name="certificate" type="file"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "PDF, PNG, JPEG eller WebP, høyst 10 MB." in page.text
    assert "Grunnopplæring for verneombud" in page.text


def test_registering_your_own_training_needs_the_certificate(client, session):
    _admin, _leader, employee, _other = setup_people(session)
    login(client, employee.email)
    r = register(client, employee.person_id, record_form(session))
    assert r.status_code == 422
    assert "Legg ved kursbeviset når du registrerer din egen opplæring." in r.text
    r = register(
        client,
        employee.person_id,
        record_form(session),
        files={"certificate": ("bevis.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 303
