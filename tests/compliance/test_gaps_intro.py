"""The /gaps introduction names every register the rules read, with the laws they rest on."""

from __future__ import annotations

import re

from tests.login import login_admin


def test_the_gaps_intro_names_deviations_routines_and_risks(client, session):
    login_admin(client, session)
    page = client.get("/gaps")
    assert page.status_code == 200
    intro = re.search(r'<h1[^>]*>.*?</h1>\s*<p class="ds-paragraph">(.*?)</p>', page.text, re.S)
    assert intro
    text = intro[1]
    for part in (
        "verneombud",
        "AMU",
        "valgperioder",
        "pålagt opplæring",
        "avvik",
        "arbeidsmiljøloven § 5-2",
        "internkontrollforskriften § 5 nr. 7",
        "rutiner",
        "risikovurderinger",
    ):
        assert part in text, part
