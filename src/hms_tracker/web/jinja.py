"""The Jinja setup that pages and e-mails share: templates from `templates/`, texts through
our catalogues in the language of the moment (`{{ _("…") }}`, `{% trans %}`), and dates and
numbers formatted by Babel in that language (`|date`, `|datetime`, `|number`).

Pages (web/templating.py) escape HTML; e-mails (notifications/service.py, `render_body`,
templates/email/*.txt) are plain text.
Imports no domain code, so any module may render with it.
"""

from __future__ import annotations

from typing import Any

import jinja2

from hms_tracker.paths import TEMPLATES_DIR
from hms_tracker.web import i18n
from hms_tracker.web.forms import new_form_key


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page links of a list of `pages` pages, seen from `page`: the first, the last and
    `around` on each side of it, with None where pages are left out ("…"). As many items
    for page 1 of 4,000 as of 3; never a loop over every page."""
    wanted = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    shown: list[int | None] = []
    for number in wanted:
        if shown and number - (shown[-1] or 0) > 1:
            shown.append(None)
        shown.append(number)
    return shown


def make_environment(*, autoescape: bool, **options: Any) -> jinja2.Environment:
    """A Jinja environment over `templates/` with our i18n and filters; `options` go to
    `jinja2.Environment` (e.g. `keep_trailing_newline`, `undefined`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=autoescape,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations(i18n.get_language()).gettext(message),
        lambda s, p, n: i18n.translations(i18n.get_language()).ngettext(s, p, n),
        newstyle=True,
    )
    env.filters["date"] = i18n.format_date
    env.filters["datetime"] = i18n.format_datetime
    env.filters["number"] = i18n.format_number
    env.globals["LANGUAGES"] = i18n.LANGUAGES
    env.globals["page_numbers"] = page_numbers
    env.globals["form_key"] = new_form_key  # a create form's one-time key (web/once.py)
    return env
