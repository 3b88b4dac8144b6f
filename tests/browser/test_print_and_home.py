"""Browser journeys of issue 14: the coordinator prints the gaps, the training overview and
the statistics without the menu, the filters or the buttons; the start page on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login
from tests.factories import make_user


def test_the_gaps_the_training_and_the_statistics_print_without_menu_or_buttons(live, browsing):
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        session.commit()
    page = browsing.new_page()
    login(page, admin.email)
    for path in ("/gaps", "/training", "/deviations/stats"):
        page.goto(path)
        page.emulate_media(media="screen")
        expect(page.locator(".site-nav")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator(".site-nav")).to_be_hidden()
        expect(page.locator(".site-header__logout")).to_be_hidden()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        for button in page.locator(".ds-button").all():
            expect(button).to_be_hidden()
        for search in page.locator("form[role=search]").all():
            expect(search).to_be_hidden()
        assert page.pdf(), path


def test_the_start_page_on_a_phone_leads_with_reporting(live, browsing):
    with live.session() as session:
        employee = make_user(session)
        session.commit()
    page = browsing.new_page(viewport=PHONE)
    login(page, employee.email)
    page.goto("/")
    report = page.get_by_role("link", name="Meld avvik").first
    expect(report).to_be_visible()
    expect(page.get_by_role("heading", name="Det som venter på deg")).to_be_visible()
    expect(page.get_by_role("heading", name="Avvikene du har meldt")).to_be_visible()
    assert not has_horizontal_scroll(page), "/ scrolls sideways at 360 px"
    check_a11y(page, context="/ at 360 px")
    report.click()
    expect(page).to_have_url(re.compile(r"/deviations/new$"))
