"""Our CSP (style-src 'self', script-src 'self') holds on the pages that htmx changes most:
the deviation list through every kind of filter change, pagination and the history. And the
watcher that fails a journey on a CSP violation really sees one (an inline style attribute,
an inline <style>), so a page that broke the rule would fail here."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from hms_tracker.deviations.models import Deviation
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import OSLO
from tests.browser.conftest import assert_no_page_problems, login, unique
from tests.factories import make_department, make_user


def test_the_csp_watcher_sees_an_inline_style(live, browsing):
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        session.commit()
        email = admin.email
    page = browsing.new_page()
    login(page, email)
    page.goto("/deviations")
    assert_no_page_problems(page)
    page.evaluate(
        """() => {
      document.body.insertAdjacentHTML('beforeend', '<div style="color: red">x</div>');
      const style = document.createElement('style');
      style.textContent = 'p { color: red }';
      document.head.append(style);
    }"""
    )
    page.wait_for_timeout(300)
    seen = list(page.problems.messages)
    assert len(seen) == 2, seen
    assert all("CSP violation" in m and "style-src" in m for m in seen)
    page.problems.messages.clear()  # seen on purpose: the journey itself is not failed


def test_the_deviation_list_keeps_the_csp_through_htmx_updates(live, browsing):
    token = unique("cspliste")
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        dept = make_department(session, name=unique("CSP"))
        when = datetime.combine(today() - timedelta(days=3), time(8), OSLO)
        for n in range(30):  # more than one page of results
            session.add(
                Deviation(
                    title=f"{token} sak {n}",
                    description="Beskrivelse",
                    department_id=dept.id,
                    occurred_at=when,
                    created_at=when,
                    category="hazard" if n % 2 else "near_miss",
                    consequence=1 + n % 5,
                    probability=1 + n % 4,
                    status="in_progress" if n % 3 else "registered",
                    deadline=today() - timedelta(days=1) if n % 3 else None,
                )
            )
        session.commit()
        email = admin.email
    page = browsing.new_page()
    login(page, email)
    page.goto("/deviations")
    search = page.get_by_label("Søk", exact=True)
    search.press_sequentially(token, delay=20)
    page.wait_for_url(lambda url: token in url)
    page.get_by_label("Sorter").select_option(index=1)
    page.get_by_label("Status").select_option(index=1)
    page.get_by_label("Status").select_option(index=0)
    page.get_by_label("Kategori").select_option("hazard")
    page.get_by_label("Forfalte").check()
    page.get_by_label("Forfalte").uncheck()
    page.get_by_label("Kategori").select_option("")
    page.wait_for_load_state("networkidle")
    pages = page.locator("#results nav a")
    if pages.count():
        pages.last.click()
        page.wait_for_load_state("networkidle")
    page.go_back()
    page.go_back()
    page.go_forward()
    page.reload()
    page.wait_for_load_state("networkidle")
    assert_no_page_problems(page)
