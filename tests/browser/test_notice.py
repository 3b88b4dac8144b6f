"""Browser journey of issue 13: an employee opens their department's notice (oppslag) of who
represents whom from the department's page, on a phone, and prints it on A4."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from hms_tracker.appointments.models import Appointment, AppointmentArea
from hms_tracker.web.dates import today
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_department, make_person, make_user

A4_POINTS = (595, 842)  # 210 × 297 mm in PostScript points, rounded


def _page_sizes(pdf: bytes) -> list[tuple[int, int]]:
    """The width and height of each page of a PDF Chromium printed, rounded to points."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def test_an_employee_reads_and_prints_the_notice_of_their_department_on_a_phone(live, browsing):
    token = unique()
    start = today() - timedelta(days=100)
    with live.session() as session:
        department = make_department(session, name=f"Lager {token}")
        below = make_department(session, name=f"Lager nord {token}", parent_id=department.id)
        rep = make_person(
            session,
            name=f"Kari Verneombud {token}",
            phone="+47 900 00 000",
            email=f"kari-vernepersonen-med-langt-navn-{token}@eksempel-bedrift.example",
        )
        member_person = make_person(session, name=f"Arne Arbeidsgiver {token}")
        employee = make_user(session, department=below)
        vo = Appointment(kind="safety_rep", person_id=rep.id, starts_on=start)
        member = Appointment(
            kind="amu_member", person_id=member_person.id, amu_side="employer", starts_on=start
        )
        bht = Appointment(
            kind="ohs_contact",
            external_name=f"Berit Bedriftslege {token}",
            external_organisation="Helse og Arbeidsmiljø BHT AS",
            starts_on=start,
        )
        session.add_all([vo, member, bht])
        session.flush()
        session.add(AppointmentArea(appointment_id=vo.id, department_id=department.id))
        session.commit()

    page = browsing.new_page(viewport=PHONE)
    login(page, employee.email)
    page.goto(f"/departments/{below.id}")
    page.get_by_role("link", name="Oppslag: verneombud og AMU for denne avdelingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hvem er verneombud og i arbeidsmiljøutvalget"
    )
    yours = page.locator("section.notice__yours")
    # Other journeys of the same browser session may have added verneombud for the whole
    # company (no area): then the heading is in the plural.
    expect(yours.get_by_role("heading", level=2)).to_have_text(
        re.compile(rf"^(Ditt|Dine) verneombud i Lager nord {token}$")
    )
    expect(yours).to_contain_text(f"Kari Verneombud {token}")
    expect(yours).to_contain_text(f"Verneområde: Lager {token}")
    expect(page.locator("#ohs-heading + *")).to_contain_text(f"Berit Bedriftslege {token}")
    assert not has_horizontal_scroll(page), "/notice scrolls sideways at 360 px"
    check_a11y(page, context="/notice?department at 360 px")

    # On paper: no menus, no day picker, the notice on A4 sheets.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_label("Vis status per dag")).to_be_hidden()
    expect(yours).to_be_visible()
    sizes = _page_sizes(page.pdf(prefer_css_page_size=True))
    assert sizes and all(size == A4_POINTS for size in sizes), sizes

    # Another page prints as before: its menus and its paper are not the notice's business.
    page.goto("/appointments")
    expect(page.locator(".site-header")).to_be_visible()
    sizes = _page_sizes(page.pdf(prefer_css_page_size=True))
    assert sizes and all(size != A4_POINTS for size in sizes), sizes
