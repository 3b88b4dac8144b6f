"""The start page on the demo company (both databases), for each of the five demo logins:
every count it shows is the count of the page it links to, and each role sees its part.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from hms_tracker.accounts.models import User
from hms_tracker.demo.service import DEMO_ACCOUNTS
from tests.login import login_as

TASK = re.compile(
    r'<a class="ds-link task-list__link" href="([^"]+)">.*?<span>([^<]+)</span></a>', re.S
)
NUMBER = re.compile(r"\d[\d\s\u00a0]*")


def _number(text: str) -> int:
    found = NUMBER.search(text)
    assert found, text
    return int(re.sub(r"\D", "", found.group()))


def _shown_count(client, url: str) -> int:
    """What the linked page itself says it holds."""
    page = client.get(url)
    assert page.status_code == 200, url
    text = page.text
    path, _, section = url.partition("#")
    if path.startswith("/amu") and section:
        start = text.index(f'id="{section}"')
        heading = text[start : text.index("</h2>", start)]
        return _number(heading[heading.rindex("(") :])
    if path == "/my/reading":
        start = text.index('id="to-read-heading"')
        return _number(text[start + 20 : text.index("</h2>", start)])
    if path == "/gaps" and section == "own-heading":
        return _number(text[text.index("I tillegg er") :])
    if path == "/gaps":
        return _number(text[text.index("mangel" if " mangel " in text else "mangler") - 8 :])
    start = text.index('id="results-count"')
    return _number(text[text.index(">", start) + 1 : text.index("</p>", start)])


def _tasks(text: str) -> list[tuple[str, str]]:
    return [(html.unescape(url), html.unescape(label)) for url, label in TASK.findall(text)]


@pytest.mark.parametrize("email", [email for email, _role in DEMO_ACCOUNTS])
def test_every_count_on_the_start_page_is_what_its_link_shows(demo, client, session, email):
    user = session.exec(select(User).where(User.email == email)).one()
    login_as(client, session, user)
    page = client.get("/")
    assert page.status_code == 200
    assert 'href="/deviations/new"' in page.text  # report first, for everyone
    tasks = _tasks(page.text)
    assert tasks, "the demo gives every role something to do"
    for url, label in tasks:
        assert _number(label) == _shown_count(client, url), (email, url, label)


def test_each_role_sees_its_own_part(demo, client, session):
    coordinator, leader, safety_rep, amu = (
        "Som HMS-koordinator", "Avdelingene du leder", "Som verneombud", "Til arbeidsmiljøutvalget"
    )  # fmt: skip
    parts = {
        "koordinator@example.com": {coordinator, amu},  # the coordinator prepares the AMU
        "leder@example.com": {leader},
        "ansatt@example.com": set(),
        "verneombud@example.com": {safety_rep},
        "amu@example.com": {amu},
    }
    every = {coordinator, leader, safety_rep, amu}
    for email, _role in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email == email)).one()
        login_as(client, session, user)
        text = client.get("/").text
        assert "Avvikene du har meldt" in text and "Det som venter på deg" in text
        for title in every:
            assert (title in text) == (title in parts[email]), (email, title)


def test_the_coordinator_sees_the_most_urgent_legal_gap_first(demo, client, session):
    user = session.exec(select(User).where(User.email == "koordinator@example.com")).one()
    login_as(client, session, user)
    text = client.get("/").text
    listed = text[text.index("det mest hastende først") :]
    # The demo holds a serious injury without a recorded notification: it leads.
    first = re.search(r'<li><a class="ds-link" href="[^"]*">([^<]+)</a>', listed)
    assert first and "alvorlig personskade" in first.group(1).lower()


def test_the_start_page_shows_a_write_at_once(demo, client, session):
    """The page is kept under the data version: a new report of one's own shows on the
    very next request."""
    from hms_tracker.organisation.models import Department, Person
    from tests.deviations.helpers import make_deviation

    user = session.exec(select(User).where(User.email == "ansatt@example.com")).one()
    login_as(client, session, user)
    assert "Stige uten fot" not in client.get("/").text
    person = session.get(Person, user.person_id)
    department = session.get(Department, person.department_id)
    make_deviation(session, department, reporter=person, title="Stige uten fot")
    session.commit()
    assert "Stige uten fot" in client.get("/").text
