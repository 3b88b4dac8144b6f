"""QR codes for the anonymous report links, as SVG made with segno.

- `qr_svg` gives an `<svg>` element to put in a page: no XML declaration, a `viewBox` and
  no width or height (the page's CSS sizes it through the `qr-code` class), `role="img"`
  and a `<title>` so that screen readers announce it. Colours are presentation attributes
  (`fill=`, `stroke=`), never a `style` attribute, which the site's CSP (`style-src 'self'`)
  would block.
- `qr_svg_file` gives a standalone .svg file for download and printing: with the XML
  declaration, a width and height, and the same title.

Error correction is at least level Q (a quarter of the code may be lost, smudged or
creased, and it still reads); segno raises it to H when that fits in the same size. The
code always has its quiet zone (four modules) and a white background, so it reads on a
dark page and when printed.
"""

from __future__ import annotations

import io

import segno

ERROR_CORRECTION = "q"
BORDER = 4
CSS_CLASS = "qr-code"
FILE_SCALE = 10  # pixels per module in the downloadable file


def make_qr(url: str) -> segno.QRCode:
    """The QR code for `url` (never a Micro QR, which many phone cameras cannot read)."""
    if not url:
        raise ValueError("A QR code needs a URL.")
    return segno.make(url, error=ERROR_CORRECTION, micro=False, boost_error=True)


def qr_svg(url: str, *, title: str) -> str:
    """An `<svg>` element for `url` to embed in HTML, announced by `title`."""
    out = io.BytesIO()
    make_qr(url).save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        title=title,
        svgclass=CSS_CLASS,
        lineclass=None,
        omitsize=True,
        border=BORDER,
        dark="#000",
        light="#fff",
        nl=False,
    )
    svg = out.getvalue().decode("utf-8")
    return svg.replace("<svg ", '<svg role="img" ', 1)


def qr_svg_file(url: str, *, title: str) -> bytes:
    """A standalone .svg file (UTF-8, with XML declaration) for `url`, to download or print."""
    out = io.BytesIO()
    make_qr(url).save(
        out,
        kind="svg",
        xmldecl=True,
        encoding="utf-8",
        svgns=True,
        title=title,
        svgclass=None,
        lineclass=None,
        scale=FILE_SCALE,
        border=BORDER,
        dark="#000",
        light="#fff",
    )
    return out.getvalue()
