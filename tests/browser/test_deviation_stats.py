"""Browser journey: the deviation statistics page on a phone, checked with axe-core; the
admin enters hours worked (a refused value first). The database is shared across tests, so
the journey looks only at its own rows."""

from __future__ import annotations

from datetime import datetime, time

from playwright.sync_api import expect

from hms_tracker.deviations.models import Deviation
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import OSLO
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_department, make_user


def test_statistics_on_a_phone_and_hours_worked(live, browsing):
    name = unique("Avdelingmedetsværtlangtnavnutenmellomrom") + " <script>x</script>"
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        dept = make_department(session, name=name)
        session.add(
            Deviation(
                title="Glatt gulv",
                description="Vann på gulvet",
                department_id=dept.id,
                occurred_at=datetime.combine(today(), time(8), OSLO),
                created_at=datetime.combine(today(), time(8), OSLO),
                category="near_miss",
                consequence=2,
                probability=3,
            )
        )
        session.commit()
        email = admin.email

    page = browsing.new_page(viewport=PHONE)
    login(page, email)
    page.goto("/deviations/stats")
    expect(page.get_by_role("heading", name="Avviksstatistikk", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Registrerte avvik per måned")).to_be_visible()
    row = page.locator("table tr").filter(has_text=name)
    expect(row).to_have_count(1)
    expect(row.locator("td.numeric")).to_have_text("1")
    assert not has_horizontal_scroll(page)
    check_a11y(page, context="statistics (phone)")

    page.get_by_label("År", exact=True).fill("1999")
    page.get_by_label("Arbeidede timer", exact=True).fill("12,5")
    page.get_by_role("button", name="Lagre timer").click()
    expect(page.get_by_text("Året må være mellom 2000 og 2100.").first).to_be_visible()
    expect(page.get_by_label("Arbeidede timer", exact=True)).to_have_value("12,5")
    check_a11y(page, context="hours refused")

    year = str(today().year - 1)
    page.get_by_label("År", exact=True).fill(year)
    page.get_by_label("Arbeidede timer", exact=True).fill("250 000")
    page.get_by_role("button", name="Lagre timer").click()
    expect(page.get_by_text(f"Arbeidstimene for {year} er lagret.")).to_be_visible()
    hours_row = page.locator("tr").filter(has=page.locator("th", has_text=year))
    expect(hours_row).to_contain_text("250")
    assert not has_horizontal_scroll(page)
