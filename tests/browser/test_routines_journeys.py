"""Browser journeys of the routines: the coordinator publishes a new version, an employee
acknowledges it from their reading list, and the coverage on the routine page rises.

The databases are shared across tests (see conftest.py): each journey makes its own
department, so the coverage it reads counts only its own people.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from hms_tracker.web.dates import today
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_department, make_user
from tests.routines.helpers import principal_for, published_routine


def seed(live, title: str):
    """A department with the coordinator and one employee, and a routine for it (v1)."""
    with live.session() as session:
        department = make_department(session, name=f"Verksted {unique()}")
        admin = make_user(session, is_admin=True, department=department)
        employee = make_user(session, department=department)
        routine = published_routine(
            session,
            principal_for(session, admin, today()),
            today(),
            title=title,
            scope="departments",
            department_ids=[department.id],
            tags="varmt-arbeid, brann",
            body="# Før arbeidet\n\n- Fjern brennbart materiale\n- Ha slokkeutstyr klart",
        )
        session.commit()
        return admin, employee, routine.id


def test_publish_a_new_version_acknowledge_it_and_see_coverage_rise(live, browsing):
    title = f"Varmt arbeid {unique()}"
    admin, employee, routine_id = seed(live, title)

    # The coordinator writes version 2 and publishes it.
    coordinator = browsing.new_page()
    login(coordinator, admin.email)
    coordinator.goto("/routines")
    check_a11y(coordinator, context="routine list")
    coordinator.get_by_role("link", name=title).click()
    expect(coordinator).to_have_url(re.compile(rf"/routines/{routine_id}$"))
    expect(coordinator.locator("#coverage-summary")).to_contain_text("0 av 2")
    check_a11y(coordinator, context="routine page")
    coordinator.get_by_role("link", name="Lag ny versjon").click()
    check_a11y(coordinator, context="edit form")
    body = coordinator.locator("#field-body")
    body.fill(body.input_value() + "\n- Brannvakt i minst en time etter arbeidet")
    coordinator.get_by_label("Hva er endret").fill("Brannvakt etter arbeidet")
    coordinator.get_by_role("button", name="Lagre utkast").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Utkastet er lagret.")
    coordinator.get_by_role("link", name="Se endringene mot versjon 1").click()
    expect(coordinator.locator("ins")).to_contain_text("Brannvakt i minst en time")
    check_a11y(coordinator, context="diff against the draft")
    coordinator.go_back()
    coordinator.get_by_role("button", name="Publiser utkastet").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Versjon 2 er publisert.")
    expect(coordinator.locator("#coverage-summary")).to_contain_text("0 av 2")
    coordinator.goto(f"/routines/{routine_id}/diff?a=1&b=2")
    expect(coordinator.locator(".routine-diff__line--insert")).to_contain_text("Lagt til")
    check_a11y(coordinator, context="diff 1→2")
    coordinator.goto(f"/routines/{routine_id}/versions/1")
    expect(coordinator.get_by_text("Dette er en tidligere versjon.")).to_be_visible()
    check_a11y(coordinator, context="version 1")

    # The employee acknowledges it from the reading list, on a phone.
    reader = browsing.new_page(viewport=PHONE)
    login(reader, employee.email)
    reader.goto("/my/reading")
    card = reader.locator(".reading-item").filter(has_text=title)
    expect(card).to_contain_text("Versjon 2")
    check_a11y(reader, context="reading list")
    assert not has_horizontal_scroll(reader)
    # Only from the routine itself, below its text: the list has no shortcut.
    expect(card.get_by_role("button")).to_have_count(0)
    card.get_by_role("link", name="Les rutinen").click()
    expect(reader.locator(".routine-body")).to_contain_text("Brannvakt i minst en time")
    check_a11y(reader, context="routine on a phone")
    assert not has_horizontal_scroll(reader)
    text_bottom = reader.locator(".routine-body").bounding_box()
    button = reader.get_by_role("button", name="Jeg har lest og forstått rutinen")
    assert text_bottom and button.bounding_box()
    assert button.bounding_box()["y"] > text_bottom["y"] + text_bottom["height"] - 1
    button.click()
    expect(reader.get_by_role("status").first).to_contain_text("lest og forstått")
    reader.goto("/my/reading")
    expect(reader.locator(".reading-item").filter(has_text=title)).to_have_count(0)
    expect(reader.locator("#done-heading")).to_be_visible()
    check_a11y(reader, context="reading list after acknowledging")
    assert not has_horizontal_scroll(reader)

    # Coverage rises on the routine page.
    coordinator.goto(f"/routines/{routine_id}")
    expect(coordinator.locator("#coverage-summary")).to_contain_text("1 av 2")
    expect(coordinator.locator("#coverage-summary")).to_contain_text("50 %")


def test_routine_pages_fit_a_phone_and_pass_axe(live, browsing):
    title = f"Truckkjøring {unique()}"
    admin, _employee, routine_id = seed(live, title)
    page = browsing.new_page(viewport=PHONE)
    login(page, admin.email)
    here = f"/routines/{routine_id}"
    paths = ("/routines", here, "/routines/new", f"{here}/edit")
    for path in paths:
        page.goto(path)
        check_a11y(page, context=f"{path} on a phone")
        assert not has_horizontal_scroll(page), path
    page.goto("/routines?q=" + title.split()[-1])
    expect(page.locator("#results")).to_contain_text(title)


def test_a_long_attachment_name_wraps_and_the_page_keeps_its_width(live, browsing):
    """A 294-character file name (the upload keeps up to 255 after cleaning) does not widen
    the page, on a desktop or a phone."""
    from hms_tracker.routines import service
    from hms_tracker.training.uploads import CheckedUpload

    title = f"Vedlegg {unique()}"
    admin, _employee, routine_id = seed(live, title)
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    with live.session() as session:
        from hms_tracker.accounts.models import User
        from hms_tracker.routines.models import Routine

        routine = session.get(Routine, routine_id)
        user = session.get(User, admin.id)
        service.add_attachment(
            session=session,
            routine=routine,
            upload=CheckedUpload(content=pdf, content_type="application/pdf",
                                 filename="a" * 250 + ".pdf"),
            actor=principal_for(session, user, today()),
        )  # fmt: skip
        session.commit()
    for viewport in (None, PHONE):
        page = browsing.new_page(viewport=viewport) if viewport else browsing.new_page()
        login(page, admin.email)
        page.goto(f"/routines/{routine_id}")
        expect(page.locator(".routine-attachments")).to_contain_text("a" * 100)
        assert not has_horizontal_scroll(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"]
