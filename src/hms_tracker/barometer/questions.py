"""HMS-barometeret as data: the national survey's questions, scales and figures, and the
thresholds that turn this company's own figures into an answer, read from the TOML files
in `barometer/data/` and checked when loaded (a file with a mistake stops the app at
start, with what is wrong, not a page later).

A later barometer is a new file; `barometers()` lists them newest first and the page lets
the coordinator pick which national year to compare with.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hms_tracker.translation import get_language

DATA_DIR = Path(__file__).resolve().parent / "data"
Theme = Literal["training", "routines", "deviations", "participation", "representation", "overall"]


class Text(BaseModel):
    """A text in both languages of the product."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    nb: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def __str__(self) -> str:
        return self.en if get_language() == "en" else self.nb


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    nb: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    @property
    def label(self) -> str:
        return self.en if get_language() == "en" else self.nb


class Scale(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    options: Annotated[tuple[Option, ...], Field(min_length=2)]

    @model_validator(mode="after")
    def _distinct(self) -> Scale:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"an option appears twice: {ids}")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def option(self, answer: str) -> Option:
        return next(o for o in self.options if o.id == answer)

    def position(self, answer: str) -> int:
        """0 for the worst answer, up to len(options) - 1 for the best."""
        return self.ids.index(answer)


class National(BaseModel):
    """The national figure: "3 av 10" and as a share, the answers of the scale it counts
    (e.g. "no" for "3 of 10 lack training"), and the finding in words."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    figure: Text
    share: Annotated[float, Field(ge=0, le=1)]
    answers: Annotated[tuple[str, ...], Field(min_length=1)]
    finding: Text


class Band(BaseModel):
    """`answer` when min ≤ value ≤ max (a missing limit holds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min: float | None = None
    max: float | None = None
    answer: str

    def holds(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    @property
    def unconditional(self) -> bool:
        return self.min is None and self.max is None


class RecordsRule(BaseModel):
    """How the records answer: the measure whose figure decides, its bands, and the other
    measures shown beside it as evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    measure: str
    bands: Annotated[tuple[Band, ...], Field(min_length=1)]
    also: tuple[str, ...] = ()

    def answer_for(self, value: float) -> str:
        return next(b.answer for b in self.bands if b.holds(value))

    @model_validator(mode="after")
    def _last_band_holds_always(self) -> RecordsRule:
        if not self.bands[-1].unconditional:
            raise ValueError("the last band must have no limits (it holds when no other does)")
        if any(b.unconditional for b in self.bands[:-1]):
            raise ValueError("only the last band may be without limits")
        return self


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    theme: Theme
    scale: str
    text: Text
    survey: bool = False  # asked in the anonymous pulse survey
    national: National | None = None
    records: RecordsRule


class FreeText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: Annotated[str, Field(pattern=r"^[a-z_]+$")]
    text: Text


class Barometer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    year: Annotated[int, Field(ge=2000, le=2200)]
    title: Text
    source: Text
    scales: dict[str, Scale]
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    free_text: tuple[FreeText, ...] = ()
    improvement_areas: tuple[FreeText, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Barometer:
        from hms_tracker.barometer.measures import MEASURES

        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"a question id appears twice: {ids}")
        for q in self.questions:
            if q.scale not in self.scales:
                raise ValueError(f"{q.id}: unknown scale {q.scale!r}")
            options = self.scales[q.scale].ids
            national = q.national.answers if q.national else ()
            for answer in [*national, *(b.answer for b in q.records.bands)]:
                if answer not in options:
                    raise ValueError(f"{q.id}: {answer!r} is not an answer of {q.scale!r}")
            for measure in (q.records.measure, *q.records.also):
                if measure not in MEASURES:
                    raise ValueError(f"{q.id}: unknown measure {measure!r}")
        return self

    def scale_of(self, question: Question) -> Scale:
        return self.scales[question.scale]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


class BarometerFileError(ValueError):
    """A barometer data file that cannot be used, with the file and what is wrong."""


def load_file(path: Path) -> Barometer:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
        return Barometer.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError) as error:
        raise BarometerFileError(f"{path.name}: {error}") from error


@cache
def barometers() -> tuple[Barometer, ...]:
    """Every barometer in the package, newest year first."""
    found = [load_file(path) for path in sorted(DATA_DIR.glob("*.toml"))]
    years = [b.year for b in found]
    if len(set(years)) != len(years):
        raise BarometerFileError(f"two barometer files for one year: {sorted(years)}")
    return tuple(sorted(found, key=lambda b: b.year, reverse=True))


def barometer_for(year: int | None = None) -> Barometer:
    """The barometer of `year`, or the newest (also for a year without one)."""
    every = barometers()
    return next((b for b in every if b.year == year), every[0])
