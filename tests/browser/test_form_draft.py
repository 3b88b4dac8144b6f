"""Nothing typed is lost (issue 14): a report sent after the session ended in another tab
comes back filled in once the person has logged in again, on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from hms_tracker.deviations.models import Deviation
from tests.browser.conftest import PHONE, check_a11y, login, unique
from tests.conftest import PASSWORD
from tests.factories import make_department, make_user


def test_a_report_sent_after_logging_out_in_another_tab_comes_back_filled(live, browsing):
    name = unique("Utkast")
    with live.session() as session:
        department = make_department(session, name=f"Lager {name}")
        reporter = make_user(session, department=department)
        session.commit()
    page = browsing.new_page(viewport=PHONE)
    login(page, reporter.email)
    page.goto("/deviations/new")
    title = f"Glatt rampe {name}"
    page.get_by_label("Hva skjedde (kort)").fill(title)
    page.get_by_label("Beskriv hendelsen").fill("Is på rampen ved port 4.\nNoen skled.")
    page.get_by_label("Kategori").select_option("hazard")
    page.get_by_label("Avdeling").select_option(str(department.id))
    page.locator("#consequence-3").check()
    page.locator("#probability-4").check()

    other = page.context.new_page()  # another tab of the same browser
    other.goto("/")
    other.locator('form[action="/logout"] button').click()
    other.wait_for_url(re.compile(r"/login"))
    other.close()

    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen tilgang")
    expect(page.get_by_text("tatt vare på i denne fanen")).to_be_visible()
    check_a11y(page, context="a form refused after logging out")
    page.get_by_role("link", name="Logg inn og fortsett").click()
    form = page.locator('form[action="/login"]')
    form.locator('input[name="email"]').fill(reporter.email)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Logg inn").click()

    expect(page).to_have_url(re.compile(r"/deviations/new$"))
    expect(
        page.get_by_role("status").filter(has_text="Vi har fylt inn det du skrev")
    ).to_be_visible()
    expect(page.get_by_label("Hva skjedde (kort)")).to_have_value(title)
    expect(page.get_by_label("Beskriv hendelsen")).to_have_value(
        "Is på rampen ved port 4.\nNoen skled."
    )
    expect(page.get_by_label("Kategori")).to_have_value("hazard")
    expect(page.locator("#consequence-3")).to_be_checked()
    check_a11y(page, context="the report form filled in again")
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    with live.session() as session:
        assert len(session.exec(select(Deviation).where(Deviation.title == title)).all()) == 1
    # Used once: the form is empty the next time.
    page.goto("/deviations/new")
    expect(page.get_by_label("Hva skjedde (kort)")).to_have_value("")
