"""Browser journey: the deviation list on a phone (no page-level horizontal scroll, axe-core),
htmx updating only the results while the URL follows, and the same form without JavaScript.
The database is shared across tests, so the journey searches for its own unique token."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from playwright.sync_api import expect

from hms_tracker.deviations.models import Deviation
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import OSLO
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_department, make_user


def test_deviation_list_on_a_phone_with_htmx_and_without_javascript(live, browsing):
    token = unique("avvikliste")
    long_word = "Ekstremtlangtordutenmellomromsomikkeskalgisidescroll" * 2
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        dept = make_department(session, name=unique("Avdelingmedlangtnavn"))
        when = datetime.combine(today() - timedelta(days=2), time(8), OSLO)
        for title, category, deadline in (
            (f"{token} {long_word}", "near_miss", today() - timedelta(days=1)),
            (f"{token} farlig trapp", "hazard", None),
        ):
            session.add(
                Deviation(
                    title=title,
                    description="Beskrivelse",
                    department_id=dept.id,
                    occurred_at=when,
                    created_at=when,
                    category=category,
                    consequence=3,
                    probability=4,
                    status="in_progress" if deadline else "registered",
                    deadline=deadline,
                )
            )
        session.commit()
        email = admin.email

    phone = browsing.new_page(viewport=PHONE)
    login(phone, email)
    phone.goto(f"/deviations?q={token}")
    expect(phone.get_by_role("heading", name="Avvik", level=1)).to_be_visible()
    rows = phone.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Forfalt")).to_have_count(1)
    assert not has_horizontal_scroll(phone)
    check_a11y(phone, context="deviation list (phone)")

    page = browsing.new_page()
    login(page, email)
    page.goto("/deviations")
    page.evaluate("() => { window.stillTheSamePage = true; }")
    page.get_by_label("Søk", exact=True).fill(token)
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"[?&]q={token}"))
    page.get_by_label("Kategori").select_option("hazard")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("farlig trapp")
    expect(page).to_have_url(re.compile(r"[?&]category=hazard"))
    # Only the results were replaced: the page (and its script state) is the same.
    assert page.evaluate("() => window.stillTheSamePage === true")
    check_a11y(page, context="deviation list filtered with htmx")

    plain = browsing.new_page(java_script_enabled=False)
    login(plain, email)
    plain.goto("/deviations")
    plain.get_by_label("Søk", exact=True).fill(token)
    plain.get_by_label("Forfalte").check()
    plain.get_by_role("button", name="Vis", exact=True).click()
    expect(plain).to_have_url(re.compile(r"[?&]overdue=1"))
    expect(plain.locator("#results tbody tr")).to_have_count(1)
    expect(plain.locator("#results")).to_contain_text(long_word)
    check_a11y(plain, context="deviation list without JavaScript")
