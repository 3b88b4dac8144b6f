"""The barometer's answers over the years as a server-rendered SVG (no JavaScript): one row
per question, the question's scale from worst (left) to best (right), a dot for the
records' answer of each yearly review and one for today. The page puts the same figures
in a table beside it, for screen readers and for reading exact values."""

from __future__ import annotations

from dataclasses import dataclass

from hms_tracker.barometer.review import PastAnswer
from hms_tracker.barometer.service import Answers

WIDTH = 640
ROW = 46
LEFT = 40  # room for the question's number
RIGHT = 48  # room for a year's label at the best end
TOP = 44


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str  # the year, or "" for today
    today: bool
    label_y: float = 0  # where the year's label stands (above the line, one row per year)


@dataclass(frozen=True)
class Row:
    number: int
    y: float
    x_from: float
    x_to: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rows: tuple[Row, ...]
    dots: tuple[Dot, ...]


def answers_chart(answers: Answers, past: dict[str, list[PastAnswer]]) -> Chart:
    rows: list[Row] = []
    dots: list[Dot] = []
    span = WIDTH - LEFT - RIGHT
    for index, item in enumerate(answers.questions):
        y = TOP + index * ROW
        rows.append(Row(index + 1, y, LEFT, LEFT + span))
        scale = item.scale
        steps = len(scale.options) - 1
        # Earlier years' dots on the line, their labels stacked above it (one height per
        # year, so two years with the same answer stay readable).
        earlier = [
            (p.year, p.records)
            for p in past.get(item.question.id, [])
            if p.records is not None and p.records in scale.ids
        ]
        for offset, (year, answer) in enumerate(earlier[-3:]):
            x = LEFT + span * scale.position(answer) / steps
            dots.append(Dot(x, y, str(year), False, y - 10 - 11 * offset))
        if item.band is not None:
            dots.append(Dot(LEFT + span * scale.position(item.band.answer) / steps, y, "", True))
    return Chart(WIDTH, TOP + len(rows) * ROW, tuple(rows), tuple(dots))
