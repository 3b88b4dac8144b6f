"""Every link on /gaps, for every demo role that sees the page, leads to an allowed page
that shows something while the card counts something (issue 14). Both databases."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from hms_tracker.accounts.models import User
from tests.login import login_as

ROLES = ["koordinator@example.com", "leder@example.com", "verneombud@example.com",
         "amu@example.com"]  # fmt: skip
CARD = re.compile(
    r'<li class="ds-card finding" id="finding-\d+">(.*?)</li>\s*'
    r'(?=<li class="ds-card finding"|</ul>)',
    re.S,
)


@pytest.mark.parametrize("email", ROLES)
def test_every_gap_link_leads_to_a_page_that_shows_something(demo, client, session, email):
    user = session.exec(select(User).where(User.email == email)).one()
    login_as(client, session, user)
    page = client.get("/gaps")
    assert page.status_code == 200
    checked = 0
    for card in CARD.findall(page.text):
        if 'data-color="danger"' not in card.split("</div>", 1)[0]:
            continue  # not a gap
        for url in re.findall(r'<a class="ds-link" href="([^"]+)"', card):
            url = html.unescape(url)
            if url.startswith("http"):
                continue  # Lovdata
            linked = client.get(url)
            assert linked.status_code == 200, (email, url, linked.status_code)
            shown = re.search(r'id="results-count"[^>]*>\s*([\d\s\u00a0]+)', linked.text)
            if shown:
                assert int(re.sub(r"\D", "", shown.group(1))) > 0, (email, url, "empty")
            checked += 1
    assert checked, "the demo has gaps with links for every role"


@pytest.mark.parametrize("email", ["amu@example.com", "verneombud@example.com"])
def test_every_record_link_on_the_amu_page_is_one_they_may_open(demo, client, session, email):
    user = session.exec(select(User).where(User.email == email)).one()
    login_as(client, session, user)
    page = client.get("/amu").text
    links = set(re.findall(r'href="(/(?:people|routines|deviations|risks)/\d+)"', page))
    assert links, "the demo's AMU page names records"
    for url in sorted(links):
        assert client.get(url).status_code == 200, (email, url)
