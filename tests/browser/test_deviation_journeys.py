"""Browser journeys of issue 4: an employee reports a deviation from a phone with a photo,
and a leader carries it to closure (assign, action, done, close); axe-core on every page.

The databases are shared across tests (see conftest.py): each journey seeds its own
department and people with unique names and looks only at its own rows.
"""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from playwright.sync_api import expect
from sqlmodel import select

from hms_tracker.deviations.models import Deviation, DeviationAttachment
from hms_tracker.organisation.models import DepartmentLeader
from hms_tracker.web.dates import today
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_department, make_person, make_user


def photo_with_location() -> bytes:
    """A small JPEG whose EXIF carries a GPS position (which must not be stored)."""
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (59.0, 54.0, 0.0), 3: "E", 4: (10.0, 45.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def seed(live, name: str):
    with live.session() as session:
        department = make_department(session, name=f"Verksted {name}")
        leader = make_user(session, department=department)
        session.add(DepartmentLeader(department_id=department.id, person_id=leader.person_id))
        reporter = make_user(session, department=department)
        worker = make_person(session, name=f"Tiltakseier {name}", department=department)
        session.commit()
        return department, leader, reporter, worker


def test_employee_reports_from_a_phone_with_a_photo(browsing, live):
    name = unique("Avvik")
    department, _leader, reporter, _worker = seed(live, name)
    page = browsing.new_page(viewport=PHONE)
    login(page, reporter.email)
    page.goto("/deviations/new")
    check_a11y(page, context="report form")
    assert not has_horizontal_scroll(page)
    page.get_by_label("Hva skjedde (kort)").fill(f"Løs rist {name}")
    page.get_by_label("Beskriv hendelsen").fill("Risten ved porten ligger løst.")
    page.get_by_label("Kategori").select_option("hazard")
    page.get_by_label("Avdeling").select_option(str(department.id))
    page.locator("#consequence-3").check()
    page.locator("#probability-4").check()
    page.set_input_files(
        "#field-files",
        files=[{"name": "rist.jpg", "mimeType": "image/jpeg", "buffer": photo_with_location()}],
    )
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Løs rist {name}")
    expect(page.get_by_text("Høy risiko (12)")).to_be_visible()
    check_a11y(page, context="case page as reporter")
    assert not has_horizontal_scroll(page)
    with live.session() as session:
        deviation = session.exec(
            select(Deviation).where(Deviation.title == f"Løs rist {name}")
        ).one()
        stored = session.exec(
            select(DeviationAttachment).where(DeviationAttachment.deviation_id == deviation.id)
        ).one()
        assert stored.content_type == "image/jpeg"
        assert b"Exif" not in stored.content[:200]
        assert not Image.open(io.BytesIO(stored.content)).getexif()


def test_leader_handles_a_deviation_to_closure(browsing, live):
    name = unique("Lukking")
    department, leader, reporter, worker = seed(live, name)
    with live.session() as session:
        elsewhere = make_department(session, name=f"Lager {name}")
        outsider = make_person(session, name=f"Eier {name}", department=elsewhere)
        session.commit()
    page = browsing.new_page()
    login(page, reporter.email)
    page.goto("/deviations/new")
    page.get_by_label("Hva skjedde (kort)").fill(f"Oljesøl {name}")
    page.get_by_label("Beskriv hendelsen").fill("Olje på gulvet ved kompressoren.")
    page.get_by_label("Kategori").select_option("near_miss")
    page.get_by_label("Avdeling").select_option(str(department.id))
    page.locator("#consequence-2").check()
    page.locator("#probability-3").check()
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Oljesøl {name}")
    case_url = page.url
    page.context.clear_cookies()

    login(page, leader.email)
    page.goto(case_url)
    check_a11y(page, context="registered, as leader")
    deadline = (today() + timedelta(days=7)).isoformat()
    assign = page.locator('form[action$="/assign"]')
    assign.get_by_label("Ansvarlig").select_option(str(leader.person_id))
    assign.get_by_label("Frist").fill(deadline)
    assign.get_by_role("button", name="Tildel").click()
    expect(page.get_by_text("Avviket er tildelt.")).to_be_visible()
    expect(page.locator(".heading-meta").first).to_contain_text("Under behandling")

    action = page.locator('form[action$="/actions"]')
    action.get_by_label("Tiltak").fill("Skift pakning på kompressoren")
    # The owner works elsewhere: not among the department's people offered, found by
    # typing part of the name (htmx fills the select).
    owner = action.get_by_label("Eier")
    expect(owner.locator(f'option[value="{outsider.id}"]')).to_have_count(0)
    action.get_by_label("Søk etter person").fill(name)
    expect(owner.locator(f'option[value="{outsider.id}"]')).to_have_count(1)
    owner.select_option(str(outsider.id))
    action.get_by_label("Frist").fill(deadline)
    action.get_by_role("button", name="Legg til tiltak").click()
    expect(page.get_by_text("Tiltaket er lagt til.")).to_be_visible()
    check_a11y(page, context="with an open action")

    # Closing with the action open is refused, with the reason on the page.
    page.get_by_text("Lukk avviket", exact=True).first.click()
    close = page.locator('form[action$="/close"]')
    close.get_by_label("Årsak").fill("Slitt pakning")
    close.get_by_label("Virket tiltakene?").select_option("yes")
    close.get_by_role("button", name="Lukk avviket").click()
    expect(page.get_by_text("kan ikke lukkes mens 1 tiltak er åpent", exact=False)).to_be_visible()
    check_a11y(page, context="close refused")

    page.get_by_text("Merk som utført", exact=True).first.click()
    done = page.locator('form[action*="/done"]')
    done.get_by_label("Hva ble gjort").fill("Ny pakning montert")
    done.get_by_role("button", name="Merk som utført").click()
    expect(page.get_by_text("Tiltaket er merket som utført.")).to_be_visible()

    page.get_by_text("Lukk avviket", exact=True).first.click()
    close = page.locator('form[action$="/close"]')
    close.get_by_label("Årsak").fill("Slitt pakning")
    close.get_by_label("Virket tiltakene?").select_option("yes")
    close.get_by_role("button", name="Lukk avviket").click()
    expect(page.get_by_text("Avviket er lukket.")).to_be_visible()
    expect(page.locator(".heading-meta").first).to_contain_text("Lukket")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Avviket ble lukket")
    expect(timeline).to_contain_text("Tiltak utført")
    check_a11y(page, context="closed")
