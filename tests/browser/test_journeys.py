"""What a person does in the browser, end to end, on SQLite and on PostgreSQL.

Every page a journey visits is checked with axe-core (`check_a11y`); CSP violations and
uncaught script errors fail the journey (see conftest.py).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login
from tests.factories import make_user


def seed_admin(live):
    with live.session() as session:
        user = make_user(session, is_admin=True)
        session.commit()
        return user


# --- logging in and out ------------------------------------------------------------------


def test_admin_logs_in_sees_the_menu_and_logs_out(live, page):
    admin = seed_admin(live)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    check_a11y(page, context="login form")

    login(page, admin.email)
    expect(page).to_have_url(f"{live.base_url}/")
    nav = page.get_by_role("navigation", name="Hovedmeny")
    expect(nav.get_by_role("link", name="Oversikt")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Endringslogg")).to_be_visible()
    check_a11y(page, context="start page")

    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("Du er logget ut.")
    expect(page.get_by_role("navigation", name="Hovedmeny")).to_have_count(0)
    check_a11y(page, context="after logout")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_shows_the_error_summary_and_keeps_the_email(live, page):
    admin = seed_admin(live)
    page.goto("/login")
    page.locator('input[name="email"]').fill(admin.email)
    page.locator('input[name="password"]').fill("feil-passord")
    page.get_by_role("button", name="Logg inn").click()

    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Feil e-postadresse eller passord.")
    expect(page.locator('input[name="email"]')).to_have_value(admin.email)
    expect(page.get_by_role("navigation", name="Hovedmeny")).to_have_count(0)
    check_a11y(page, context="failed login")


def test_empty_login_links_each_error_to_its_field(live, page):
    page.goto("/login")
    page.get_by_role("button", name="Logg inn").click()
    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_visible()
    check_a11y(page, context="empty login")

    summary.get_by_role("link", name=re.compile("Passord")).click()
    expect(page.locator('input[name="password"]')).to_be_focused()


# --- language ----------------------------------------------------------------------------


def test_language_switch_changes_the_page_language_and_back(live, page):
    # The English catalogue is written separately; until it is complete this journey checks
    # the page's declared language and the switch itself, not translated wording.
    admin = seed_admin(live)
    login(page, admin.email)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "nb")

    page.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Norsk (bokmål)")).to_be_visible()
    expect(page).to_have_url(f"{live.base_url}/")
    check_a11y(page, context="English")

    # The choice sticks: another page is English too.
    page.goto("/audit")
    expect(html).to_have_attribute("lang", "en")
    check_a11y(page, context="English audit log")

    page.get_by_role("button", name="Norsk (bokmål)").click()
    expect(html).to_have_attribute("lang", "nb")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page).to_have_url(f"{live.base_url}/audit")
    check_a11y(page, context="back to Norwegian")


def test_language_switch_works_before_login(live, page):
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login$"))
    check_a11y(page, context="English login")


# --- phone width -------------------------------------------------------------------------


def test_login_and_start_page_fit_a_phone(live, browsing):
    admin = seed_admin(live)
    page = browsing.new_page(viewport=PHONE)

    page.goto("/login")
    assert not has_horizontal_scroll(page), "the login page scrolls sideways at 360 px"
    check_a11y(page, context="login at 360 px")

    login(page, admin.email)
    expect(page.get_by_role("navigation", name="Hovedmeny")).to_be_visible()
    assert not has_horizontal_scroll(page), "the start page scrolls sideways at 360 px"
    check_a11y(page, context="start page at 360 px")
