"""Browser journeys of the risk register: the matrix and the list pass axe-core and fit a
360 px phone without horizontal scrolling; a matrix cell leads to its risks.

The databases are shared across tests (see conftest.py): the journey makes its own
department and looks only at it (the matrix and list filtered by department)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from hms_tracker.web.dates import today
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_department, make_user
from tests.risks.helpers import make_risk, principal_for
from tests.routines.helpers import published_routine


def seed(live):
    with live.session() as session:
        department = make_department(session, name=f"Verksted {unique()}")
        admin = make_user(session, is_admin=True, department=department)
        admin_p = principal_for(session, admin, today())
        routine = published_routine(session, admin_p, today(), title=f"Varmt arbeid {unique()}")
        high = make_risk(
            session, admin_p, department, today(),
            title=f"Arbeid i trange rom med en veldig langt ordsammensatt tittel {unique()}",
            consequence=5, probability=2,
        )  # fmt: skip
        make_risk(session, admin_p, department, today(), title=f"Sliping {unique()}",
                  consequence=5, probability=2)  # fmt: skip
        controlled = make_risk(session, admin_p, department, today(), title=f"Kutt {unique()}",
                               consequence=2, probability=4)  # fmt: skip
        from hms_tracker.risks.models import RiskRoutine

        session.add(RiskRoutine(risk_id=controlled.id, routine_id=routine.id))
        session.commit()
        return admin, department.id, high.title


def test_matrix_and_list_are_accessible_and_fit_a_phone(live, browsing):
    admin, department_id, high_title = seed(live)
    desktop = browsing.new_page()
    login(desktop, admin.email)
    desktop.goto(f"/risks/matrix?department={department_id}")
    check_a11y(desktop, context="risk matrix")
    cell = desktop.locator('a[href^="/risks?consequence=5&probability=2"]')
    expect(cell).to_contain_text("2")
    cell.click()
    expect(desktop).to_have_url(re.compile(r"/risks\?consequence=5&probability=2"))
    expect(desktop.get_by_role("link", name=high_title)).to_be_visible()
    check_a11y(desktop, context="risk list")

    phone = browsing.new_page(viewport=PHONE)
    login(phone, admin.email)
    for url in (f"/risks/matrix?department={department_id}", f"/risks?department={department_id}"):
        phone.goto(url)
        check_a11y(phone, context=f"phone {url}")
        assert not has_horizontal_scroll(phone), url
    phone.get_by_role("link", name=high_title).click()
    check_a11y(phone, context="risk page on a phone")
    assert not has_horizontal_scroll(phone)


SPLIT_WORDS = """() => {
  const split = [];
  for (const el of document.querySelectorAll('.risk-matrix th span, .risk-matrix td span')) {
    for (const node of el.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE) continue;
      for (const m of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (range.getClientRects().length > 1) split.push(m[0]);
      }
    }
  }
  return split;
}"""


def test_the_matrix_on_a_phone_breaks_no_word_in_either_language(live, browsing):
    admin, department_id, _title = seed(live)
    for language in ("nb", "en"):
        phone = browsing.new_page(viewport=PHONE)
        phone.context.add_cookies([{"name": "hms_lang", "value": language, "url": live.base_url}])
        login(phone, admin.email)
        phone.goto(f"/risks/matrix?department={department_id}")
        assert phone.locator(".risk-matrix__label").count() == 10
        assert phone.evaluate(SPLIT_WORDS) == [], language
        assert not has_horizontal_scroll(phone), language
        check_a11y(phone, context=f"matrix on a phone ({language})")
