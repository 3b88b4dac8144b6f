"""The routine text renderer against an XSS corpus: no script, no event handler, no
dangerous URL survives, whatever is typed into the Markdown."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from hms_tracker.routines.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">klikk</a>',
    "[klikk](javascript:alert(1))",
    "[klikk](JaVaScRiPt:alert(1))",
    "[klikk](java\tscript:alert(1))",
    "[klikk](&#106;avascript:alert(1))",
    "[klikk](javascript&#58;alert(1))",
    "[klikk](%6A%61%76%61script:alert(1))",
    "[klikk](vbscript:msgbox(1))",
    "[klikk](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klikk](file:///etc/passwd)",
    '[klikk](https://ok.example "title\\" onmouseover=\\"alert(1))',
    "![bilde](javascript:alert(1))",
    "![bilde](https://tracker.example/p.png)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<<script>script>alert(1)<</script>/script>",
    "<!--<script>alert(1)</script>-->",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '<a href="https://ok.example" onclick="alert(1)">lenke</a>',
    "[x](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[a]: javascript:alert(1)\n\n[lenke][a]",
    '<p title="</p><script>alert(1)</script>">x</p>',
    "**<img src=x onerror=alert(1)>**",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
]

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, attrs))


def parsed(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def test_the_corpus_is_large_enough():
    assert len(XSS_CORPUS) >= 25


@pytest.mark.parametrize("payload", XSS_CORPUS)
def test_no_payload_survives(payload):
    html = str(render_markdown(payload))
    for tag, attrs in parsed(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            assert name in allowed or name == "rel", (tag, name, html)
            assert not name.startswith("on"), html
            if name == "href":
                assert value is not None
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto"), html
    # Typed markup may show as escaped text, never as markup.
    lowered = html.lower()
    for raw in ("<script", "<img", "<svg", "<iframe", "<style", "<object", "<embed", "<form"):
        assert raw not in lowered, html
    links = [value or "" for tag, attrs in parsed(html) for name, value in attrs if name == "href"]
    assert not [link for link in links if link.lower().startswith(DANGEROUS_SCHEMES)], html


def test_ordinary_markdown_is_kept():
    html = str(
        render_markdown(
            "# Ved brann\n\n1. **Varsle** 110\n2. Redde\n\n"
            "- [Brannvesenet](https://www.brannvesenet.no)\n"
            "- [E-post](mailto:hms@nordvik.example)\n\n"
            "| Sted | Utstyr |\n|---|---|\n| Verksted | Pulver |"
        )
    )
    assert "<h3>Ved brann</h3>" in html
    assert "<ol>" in html and "<strong>Varsle</strong>" in html
    assert '<a href="https://www.brannvesenet.no" rel="noopener noreferrer nofollow">' in html
    assert 'href="mailto:hms@nordvik.example"' in html
    assert "<table>" in html and "<td>Pulver</td>" in html


def test_headings_start_below_the_pages_own():
    html = str(render_markdown("# En\n\n## To\n\n##### Fem\n\n###### Seks"))
    assert "<h3>En</h3>" in html and "<h4>To</h4>" in html
    assert "<h6>Fem</h6>" in html and "<h6>Seks</h6>" in html
    assert "<h1>" not in html and "<h2>" not in html


def test_raw_html_is_shown_as_text_not_dropped_silently():
    html = str(render_markdown("Skriv <b>ikke</b> HTML"))
    assert "&lt;b&gt;ikke&lt;/b&gt;" in html


def test_relative_and_other_links_stay_text():
    html = str(render_markdown("[intern](/routines/1) [ftp](ftp://x.example/f)"))
    assert "<a" not in html and "[intern](/routines/1)" in html
