"""Server-rendered SVG bar charts, readable without JavaScript and allowed by the CSP.

- `role="img"` with `aria-labelledby` pointing at the chart's own <title> and <desc>; the
  page puts a table with the same numbers beside each chart (the chart is a picture of
  the table, not its only source).
- No inline `style` attributes (the CSP has style-src 'self'): looks come from classes in
  static/app.css (`.chart*`); only geometry and text-anchor are attributes.
- Responsive: a viewBox and width="100%", the height follows from the aspect ratio.
- Every text (labels, department names, title) is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    value_label: str | None = None  # shown at the end of the bar (defaults to the value)

    @property
    def shown_value(self) -> str:
        if self.value_label is not None:
            return self.value_label
        return str(int(self.value)) if float(self.value).is_integer() else str(self.value)


def _id(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", text)
    return cleaned if cleaned[:1].isalpha() else "chart-" + cleaned


def _num(value: float) -> str:
    """Coordinates with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _open(chart_id: str, kind: str, width: int, height: int, title: str, description: str) -> str:
    cid = _id(chart_id)
    return (
        f'<svg xmlns="{SVG_NS}" class="chart chart--{kind}" id="{cid}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(description)}</desc>'
    )


def _empty(chart_id: str, kind: str, title: str, description: str, empty_text: str) -> Markup:
    width, height = 480, 80
    return Markup(
        _open(chart_id, kind, width, height, title, description)
        + f'<text class="chart__empty" x="{width // 2}" y="{height // 2}" '
        f'text-anchor="middle" dominant-baseline="middle">{escape(empty_text)}</text></svg>'
    )


def vertical_bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    empty_text: str,
) -> Markup:
    """Columns side by side (e.g. months), the value above each column and the label below.
    Column heights are proportional to the values (the tallest fills the plot)."""
    if not bars or max(b.value for b in bars) <= 0:
        return _empty(chart_id, "vertical", title, description, empty_text)
    slot, gap = 44, 10
    top, plot, bottom = 24, 160, 28
    width = max(slot * len(bars), 240)
    height = top + plot + bottom
    peak = max(b.value for b in bars)
    parts = [_open(chart_id, "vertical", width, height, title, description)]
    parts.append(
        f'<line class="chart__axis" x1="0" y1="{top + plot}" x2="{width}" y2="{top + plot}"/>'
    )
    for index, bar in enumerate(bars):
        h = max(bar.value, 0) / peak * plot
        x = index * slot + gap / 2
        y = top + plot - h
        centre = x + (slot - gap) / 2
        parts.append(
            '<g class="chart__item">'
            f'<rect class="chart__bar" x="{_num(x)}" y="{_num(y)}" '
            f'width="{_num(slot - gap)}" height="{_num(h)}"/>'
            f'<text class="chart__value" x="{_num(centre)}" y="{_num(y - 6)}" '
            f'text-anchor="middle">{escape(bar.shown_value)}</text>'
            f'<text class="chart__label" x="{_num(centre)}" y="{top + plot + 18}" '
            f'text-anchor="middle">{escape(_shorten(bar.label, 6))}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    empty_text: str,
) -> Markup:
    """One row per bar (e.g. departments): the label on its own line above the bar, so a
    long name fits a phone's width; the value after the bar. Lengths proportional."""
    if not bars or max(b.value for b in bars) <= 0:
        return _empty(chart_id, "horizontal", title, description, empty_text)
    width, label_h, bar_h, row_gap = 400, 18, 18, 10
    value_room = 56
    row = label_h + bar_h + row_gap
    height = row * len(bars)
    peak = max(b.value for b in bars)
    plot = width - value_room
    parts = [_open(chart_id, "horizontal", width, height, title, description)]
    for index, bar in enumerate(bars):
        y = index * row
        length = max(bar.value, 0) / peak * plot
        parts.append(
            '<g class="chart__item">'
            f'<text class="chart__label" x="0" y="{y + label_h - 4}">'
            f"{escape(_shorten(bar.label, 40))}</text>"
            f'<rect class="chart__bar" x="0" y="{y + label_h}" width="{_num(length)}" '
            f'height="{bar_h}"/>'
            f'<text class="chart__value" x="{_num(length + 6)}" y="{y + label_h + bar_h - 4}">'
            f"{escape(bar.shown_value)}</text>"
            "</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
