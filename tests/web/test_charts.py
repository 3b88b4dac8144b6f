"""The SVG bar charts: well-formed, accessible, escaped, proportional, and an empty state."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from hms_tracker.web.charts import Bar, horizontal_bar_chart, vertical_bar_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
CHARTS = [vertical_bar_chart, horizontal_bar_chart]


def _chart(kind, bars, **kwargs):
    options = {
        "chart_id": "test-chart",
        "title": "Avvik per avdeling",
        "description": "Antall avvik.",
        "empty_text": "Ingen data",
    }
    options.update(kwargs)
    return str(kind(bars, **options))


@pytest.mark.parametrize("kind", CHARTS)
def test_chart_is_well_formed_and_labelled(kind):
    svg = _chart(kind, [Bar("Lager", 3), Bar("Kontor", 1)])
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "test-chart-title test-chart-desc"
    assert root.find("svg:title", NS).get("id") == "test-chart-title"
    assert root.find("svg:title", NS).text == "Avvik per avdeling"
    assert root.find("svg:desc", NS).get("id") == "test-chart-desc"
    assert root.get("width") == "100%" and root.get("viewBox", "").startswith("0 0 ")
    assert "style=" not in svg  # the CSP allows no inline styles
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Lager" in texts and "Kontor" in texts and "3" in texts and "1" in texts


@pytest.mark.parametrize("kind", CHARTS)
def test_every_text_is_escaped(kind):
    svg = _chart(
        kind,
        [Bar("<script>alert(1)</script>", 2, value_label='2 "x" & <b>')],
        title="<script>t</script>",
        description="a & <b>",
    )
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;t&lt;/script&gt;" in svg
    root = ET.fromstring(svg)  # still well-formed
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    # The label reads as typed (the column chart shortens labels to six characters)
    expected = "<scri…" if kind is vertical_bar_chart else "<script>alert(1)</script>"
    assert expected in texts
    assert '2 "x" & <b>' in texts


def test_empty_state_escapes_too():
    svg = _chart(vertical_bar_chart, [], empty_text="<ingen>")
    assert "&lt;ingen&gt;" in svg and "<ingen>" not in svg


def _sizes(svg: str, attribute: str) -> list[float]:
    return [
        float(v) for v in re.findall(rf'<rect class="chart__bar"[^>]* {attribute}="([\d.]+)"', svg)
    ]


def test_column_heights_are_proportional():
    svg = _chart(
        vertical_bar_chart, [Bar("jan.", 2), Bar("feb.", 4), Bar("mar.", 0), Bar("apr.", 1)]
    )
    heights = _sizes(svg, "height")
    assert heights == [80, 160, 0, 40]  # the tallest fills the 160-unit plot


def test_bar_lengths_are_proportional():
    svg = _chart(horizontal_bar_chart, [Bar("A", 8), Bar("B", 2), Bar("C", 4)])
    widths = _sizes(svg, "width")
    assert widths[0] > 0
    assert widths[1] == pytest.approx(widths[0] / 4) and widths[2] == pytest.approx(widths[0] / 2)


@pytest.mark.parametrize("kind", CHARTS)
@pytest.mark.parametrize("bars", [[], [Bar("jan.", 0), Bar("feb.", 0)]])
def test_no_data_renders_a_text_and_no_bars(kind, bars):
    svg = _chart(kind, bars)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert "<rect" not in svg
    assert [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")] == ["Ingen data"]


def test_long_labels_are_shortened_in_the_picture_only():
    name = "Avdeling med et svært langt navn som aldri slutter, og enda litt til her"
    svg = _chart(horizontal_bar_chart, [Bar(name, 1)])
    label = ET.fromstring(svg).find(".//svg:text[@class='chart__label']", NS).text
    assert label.endswith("…") and len(label) == 40 and name.startswith(label[:-1])
