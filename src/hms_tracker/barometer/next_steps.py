"""The next steps ("Hva kan dere gjøre?"): concrete things to do, drawn from what the
barometer's figures found, each linking to the page where it is fixed.

`next_steps()` reads only the measures already computed for the page (no database): the
people behind the training figures, the routines past review, the departments behind in
reading or without reports, the overdue actions, the high risks without a routine and a
missing pulse survey. A step is a code, its parameters (names, counts, dates) and a url —
no words, so steps computed once serve readers in either language; `step_text()` below
puts them in words.

Each kind shows at most `SHOWN` steps, then one "more" step that links to the list page
and keeps the steps it stands for, so that `visible_steps()` can drop the records the
reader may not open and count again what is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from hms_tracker.barometer.measures import Evidence, Measure
from hms_tracker.barometer.service import Answers
from hms_tracker.db import READINGS, RECORDS, VersionedCache
from hms_tracker.rules.periods import add_months
from hms_tracker.rules.settings import RuleSettings
from hms_tracker.web.i18n import _, format_date, lazy, ngettext

SHOWN = 3  # steps of one kind shown; the rest behind "and N more"

# The kinds, most urgent first: what is already late and breaks a rule, then what falls due
# soon, then what improves the HMS work without a rule being broken.
ORDER = (
    "training_missing",  # a verneombud, AMU member (deputies too) or leader lacks a course
    "overdue_action",  # a corrective action on a deviation is past its deadline
    "risk_without_routine",  # a high risk has no routine in force
    "routine_review",  # a routine in force is past its review date
    "training_in_grace",  # a verneombud is still within the grace period for the course
    "reading",  # a department behind in acknowledging the routines
    "no_reports",  # a department that reported no deviation in the last 12 months
    "no_survey",  # no pulse survey has been held
)
MORE = "more"  # params: of (the kind), num; rest: the steps it stands for
NOT_SHOWN = "not_shown"  # params: of, num — records the reader may not open (visible_steps)

# The training measures and the role each stands for.
TRAINING_MEASURES = {
    "safety_reps_untrained": "safety_rep",
    "amu_members_untrained": "amu_member",
    "leaders_untrained": "leader",
}


@dataclass(frozen=True)
class Step:
    """One thing to do. `record_kind`/`record_id` name the record it is about (a person, a
    deviation, a risk …), so that a page can leave out the records its reader may not
    open."""

    kind: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    record_kind: str = ""
    record_id: int | None = None
    rest: tuple[Step, ...] = ()  # a "more" step: the steps beyond the first few

    @property
    def group(self) -> str:
        """The kind this step belongs under ("more" and "not_shown" belong to theirs)."""
        return str(self.params["of"]) if self.kind in (MORE, NOT_SHOWN) else self.kind


def next_steps(
    answers: Answers, *, day: date, grace_months: int = RuleSettings.grace_months
) -> list[Step]:
    """What to do next, most urgent first, from the figures of `answers` on `day`.

    `grace_months` is the company's grace period for training (a rule setting): the measure
    of verneombud within the grace period gives the day they were appointed, and the step
    gives the last day of the grace period."""
    measures = _measures(answers)
    found: dict[str, tuple[list[Step], str]] = {
        "training_missing": (_training_missing(measures), _link(measures, *TRAINING_MEASURES)),
        "overdue_action": (_overdue_actions(measures, day), _link(measures, "overdue_actions")),
        "risk_without_routine": (_risks(measures), _risks_link(measures)),
        "routine_review": (
            _records(measures, "routines_reviewed_on_time", "routine_review", "/routines/{id}"),
            _link(measures, "routines_reviewed_on_time"),
        ),
        "training_in_grace": (
            _in_grace(measures, day, grace_months),
            _link(measures, "safety_reps_in_grace"),
        ),
        "reading": (_reading(measures), _link(measures, "acknowledgement_coverage")),
        "no_reports": (
            _records(measures, "departments_without_reports", "no_reports", "/departments/{id}"),
            _link(measures, "departments_without_reports"),
        ),
        "no_survey": (_no_survey(measures), ""),
    }
    steps: list[Step] = []
    for kind in ORDER:
        items, link = found[kind]
        steps += _capped(kind, items, link)
    return steps


# The steps of a day (before the reader's filter), kept under the data versions of the
# figures they come from; language-neutral, so one serves every reader.
STEPS: VersionedCache[tuple[date, str, int], list[Step]] = VersionedCache(
    size=8, rows=(RECORDS, READINGS)
)


def steps_for_page(
    *, session: Session, answers: Answers, allowed: Mapping[str, set[int]]
) -> list[Step]:
    """The steps /barometer shows its reader: with the company's grace period for training,
    and without the records the reader may not open (`allowed`, as for the figures)."""
    from hms_tracker.rules.facts import load_rule_settings

    grace_months = load_rule_settings(session=session).grace_months
    steps = STEPS.get_or_compute(
        session,
        (answers.day, answers.barometer.id, grace_months),
        lambda: next_steps(answers, day=answers.day, grace_months=grace_months),
    )
    return visible_steps(steps, allowed) if allowed else steps


def visible_steps(steps: Iterable[Step], allowed: Mapping[str, set[int]]) -> list[Step]:
    """`steps` without those about records the reader may not open: for each record kind
    in `allowed` ("deviation", "risk"), only the ids given there stay. Each kind is capped
    again from what is left, and a "not_shown" step says how many were left out (as the
    page does for the figures' records)."""
    groups: dict[str, list[Step]] = {}
    links: dict[str, str] = {}
    for step in steps:
        if step.kind == NOT_SHOWN:
            continue
        items = groups.setdefault(step.group, [])
        if step.kind == MORE:
            items += step.rest
            links[step.group] = step.url
        else:
            items.append(step)
    result: list[Step] = []
    for kind, items in groups.items():
        shown = [s for s in items if _may_open(s, allowed)]
        result += _capped(kind, shown, links.get(kind, ""))
        hidden = len(items) - len(shown)
        if hidden:
            result.append(Step(NOT_SHOWN, "", {"of": kind, "num": hidden}))
    return result


def _may_open(step: Step, allowed: Mapping[str, set[int]]) -> bool:
    if step.record_kind not in allowed:
        return True
    return step.record_id is not None and step.record_id in allowed[step.record_kind]


def _capped(kind: str, items: list[Step], link: str) -> list[Step]:
    if len(items) <= SHOWN:
        return list(items)
    rest = tuple(items[SHOWN:])
    return [*items[:SHOWN], Step(MORE, link, {"of": kind, "num": len(rest)}, rest=rest)]


# --- from the measures -----------------------------------------------------------------


def _measures(answers: Answers) -> dict[str, Measure]:
    """Every measure of the answers by id (a measure shown under two questions is the same
    figure)."""
    found: dict[str, Measure] = {}
    for item in answers.questions:
        for m in (item.measure, *item.also):
            found.setdefault(m.id, m)
    return found


def _link(measures: Mapping[str, Measure], *names: str) -> str:
    return next((measures[n].link for n in names if n in measures and measures[n].link), "")


def _training_missing(measures: Mapping[str, Measure]) -> list[Step]:
    """One step per person and course they lack (missing or expired), the longest lacking
    first; a person required by two roles to take the same course is one step."""
    seen: set[tuple[int | None, str]] = set()
    rows: list[tuple[Evidence, str]] = []
    for name, role in TRAINING_MEASURES.items():
        measure = measures.get(name)
        for e in measure.evidence if measure else ():
            if (e.id, e.note) not in seen:
                seen.add((e.id, e.note))
                rows.append((e, role))
    rows.sort(key=lambda row: (row[0].since or date.min, row[0].label))
    return [
        Step(
            "training_missing",
            f"/people/{e.id}" if e.id is not None else "/training?status=missing",
            {"name": e.label, "course": e.note, "role": role, "since": e.since},
            "person",
            e.id,
        )
        for e, role in rows
    ]


def _in_grace(measures: Mapping[str, Measure], day: date, grace_months: int) -> list[Step]:
    """Verneombud within the grace period, the first due first. Their evidence gives the
    day the appointment began; the last day of the grace period is `grace_months` later."""
    measure = measures.get("safety_reps_in_grace")
    steps = []
    for e in measure.evidence if measure else ():
        due_on = add_months(e.since, grace_months) - timedelta(days=1) if e.since else None
        steps.append(
            Step(
                "training_in_grace",
                f"/people/{e.id}" if e.id is not None else "/training?status=in_grace",
                {
                    "name": e.label, "course": e.note, "role": "safety_rep", "due_on": due_on,
                    "days_left": (due_on - day).days if due_on else None,
                },
                "person",
                e.id,
            )
        )  # fmt: skip
    return sorted(steps, key=lambda s: (s.params["due_on"] or date.max, s.params["name"]))


def _overdue_actions(measures: Mapping[str, Measure], day: date) -> list[Step]:
    """One step per overdue action (the earliest deadline first, as the statistics give
    them), about its deviation: the deviation's id decides whether the reader sees it."""
    measure = measures.get("overdue_actions")
    return [
        Step(
            "overdue_action",
            f"/deviations/{e.id}",
            {
                "deviation": e.id,
                "action": e.label,
                "owner": e.note,
                "deadline": e.since,
                "days_overdue": (day - e.since).days if e.since else None,
            },
            "deviation",
            e.id,
        )  # fmt: skip
        for e in (measure.evidence if measure else ())
        if e.kind == "deviation" and e.id is not None
    ]


def _risks(measures: Mapping[str, Measure]) -> list[Step]:
    """High risks without a routine in force, the highest score first (as the rule gives
    them)."""
    measure = measures.get("high_risks_without_routine")
    return [
        Step("risk_without_routine", f"/risks/{e.id}", {"title": e.label}, "risk", e.id)
        for e in (measure.evidence if measure else ())
        if e.kind == "risk" and e.id is not None
    ]


def _risks_link(measures: Mapping[str, Measure]) -> str:
    measure = measures.get("high_risks_without_routine")
    if measure is None:
        return ""
    threshold = measure.params.get("threshold")
    if threshold is None:
        return measure.link
    return f"/risks?without_routine=1&min_score={threshold}"


def _records(measures: Mapping[str, Measure], name: str, kind: str, url: str) -> list[Step]:
    """One step per record of a measure, in the measure's order, linking to the record."""
    measure = measures.get(name)
    return [
        Step(kind, url.format(id=e.id), {"name": e.label}, e.kind, e.id)
        for e in (measure.evidence if measure else ())
        if e.id is not None
    ]


def _reading(measures: Mapping[str, Measure]) -> list[Step]:
    """Departments behind in acknowledging the routines, the furthest behind first (the
    note is "acknowledged/required"). The coverage page shows each department's figures."""
    measure = measures.get("acknowledgement_coverage")
    steps = []
    for e in measure.evidence if measure else ():
        done, _slash, required = e.note.partition("/")
        try:
            acknowledged, total = int(done), int(required)
        except ValueError:
            continue
        steps.append(
            Step(
                "reading", "/routines/coverage",
                {"name": e.label, "acknowledged": acknowledged, "required": total},
                e.kind, e.id,
            )
        )  # fmt: skip
    return steps


def _no_survey(measures: Mapping[str, Measure]) -> list[Step]:
    """No pulse survey opened yet (a survey nobody was asked to answer is not "none")."""
    measure = measures.get("survey_turnout")
    if measure is None or measure.has_data or measure.count is not None:
        return []
    return [Step("no_survey", "/barometer/surveys")]


# --- in words ----------------------------------------------------------------------------

ROLE_LABELS = {
    "safety_rep": lazy("verneombud"),
    "amu_member": lazy("AMU-medlem"),
    "leader": lazy("leder"),
}


def _role(params: Mapping[str, Any]) -> str:
    role = params.get("role")
    return _(ROLE_LABELS[role]) if role in ROLE_LABELS else ""


def step_text(step: Step) -> str:
    """The step in the reader's language."""
    p = step.params
    if step.kind == "training_missing":
        if p.get("since"):
            return _(
                "%(name)s (%(role)s) mangler kurset «%(course)s», siden %(date)s.",
                name=p["name"], role=_role(p), course=p["course"], date=format_date(p["since"]),
            )  # fmt: skip
        return _(
            "%(name)s (%(role)s) mangler kurset «%(course)s».",
            name=p["name"], role=_role(p), course=p["course"],
        )  # fmt: skip
    if step.kind == "training_in_grace":
        if p.get("due_on"):
            return _(
                "%(name)s (%(role)s) må ta kurset «%(course)s» innen %(date)s.",
                name=p["name"], role=_role(p), course=p["course"], date=format_date(p["due_on"]),
            )  # fmt: skip
        return _(
            "%(name)s (%(role)s) må ta kurset «%(course)s».",
            name=p["name"], role=_role(p), course=p["course"],
        )  # fmt: skip
    if step.kind == "overdue_action":
        return _(
            "Avvik %(id)s: tiltaket «%(action)s» hadde frist %(date)s (ansvarlig: %(owner)s).",
            id=p["deviation"], action=p["action"], date=format_date(p.get("deadline")),
            owner=p.get("owner") or "–",
        )  # fmt: skip
    if step.kind == "risk_without_routine":
        return _("Lag en rutine for den høye risikoen «%(title)s».", title=p["title"])
    if step.kind == "routine_review":
        return _(
            "Gå gjennom rutinen «%(name)s»: datoen for gjennomgang er passert.", name=p["name"]
        )
    if step.kind == "reading":
        return _(
            "Minn de ansatte i %(name)s på å lese rutinene: %(done)s av %(total)s er lest og "
            "bekreftet.",
            name=p["name"] or _("Uten avdeling"), done=p["acknowledged"], total=p["required"],
        )  # fmt: skip
    if step.kind == "no_reports":
        return _(
            "Ingen avvik er meldt fra %(name)s de siste 12 månedene. Vis de ansatte hvordan de "
            "melder.",
            name=p["name"],
        )
    if step.kind == "no_survey":
        return _(
            "Ingen pulsundersøkelse er gjennomført. Start en, så de ansatte kan svare anonymt."
        )
    if step.kind == MORE:
        return ngettext("og %(num)s til", "og %(num)s til", p["num"])
    if step.kind == NOT_SHOWN:
        if p.get("of") == "overdue_action":
            return ngettext(
                "%(num)s tiltak til er ikke vist, fordi du ikke har tilgang til avviket.",
                "%(num)s tiltak til er ikke vist, fordi du ikke har tilgang til avvikene.",
                p["num"],
            )
        if p.get("of") == "risk_without_routine":
            return ngettext(
                "%(num)s risiko til er ikke vist, fordi du ikke har tilgang til den.",
                "%(num)s risikoer til er ikke vist, fordi du ikke har tilgang til dem.",
                p["num"],
            )
        return ngettext(
            "%(num)s til er ikke vist, fordi du ikke har tilgang.",
            "%(num)s til er ikke vist, fordi du ikke har tilgang.",
            p["num"],
        )
    return step.kind  # a kind without words yet still shows, never silently
