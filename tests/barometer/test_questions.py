"""The barometer as data: the shipped file loads and is consistent, a file with a mistake
is refused with what is wrong, and every threshold of the data file decides at its edges
as written (a value on the limit belongs to the band; just past it does not)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hms_tracker.barometer.measures import MEASURES
from hms_tracker.barometer.questions import (
    DATA_DIR,
    Band,
    BarometerFileError,
    barometer_for,
    barometers,
    load_file,
)

SHIPPED = DATA_DIR / "hms-barometeret-2025.toml"
STEP = 1e-6


def test_the_2025_barometer_loads_with_the_national_findings():
    barometer = barometer_for(2025)
    assert barometer.year == 2025 and barometers()[0] is barometer
    national = {q.id: q.national for q in barometer.questions}
    assert national["safety_rep_training"].figure.nb == "3 av 10"
    assert national["amu_training"].share == 0.4
    assert national["routines_followed"].answers == ("often", "almost_always", "always")
    assert national["safety_rep_work"].figure.nb == "7 av 10"
    assert {f.id for f in barometer.free_text} == {"works_well", "improve"}
    # Every measure the file names is computed somewhere.
    for q in barometer.questions:
        assert {q.records.measure, *q.records.also} <= set(MEASURES)


def test_a_year_without_a_file_gets_the_newest():
    assert barometer_for(1999).year == barometers()[0].year


def _broken(tmp_path: Path, change) -> Path:
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "broken.toml"
    path.write_text(_toml(data), encoding="utf-8")
    return path


def _toml(value, key: str = "") -> str:
    """A tiny TOML writer for the test's edited copies (inline tables only)."""

    def inline(v) -> str:
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {inline(x)}" for k, x in v.items()) + " }"
        if isinstance(v, list):
            return "[" + ", ".join(inline(x) for x in v) + "]"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return repr(v)

    return "\n".join(f"{k} = {inline(v)}" for k, v in value.items()) + "\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["questions"][0]["records"].update(measure="no_such_measure"),
            "unknown measure",
        ),
        (lambda d: d["questions"][0]["records"]["bands"][-1].update(max=3), "last band"),
        (
            lambda d: d["questions"][0]["records"]["bands"][0].update(answer="maybe"),
            "not an answer",
        ),
        (lambda d: d["questions"][0].update(scale="stars"), "unknown scale"),
        (lambda d: d["questions"][1].update(id=d["questions"][0]["id"]), "appears twice"),
        (lambda d: d["questions"][0]["national"].update(share=3), "less than or equal to 1"),
        (lambda d: d["questions"][0]["text"].pop("en"), "en"),
    ],
)
def test_a_file_with_a_mistake_is_refused_with_what_is_wrong(tmp_path, change, message):
    path = _broken(tmp_path, change)
    with pytest.raises(BarometerFileError, match=message):
        load_file(path)


def test_the_test_writer_round_trips_the_shipped_file(tmp_path):
    assert load_file(_broken(tmp_path, lambda d: None)) == load_file(SHIPPED)


def _edges(bands: tuple[Band, ...]):
    """Per band: values that must fall in it (its limits) and values just past them that
    must not."""
    for index, band in enumerate(bands):
        for limit, outside in ((band.min, -STEP), (band.max, STEP)):
            if limit is not None:
                yield index, limit, limit + outside


@pytest.mark.parametrize("question", barometer_for(2025).questions, ids=lambda q: q.id)
def test_every_threshold_decides_at_its_edges_as_written(question):
    rule = question.records
    for index, on_limit, past in _edges(rule.bands):
        first_holding = next(i for i, b in enumerate(rule.bands) if b.holds(on_limit))
        assert first_holding == index, (question.id, on_limit)
        assert rule.answer_for(on_limit) == rule.bands[index].answer
        # Just past the limit the band no longer holds: a later band answers.
        assert not rule.bands[index].holds(past)
        assert next(i for i, b in enumerate(rule.bands) if b.holds(past)) > index


def test_bands_read_the_shipped_thresholds():
    rules = {q.id: q.records for q in barometer_for(2025).questions}
    assert rules["safety_rep_training"].answer_for(0) == "yes"
    assert rules["safety_rep_training"].answer_for(1) == "no"
    followed = rules["routines_followed"]
    assert [followed.answer_for(v) for v in (1.0, 0.95, 0.9499, 0.85, 0.7, 0.5, 0.25, 0.2)] == [
        "always", "always", "almost_always", "almost_always", "often", "sometimes", "rarely",
        "never",
    ]  # fmt: skip
    reports = rules["deviations_registered"]
    assert [reports.answer_for(v) for v in (40, 39.9, 25, 15, 8, 1, 0.5)] == [
        "always", "almost_always", "almost_always", "often", "sometimes", "rarely", "never",
    ]  # fmt: skip
    quality = rules["hms_work_quality"]
    assert [quality.answer_for(v) for v in (0, 1, 2, 3, 5, 6, 10, 11)] == [
        "very_good", "good", "good", "fair", "fair", "poor", "poor", "very_poor",
    ]  # fmt: skip
