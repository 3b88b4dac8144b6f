"""Routine text: Markdown in, safe HTML out.

Two layers, so that a mistake in one is caught by the other:

1. markdown-it-py (CommonMark, plus tables and strikethrough) with raw HTML **off**: a
   `<script>` typed into a routine is text, escaped. Links are accepted only with http,
   https or mailto; anything else (javascript:, data:, vbscript:, file:, relative paths)
   stays as plain text. Images are off (they would load from elsewhere, and the CSP
   forbids it anyway).
2. nh3 (ammonia) cleans the result against an allowlist of tags and attributes: no event
   handlers, no style, no other URL schemes; links get rel="noopener noreferrer nofollow".
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
        "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody",
        "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def is_allowed_link(url: str) -> bool:
    """http, https or mailto only (after removing what browsers ignore in a scheme)."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f").strip()
    match = _SCHEME.match(cleaned)
    return match is not None and match.group(1).lower() in ALLOWED_SCHEMES


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable(["image", "html_inline", "html_block"])
    md.validateLink = is_allowed_link  # type: ignore[method-assign]
    return md


HEADING_OFFSET = 2  # the page has h1 (the title) and h2 (the text's heading): "#" is h3


def render_markdown(text: str) -> Markup:
    """The routine's Markdown as HTML that is safe to put in a page. Headings start at h3,
    below the page's own, so the outline stays in order. A text is rendered once per
    process (a version's text never changes once published; the same text, the same HTML)."""
    return _rendered(text or "")


@lru_cache(maxsize=256)
def _rendered(text: str) -> Markup:
    md = _parser()
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1:]) + HEADING_OFFSET)}"
    html = md.renderer.render(tokens, md.options, env)
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704  (cleaned by nh3 against an allowlist above)
