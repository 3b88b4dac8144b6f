"""What a person does in the browser, end to end, on SQLite and on PostgreSQL.

Every page a journey visits is checked with axe-core (`check_a11y`); CSP violations and
uncaught script errors fail the journey (see conftest.py).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_department, make_person, make_user


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


# --- people ------------------------------------------------------------------------------


def test_admin_adds_a_person_and_finds_them_by_search(live, page):
    token = unique()
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        department = make_department(session, name=f"Lager {token}")
        session.commit()
    name = f"Kari Nordmann {token}"
    login(page, admin.email)

    page.goto("/people/new")
    check_a11y(page, context="empty person form")
    form = page.locator('form[action="/people/new"]')
    form.get_by_role("button", name="Legg til person").click()

    summary = page.locator(".ds-error-summary")
    expect(summary).to_be_visible()
    name_link = summary.locator('a[href="#field-name"]')
    expect(name_link).to_be_visible()
    check_a11y(page, context="person form with errors")
    name_link.click()
    expect(page.locator('input[name="name"]')).to_be_focused()

    page.locator('input[name="name"]').fill(name)
    page.locator('input[name="email"]').fill(f"kari-{token}@test.example")
    page.locator('input[name="phone"]').fill("+47 912 34 567")
    page.locator('input[name="title"]').fill("Lagermedarbeider")
    page.locator('select[name="department_id"]').select_option(label=department.name)
    page.locator('input[name="employed_from"]').fill("2024-01-15")
    page.locator('select[name="employment_type"]').select_option("temporary")
    page.locator('input[name="weekly_hours"]').fill("30")
    form.get_by_role("button", name="Legg til person").click()

    expect(page).to_have_url(re.compile(r"/people/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("status").first).to_contain_text("er lagt til")
    check_a11y(page, context="new person's page")

    page.goto("/people")
    check_a11y(page, context="people list")
    page.evaluate("() => { window.__sameDocument = true; }")
    page.locator('input[name="q"]').fill(token)
    results = page.locator("#results")
    expect(results.get_by_role("link", name=name)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]q={token}"))  # hx-push-url keeps the search
    assert page.evaluate("() => window.__sameDocument === true"), (
        "the search reloaded the whole page instead of swapping the results"
    )
    expect(results.get_by_role("row")).to_have_count(2)  # the header row and Kari
    check_a11y(page, context="people search results")


def _csv(*rows: str) -> bytes:
    header = (
        "navn;e-post;telefon;stilling;avdeling;ansatt_fra;ansatt_til;ansettelsesform;"
        "ukentlige_timer"
    )
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def test_admin_imports_people_from_csv_after_a_preview(live, page):
    token = unique()
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        lager = make_department(session, name=f"Lager {token}")
        kontor = make_department(session, name=f"Kontor {token}")
        session.commit()
    login(page, admin.email)

    page.goto("/people/import")
    check_a11y(page, context="import form")

    broken = _csv(f"Feil Avdeling {token};;;;Finnes ikke {token};2024-01-15;;;")
    page.locator('input[name="file"]').set_input_files(
        files=[{"name": "feil.csv", "mimeType": "text/csv", "buffer": broken}]
    )
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.locator(".import-errors")).to_contain_text(f"Finnes ikke {token}")
    expect(page.get_by_role("button", name=re.compile("^Lagre"))).to_have_count(0)
    check_a11y(page, context="import preview with errors")

    good = _csv(
        f"Åse Ås {token};ase-{token}@test.example;+47 912 34 567;Lagermedarbeider;"
        f"{lager.name};2024-01-15;;Fast ansatt;37,5",
        f"Øystein Øst {token};oystein-{token}@test.example;;Rådgiver;{kontor.name};"
        "15.03.2023;;Midlertidig ansatt;20",
    )
    page.locator('input[name="file"]').set_input_files(
        files=[{"name": "personer.csv", "mimeType": "text/csv", "buffer": good}]
    )
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    preview = page.locator("table")
    expect(preview).to_contain_text(f"Åse Ås {token}")
    expect(preview).to_contain_text(f"Øystein Øst {token}")
    check_a11y(page, context="import preview")

    page.get_by_role("button", name="Lagre 2 personer").click()
    expect(page).to_have_url(re.compile(r"/people(\?|$)"))
    expect(page.get_by_role("status").first).to_contain_text("2 personer er importert")
    check_a11y(page, context="people list after import")

    page.goto(f"/people?q={token}&status=all")
    results = page.locator("#results")
    expect(results.get_by_role("link", name=f"Åse Ås {token}")).to_be_visible()
    expect(results.get_by_role("link", name=f"Øystein Øst {token}")).to_be_visible()
    expect(results).to_contain_text(lager.name)
    expect(results).to_contain_text(kontor.name)


def test_people_pages_fit_a_phone(live, browsing):
    token = unique()
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        department = make_department(session, name=f"Vedlikehold og drift {token}")
        make_person(
            session,
            name=f"Bjørn-Åge Kristoffersen-Halvorsen {token}",
            title="Vedlikeholdsmedarbeider",
            department=department,
        )
        session.commit()
    page = browsing.new_page(viewport=PHONE)
    login(page, admin.email)

    for path in ("/people", f"/people?q={token}", "/people/new", "/people/import"):
        response = page.goto(path)
        assert response is not None and response.status == 200, f"GET {path}"
        assert not has_horizontal_scroll(page), f"{path} scrolls sideways at 360 px"
        check_a11y(page, context=f"{path} at 360 px")


def test_without_javascript_one_can_log_in_and_search_people(live, browsing):
    token = unique()
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        make_person(session, name=f"Ingrid Uten Skript {token}")
        session.commit()
    page = browsing.new_page(java_script_enabled=False)

    login(page, admin.email)
    expect(page.get_by_role("navigation", name="Hovedmeny")).to_be_visible()

    page.goto("/people")
    search = page.get_by_role("search")
    search.locator('input[name="q"]').fill(token)
    search.get_by_role("button", name="Søk").click()
    expect(page).to_have_url(re.compile(rf"/people\?.*q={token}"))
    row = page.locator("#results").get_by_role("link", name=f"Ingrid Uten Skript {token}")
    expect(row).to_be_visible()
    check_a11y(page, context="search results without JavaScript")
