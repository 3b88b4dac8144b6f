"""QR codes for the anonymous report links.

No QR decoder is installed, so the test reads the modules back out of the SVG path and
compares them with the code segno makes for the URL, and reads the error-correction level
from the format information in that drawn matrix (ISO/IEC 18004, 7.9).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import segno

from hms_tracker.deviations.qr import make_qr, qr_svg, qr_svg_file

SVG_NS = "{http://www.w3.org/2000/svg}"
URL = "https://hms.example.no/report?department=Q7xk2Lr9vN3mPz8sT4wY"
BORDER = 4


def dark_path(svg: str | bytes) -> tuple[ET.Element, str]:
    root = ET.fromstring(svg)
    paths = [p for p in root.iter(f"{SVG_NS}path") if p.get("stroke")]
    assert len(paths) == 1
    return root, paths[0].get("d") or ""


def modules_from_path(d: str) -> set[tuple[int, int]]:
    """The dark modules (column, row) that segno's path draws: horizontal runs of strokes."""
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, a, b in re.findall(r"([MmhHvVz])(-?[\d.]+)?(?:[ ,](-?[\d.]+))?", d):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        elif command == "h":
            length = float(a)
            assert length > 0
            dark.update((int(x) + i, int(y)) for i in range(int(length)))
            x += length
        else:
            raise AssertionError(f"unexpected path command {command}")
    return dark


def modules_from_segno(qr: segno.QRCode) -> set[tuple[int, int]]:
    return {
        (x, y)
        for y, row in enumerate(qr.matrix_iter(border=BORDER))
        for x, value in enumerate(row)
        if value
    }


FORMAT_MASK = 0b101010000010010
LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}


def error_level(dark: set[tuple[int, int]]) -> str:
    """The error-correction level in the format bits beside the top-left finder pattern."""
    # Bits 14…9 in row 8, columns 0…5; bit 8 at column 7; bit 7 at (8, 8); bit 6 at row 7,
    # bits 5…0 in column 8, rows 5…0 (coordinates without the quiet zone).
    cells = (
        [(c, 8) for c in range(6)] + [(7, 8), (8, 8), (8, 7)] + [(8, r) for r in range(5, -1, -1)]
    )
    bits = 0
    for column, row in cells:
        bits = (bits << 1) | ((column + BORDER, row + BORDER) in dark)
    return LEVELS[(bits ^ FORMAT_MASK) >> 13]


def test_the_embedded_svg_draws_exactly_the_qr_code_for_the_url():
    svg = qr_svg(URL, title="QR-kode for avviksmelding")
    _, d = dark_path(svg)
    expected = segno.make(URL, error="q", micro=False)
    assert modules_from_path(d) == modules_from_segno(expected)
    assert modules_from_path(d) == modules_from_segno(make_qr(URL))
    # A different URL gives a different drawing (the comparison can fail).
    other = segno.make(URL + "x", error="q", micro=False)
    assert modules_from_path(d) != modules_from_segno(other)


def test_the_error_correction_level_is_at_least_q():
    dark = modules_from_path(dark_path(qr_svg(URL, title="QR"))[1])
    assert error_level(dark) in ("Q", "H")


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_the_format_reader_itself_reads_each_level(level):
    qr = segno.make(URL, error=level, boost_error=False, micro=False)
    assert error_level(modules_from_segno(qr)) == level


def test_the_embedded_svg_has_a_title_role_img_and_no_declaration():
    svg = qr_svg(URL, title="Meld avvik for «Lager & verksted» <Oslo>")
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == "Meld avvik for «Lager & verksted» <Oslo>"
    assert list(root)[0] is title  # the first child, where screen readers look
    assert root.get("class") == "qr-code"
    assert root.get("viewBox") and root.get("width") is None  # sized by CSS


def test_the_embedded_svg_has_no_script_no_style_and_no_event_handlers():
    svg = qr_svg(URL, title="<script>alert(1)</script>")
    root = ET.fromstring(svg)
    for element in root.iter():
        assert element.tag in (f"{SVG_NS}svg", f"{SVG_NS}title", f"{SVG_NS}path")
        assert "style" not in element.attrib
        assert not [name for name in element.attrib if name.lower().startswith("on")]
    assert "<script" not in svg and "style=" not in svg
    assert "&lt;script&gt;" in svg


def test_the_code_has_a_white_background_and_black_modules():
    root = ET.fromstring(qr_svg(URL, title="QR"))
    fills = [p.get("fill") for p in root.iter(f"{SVG_NS}path") if p.get("fill")]
    assert fills == ["#fff"]
    _, d = dark_path(qr_svg(URL, title="QR"))
    assert d  # drawn with stroke="#000"


def test_the_download_is_a_standalone_svg_file_with_the_same_code():
    data = qr_svg_file(URL, title="QR-kode – Lager")
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root, d = dark_path(data)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("width") == root.get("height")
    assert int(root.get("width") or 0) >= 300
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == "QR-kode – Lager"
    assert modules_from_path(d) == modules_from_segno(make_qr(URL))
    assert b"<script" not in data and b"style=" not in data


def test_an_empty_url_is_an_error():
    with pytest.raises(ValueError):
        qr_svg("", title="QR")
