"""Browser journeys of issue 3: appointments, training and the gaps the law leaves open.

The databases are shared across tests (see conftest.py), so each journey seeds people with
unique names and looks only at their rows: company-wide counts and gaps depend on what
other tests left behind.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from hms_tracker.appointments.models import Appointment
from hms_tracker.web.dates import today
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_person, make_user

VO_COURSE = "Grunnopplæring for verneombud"
# A minimal but well-formed one-page PDF: the upload check reads the content, not the name.
SMALL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
SCRIPTED_SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>\n"
)


def seed_admin_and_person(live, name: str):
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        person = make_person(session, name=name)
        session.commit()
        return admin, person


def seed_safety_rep(live, name: str, starts_on: date, *, with_user: bool = False):
    """A person with a safety rep appointment (and a login of their own if asked)."""
    with live.session() as session:
        person = make_person(session, name=name)
        user = make_user(session, person=person) if with_user else None
        session.add(Appointment(kind="safety_rep", person_id=person.id, starts_on=starts_on))
        session.commit()
        return person, user


def training_row(page, name: str):
    """The overview's row of `name` for the safety rep course."""
    return page.locator("#results tbody tr").filter(has_text=name).filter(has_text=VO_COURSE)


def vo_gap_card(page):
    heading = page.get_by_role("heading", name=f"Opplæring: {VO_COURSE}", exact=True)
    return page.locator("li.finding").filter(has=heading)


def register_training(page, person_id: int, hours: str, completed_on: date) -> None:
    page.goto(f"/people/{person_id}/training/new")
    check_a11y(page, context="training form")
    page.get_by_label("Kurs", exact=True).select_option(label=VO_COURSE)
    page.get_by_label("Gjennomført dato").fill(completed_on.isoformat())
    page.get_by_label("Timer", exact=True).fill(hours)
    page.get_by_role("button", name="Registrer opplæring").click()
    expect(page).to_have_url(re.compile(r"/training/records/\d+$"))
    expect(page.get_by_role("status").first).to_contain_text("Opplæringen er registrert.")
    check_a11y(page, context="training record")


# --- 1. register an appointment and a course, watch the gap disappear --------------------


def test_appointment_then_training_in_two_parts_closes_the_gap(live, page):
    name = f"Vera Verneombud {unique()}"
    admin, person = seed_admin_and_person(live, name)
    day = today()
    login(page, admin.email)

    # Without an appointment nobody asks for training from this person.
    page.goto("/training")
    check_a11y(page, context="training overview")
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator("#results")).not_to_contain_text(name)

    page.goto("/appointments/new")
    check_a11y(page, context="appointment form")
    page.get_by_label("Type verv").select_option(label="Verneombud")
    # The person is found by typing the name (the picker offers a few, htmx the rest).
    page.get_by_role("searchbox", name="Søk etter person").fill(name)
    chosen = page.locator(f'select[name="person_id"] option[value="{person.id}"]')
    expect(chosen).to_have_count(1)
    page.locator('select[name="person_id"]').select_option(str(person.id))
    page.get_by_label("Startdato").fill((day - timedelta(days=300)).isoformat())
    page.get_by_role("button", name="Registrer verv").click()
    expect(page).to_have_url(re.compile(r"/appointments/\d+$"))
    expect(page.get_by_role("status").first).to_contain_text("Vervet er registrert.")
    check_a11y(page, context="appointment page")

    # Appointed 300 days ago, the six months' grace is over: the course is missing.
    page.goto("/training?status=missing")
    check_a11y(page, context="training overview, missing")
    row = training_row(page, name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Mangler")
    expect(row).to_contain_text("0 / 40")

    page.goto("/gaps")
    check_a11y(page, context="gaps")
    card = vo_gap_card(page)
    expect(card).to_have_count(1)
    expect(card.get_by_role("link", name=name)).to_have_count(1)

    # Part one: 24 of 40 hours is not enough.
    register_training(page, person.id, "24", day - timedelta(days=20))
    page.goto("/training")
    row = training_row(page, name)
    expect(row).to_contain_text("Mangler")
    expect(row).to_contain_text("24 / 40")
    page.goto("/gaps")
    expect(vo_gap_card(page).get_by_role("link", name=name)).to_have_count(1)

    # Part two: 16 more hours complete the course.
    register_training(page, person.id, "16", day - timedelta(days=5))
    page.goto("/training")
    check_a11y(page, context="training overview after the course")
    row = training_row(page, name)
    expect(row).to_contain_text("I orden")
    expect(row).to_contain_text("40 / 40")
    page.goto("/training?status=missing")
    expect(training_row(page, name)).to_have_count(0)

    page.goto("/gaps")
    check_a11y(page, context="gaps after the course")
    expect(vo_gap_card(page)).to_have_count(1)  # the course is still required of Vera
    # Vera is no longer listed as lacking the course (other cards, such as "several
    # verneombud but no hovedverneombud", may name her: other tests share the database).
    expect(vo_gap_card(page).get_by_role("link", name=name)).to_have_count(0)


# --- 2. the day picker --------------------------------------------------------------------


def test_day_picker_shows_the_status_on_the_chosen_day(live, page):
    name = f"Dag Velger {unique()}"
    starts_on = today() - timedelta(days=100)
    seed_safety_rep(live, name, starts_on)
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        session.commit()
    login(page, admin.email)

    page.goto("/training")
    expect(training_row(page, name)).to_contain_text("Innenfor frist")

    picker = page.get_by_role("form", name="Velg dag")
    picker.get_by_label("Vis status per dag").fill((starts_on - timedelta(days=1)).isoformat())
    picker.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(rf"[?&]on={(starts_on - timedelta(days=1)).isoformat()}"))
    expect(page.locator(".ds-alert[data-color=info]")).to_be_visible()
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator("#results")).not_to_contain_text(name)
    check_a11y(page, context="training overview before the appointment")

    in_grace = starts_on + timedelta(days=30)
    picker = page.get_by_role("form", name="Velg dag")
    picker.get_by_label("Vis status per dag").fill(in_grace.isoformat())
    picker.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(rf"[?&]on={in_grace.isoformat()}"))
    row = training_row(page, name)
    expect(row).to_contain_text("Innenfor frist")
    check_a11y(page, context="training overview in the grace period")

    page.get_by_role("link", name="Tilbake til i dag").click()
    expect(page).to_have_url(f"{live.base_url}/training")


# --- 3. the certificate upload ------------------------------------------------------------


def test_certificate_pdf_is_kept_and_an_svg_in_disguise_is_refused(live, page):
    name = f"Sertifikat Sara {unique()}"
    admin, person = seed_admin_and_person(live, name)
    login(page, admin.email)
    completed_on = (today() - timedelta(days=3)).isoformat()

    # An SVG named .png: refused by its content, the other values kept.
    page.goto(f"/people/{person.id}/training/new")
    page.get_by_label("Kurs", exact=True).select_option(label=VO_COURSE)
    page.get_by_label("Gjennomført dato").fill(completed_on)
    page.get_by_label("Timer", exact=True).fill("7,5")
    page.get_by_label("Kursholder").fill("BHT Vest")
    page.get_by_label("Kursbevis").set_input_files(
        files=[{"name": "certificate.png", "mimeType": "image/png", "buffer": SCRIPTED_SVG}]
    )
    page.get_by_role("button", name="Registrer opplæring").click()
    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("SVG-filer er ikke tillatt")
    expect(page.locator("#error-certificate")).to_contain_text("SVG-filer er ikke tillatt")
    expect(page.get_by_label("Kurs", exact=True).locator("option:checked")).to_have_text(VO_COURSE)
    expect(page.get_by_label("Gjennomført dato")).to_have_value(completed_on)
    expect(page.get_by_label("Timer", exact=True)).to_have_value("7,5")
    expect(page.get_by_label("Kursholder")).to_have_value("BHT Vest")
    check_a11y(page, context="training form with a refused certificate")

    # The same form with a PDF: saved, and the record offers the download.
    page.get_by_label("Kursbevis").set_input_files(
        files=[{"name": "kursbevis.pdf", "mimeType": "application/pdf", "buffer": SMALL_PDF}]
    )
    page.get_by_role("button", name="Registrer opplæring").click()
    expect(page).to_have_url(re.compile(r"/training/records/\d+$"))
    download_link = page.get_by_role("link", name="Last ned kursbevis.pdf")
    expect(download_link).to_be_visible()
    check_a11y(page, context="training record with a certificate")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == "kursbevis.pdf"
    assert Path(download.path()).read_bytes() == SMALL_PDF


# --- 4. phone width -----------------------------------------------------------------------


def test_appointment_training_and_gap_pages_fit_a_phone(live, browsing):
    name = f"Bjørn-Åge Kristoffersen-Halvorsen {unique()}"
    seed_safety_rep(live, name, today() - timedelta(days=400))
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        session.commit()
    page = browsing.new_page(viewport=PHONE)
    login(page, admin.email)

    for path in ("/appointments", "/training", "/gaps", "/training/courses"):
        response = page.goto(path)
        assert response is not None and response.status == 200, f"GET {path}"
        assert not has_horizontal_scroll(page), f"{path} scrolls sideways at 360 px"
        check_a11y(page, context=f"{path} at 360 px")


# --- 5. who sees the compliance pages -----------------------------------------------------


def test_a_safety_rep_sees_training_and_gaps_an_employee_does_not(live, browsing):
    _person, rep = seed_safety_rep(
        live, f"Verne Ombud {unique()}", today() - timedelta(days=10), with_user=True
    )
    with live.session() as session:
        employee = make_user(session)
        session.commit()

    page = browsing.new_page()
    login(page, rep.email)
    nav = page.get_by_role("navigation", name="Hovedmeny")
    expect(nav.get_by_role("link", name="Opplæring", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Mangler", exact=True)).to_be_visible()
    nav.get_by_role("link", name="Mangler", exact=True).click()
    expect(page).to_have_url(f"{live.base_url}/gaps")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mangler etter loven")
    check_a11y(page, context="gaps as a safety rep")

    other = browsing.new_page()
    login(other, employee.email)
    nav = other.get_by_role("navigation", name="Hovedmeny")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Opplæring", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="Mangler", exact=True)).to_have_count(0)
    check_a11y(other, context="start page as an employee")
    response = other.goto("/gaps")
    assert response is not None and response.status == 403
    check_a11y(other, context="gaps refused to an employee")
