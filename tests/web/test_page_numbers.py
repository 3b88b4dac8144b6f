"""The page links of a long list: the first, the last and two on each side of the current
page, "…" (None) where pages are left out — as many links for 4,000 pages as for ten."""

from __future__ import annotations

import pytest

from hms_tracker.web.jinja import page_numbers


@pytest.mark.parametrize(
    ("page", "pages", "shown"),
    [
        (1, 1, [1]),
        (1, 4, [1, 2, 3, 4]),
        (1, 5, [1, 2, 3, None, 5]),
        (4, 100, [1, 2, 3, 4, 5, 6, None, 100]),
        (10, 100, [1, None, 8, 9, 10, 11, 12, None, 100]),
        (100, 100, [1, None, 98, 99, 100]),
        (2000, 4000, [1, None, 1998, 1999, 2000, 2001, 2002, None, 4000]),
    ],
)
def test_page_links_are_the_ends_and_the_pages_around(page, pages, shown):
    assert page_numbers(page, pages) == shown
