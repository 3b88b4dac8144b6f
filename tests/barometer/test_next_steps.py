"""The next steps ("Hva kan dere gjøre?") from hand-built figures, without a database: the
order, the cap with "and N more", the links, the visibility filter and the words."""

from __future__ import annotations

from datetime import date

import jinja2
import pytest

from hms_tracker.barometer.measures import Evidence, Measure
from hms_tracker.barometer.next_steps import (
    MORE,
    NOT_SHOWN,
    ORDER,
    SHOWN,
    Step,
    next_steps,
    step_text,
    visible_steps,
)
from hms_tracker.barometer.questions import barometer_for
from hms_tracker.barometer.service import Answers, RecordsAnswer
from hms_tracker.web.jinja import make_environment

DAY = date(2026, 6, 15)


def answers_with(*measures: Measure) -> Answers:
    """The measures as the figures of one question (where they stand does not matter)."""
    barometer = barometer_for(2025)
    question = barometer.questions[0]
    decides, *also = measures or (Measure("safety_reps_untrained", None),)
    item = RecordsAnswer(question, barometer.scale_of(question), decides, tuple(also), None)
    return Answers(barometer=barometer, day=DAY, questions=(item,))


def person(id_: int, name: str, course: str, since: date | None) -> Evidence:
    return Evidence("person", id_, name, note=course, since=since)


def actions(*deviation_ids: int) -> Measure:
    return Measure(
        "overdue_actions", float(len(deviation_ids)), len(deviation_ids), None,
        tuple(
            Evidence("deviation", d, f"Tiltak {d}", note="Ola Hansen", since=date(2026, 6, d))
            for d in deviation_ids
        ),
        "/deviations?overdue=1",
    )  # fmt: skip


def every_kind() -> Answers:
    return answers_with(
        Measure("departments_without_reports", 1.0, 1, None,
                (Evidence("department", 7, "Lager"),), "/deviations/stats"),
        Measure("survey_turnout", None, link="/survey"),
        Measure("acknowledgement_coverage", 0.5, 5, 10,
                (Evidence("department", 8, "Kontor", note="2/6"),), "/routines/coverage"),
        Measure("safety_reps_in_grace", 1.0, 1, 2,
                (person(3, "Per Vo", "Grunnopplæring for verneombud", date(2026, 1, 10)),),
                "/training?status=in_grace"),
        Measure("routines_reviewed_on_time", 0.5, 1, 2,
                (Evidence("routine", 11, "Brannrutine"),), "/routines?overdue=1"),
        Measure("high_risks_without_routine", 1.0, 1, 3, (Evidence("risk", 21, "Fall fra høyde"),),
                "/risks", {"threshold": 12}),
        actions(2),
        Measure("safety_reps_untrained", 1.0, 1, 2,
                (person(1, "Kari Nordmann", "Grunnopplæring for verneombud", date(2026, 3, 3)),),
                "/training?status=missing"),
    )  # fmt: skip


def test_the_most_urgent_kind_comes_first_whatever_the_order_of_the_figures():
    steps = next_steps(every_kind(), day=DAY)
    assert [s.kind for s in steps] == list(ORDER)
    assert [s.url for s in steps] == [
        "/people/1", "/deviations/2", "/risks/21", "/routines/11", "/people/3",
        "/routines/coverage", "/departments/7", "/barometer/surveys",
    ]  # fmt: skip


def test_nothing_found_is_nothing_to_do():
    quiet = answers_with(
        Measure("safety_reps_untrained", 0.0, 0, 2, link="/training?status=missing"),
        Measure("overdue_actions", 0.0, 0, None, link="/deviations?overdue=1"),
        Measure("survey_turnout", 0.8, 8, 10, link="/survey"),
    )
    assert next_steps(quiet, day=DAY) == []


def test_everyone_lacking_a_course_the_longest_lacking_first_once_per_course():
    """Verneombud, AMU members (deputies too) and leaders; a person required by two roles to
    take the same course is one step."""
    course = "Grunnopplæring for AMU-medlemmer"
    steps = next_steps(
        answers_with(
            Measure("safety_reps_untrained", 1.0, 1, 1,
                    (person(1, "Kari Nordmann", "Grunnopplæring for verneombud",
                            date(2026, 3, 3)),)),
            Measure("amu_members_untrained", 2.0, 2, 4,
                    (person(2, "Vara Medlem", course, date(2025, 11, 1)),
                     person(1, "Kari Nordmann", course, date(2026, 4, 1)))),
            Measure("leaders_untrained", 1.0, 1, 3,
                    (person(2, "Vara Medlem", course, date(2025, 11, 1)),
                     person(4, "Lise Leder", "HMS for ledere", None)),
                    link="/training?status=missing"),
        ),
        day=DAY,
    )  # fmt: skip

    def who(step: Step) -> tuple[str, str, str]:
        return step.params["name"], step.params["course"], step.params["role"]

    assert [who(s) for s in steps[:SHOWN]] == [
        ("Lise Leder", "HMS for ledere", "leader"),  # not known since when: first
        ("Vara Medlem", course, "amu_member"),
        ("Kari Nordmann", "Grunnopplæring for verneombud", "safety_rep"),
    ]
    more = steps[SHOWN]
    assert (more.kind, more.params, more.url) == (
        MORE,
        {"of": "training_missing", "num": 1},
        "/training?status=missing",
    )
    assert [who(s) for s in more.rest] == [("Kari Nordmann", course, "amu_member")]
    assert len(steps) == SHOWN + 1
    assert steps[1].url == "/people/2"
    assert step_text(steps[2]) == (
        "Kari Nordmann (verneombud) mangler kurset «Grunnopplæring for verneombud», "
        "siden 3. mars 2026."
    )
    assert step_text(steps[0]) == "Lise Leder (leder) mangler kurset «HMS for ledere»."


def test_a_verneombud_within_the_grace_period_gets_the_last_day_of_it():
    answers = answers_with(
        Measure("safety_reps_in_grace", 1.0, 1, 1,
                (person(3, "Per Vo", "Grunnopplæring for verneombud", date(2026, 1, 10)),),
                "/training?status=in_grace"),
    )  # fmt: skip
    (step,) = next_steps(answers, day=DAY)
    assert step.params["due_on"] == date(2026, 7, 9)  # six months from 10 January, less a day
    assert step.params["days_left"] == 24
    assert step_text(step) == (
        "Per Vo (verneombud) må ta kurset «Grunnopplæring for verneombud» innen 9. juli 2026."
    )
    (longer,) = next_steps(answers, day=DAY, grace_months=12)  # the company's own setting
    assert longer.params["due_on"] == date(2027, 1, 9)


def test_each_kind_is_capped_with_and_n_more_linking_to_the_list_page():
    steps = next_steps(answers_with(actions(1, 2, 3, 4, 5)), day=DAY)
    assert [s.kind for s in steps] == ["overdue_action"] * SHOWN + [MORE]
    assert [s.params["deviation"] for s in steps[:SHOWN]] == [1, 2, 3]
    more = steps[-1]
    assert more.url == "/deviations?overdue=1"
    assert more.params == {"of": "overdue_action", "num": 2}
    assert [s.record_id for s in more.rest] == [4, 5]
    assert step_text(more) == "og 2 til"


def test_an_overdue_action_carries_its_deviation_for_the_visibility_filter():
    (step,) = next_steps(answers_with(actions(4)), day=DAY)
    assert (step.record_kind, step.record_id, step.url) == ("deviation", 4, "/deviations/4")
    assert step.params["days_overdue"] == 11
    assert step_text(step) == (
        "Avvik 4: tiltaket «Tiltak 4» hadde frist 4. juni 2026 (ansvarlig: Ola Hansen)."
    )


def test_the_deviations_the_reader_may_not_open_are_dropped_and_counted():
    steps = next_steps(answers_with(actions(1, 2, 3, 4, 5, 6)), day=DAY)
    shown = visible_steps(steps, {"deviation": {2, 4, 5, 6, 99}, "risk": set()})
    assert [s.kind for s in shown] == ["overdue_action"] * SHOWN + [MORE, NOT_SHOWN]
    assert [s.record_id for s in shown[:SHOWN]] == [2, 4, 5]  # moved up from "more"
    assert shown[SHOWN].params["num"] == 1 and shown[SHOWN].url == "/deviations?overdue=1"
    assert shown[-1].params == {"of": "overdue_action", "num": 2}
    assert step_text(shown[-1]) == (
        "2 tiltak til er ikke vist, fordi du ikke har tilgang til avvikene."
    )


def test_the_filter_leaves_records_it_is_not_told_about_and_drops_empty_groups():
    steps = next_steps(every_kind(), day=DAY)
    shown = visible_steps(steps, {"deviation": set(), "risk": set()})
    kinds = [s.kind for s in shown]
    assert "overdue_action" not in kinds and "risk_without_routine" not in kinds
    assert kinds.count(NOT_SHOWN) == 2
    assert {s.kind for s in shown} - {NOT_SHOWN} == set(ORDER) - {
        "overdue_action",
        "risk_without_routine",
    }
    assert visible_steps(steps, {}) == [s for s in steps]  # nothing to filter: unchanged


def test_high_risks_link_to_the_risk_and_the_more_link_filters_the_register():
    risks = tuple(Evidence("risk", i, f"Risiko {i}") for i in range(1, 6))
    steps = next_steps(
        answers_with(Measure("high_risks_without_routine", 5.0, 5, 5, risks, "/risks",
                             {"threshold": 12})),
        day=DAY,
    )  # fmt: skip
    assert [s.url for s in steps[:SHOWN]] == ["/risks/1", "/risks/2", "/risks/3"]
    assert steps[-1].url == "/risks?without_routine=1&min_score=12"
    assert step_text(steps[0]) == "Lag en rutine for den høye risikoen «Risiko 1»."


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        (Measure("survey_turnout", None, link="/survey"), ["/barometer/surveys"]),
        (Measure("survey_turnout", 0.4, 4, 10, link="/survey"), []),
        (Measure("survey_turnout", None, 0, 0, link="/survey"), []),  # opened, nobody asked
    ],
)
def test_no_survey_yet_asks_for_one(measure, expected):
    assert [s.url for s in next_steps(answers_with(measure), day=DAY)] == expected


def test_departments_behind_in_reading_with_their_figures():
    coverage = Measure(
        "acknowledgement_coverage", 0.5, 5, 10,
        (Evidence("department", 8, "Kontor", note="2/6"),
         Evidence("department", None, "", note="3/4")),
        "/routines/coverage",
    )  # fmt: skip
    steps = next_steps(answers_with(coverage), day=DAY)
    assert [s.params for s in steps] == [
        {"name": "Kontor", "acknowledged": 2, "required": 6},
        {"name": "", "acknowledged": 3, "required": 4},
    ]
    assert {s.url for s in steps} == {"/routines/coverage"}
    assert step_text(steps[1]) == (
        "Minn de ansatte i Uten avdeling på å lese rutinene: 3 av 4 er lest og bekreftet."
    )


def test_the_page_part_lists_each_step_as_a_link_and_says_when_there_is_nothing():
    env = make_environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.get_template("barometer/_next_steps.html")
    steps = visible_steps(
        next_steps(answers_with(actions(1, 2, 3, 4, 5)), day=DAY), {"deviation": {1, 2, 3, 4}}
    )
    html = template.render(steps=steps, step_text=step_text)
    assert "Hva kan dere gjøre?" in html
    assert '<a class="ds-link" href="/deviations/1">Avvik 1: tiltaket «Tiltak 1»' in html
    assert '<a class="ds-link" href="/deviations?overdue=1">og 1 til</a>' in html
    assert "1 tiltak til er ikke vist, fordi du ikke har tilgang til avviket." in html
    assert "/deviations/5" not in html
    empty = template.render(steps=[], step_text=step_text)
    assert "Registrene viser ingenting som må gjøres nå." in empty


def test_a_step_holds_no_words():
    """Steps are cached and shown in either language: only codes, names, counts, dates."""
    for step in next_steps(every_kind(), day=DAY):
        assert isinstance(step, Step)
        for value in step.params.values():
            assert isinstance(value, str | int | date | None)
