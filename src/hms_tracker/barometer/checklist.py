"""The eight points of internkontrollforskriften § 5 (the duties of the HMS internal
control) as a checklist, each answered as far as the records can answer it:

- "ok": the records show the duty met (as far as they can show it);
- "gap": the records show it broken (a gap the rule engine finds, or no sign of it at all);
- "partly": the records show it done, but not enough (e.g. few deviations reported);
- "manual": the records cannot answer; the coordinator confirms it (nr. 1 the laws at
  hand). Nr. 4 reads the HMS goals set on /barometer (barometer/plan.py), nr. 8 the yearly
  review, the barometer's snapshot (barometer/review.py).

No rule is decided here: the gaps come from the rule engine's report for the day (the same
as /gaps), the figures from the barometer's measures, and "enough" from the barometer's own
bands (an answer in the better half of its question's scale, as the page colours it). A
point holds codes, figures and findings, not words: `point_title()` and the functions below
it put it in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from hms_tracker.barometer.measures import Context, Measure, compute
from hms_tracker.barometer.presenter import figure_text, measure_label
from hms_tracker.barometer.service import Answers
from hms_tracker.compliance.presenter import present
from hms_tracker.db import READINGS, RECORDS, VersionedCache
from hms_tracker.rules.findings import Finding
from hms_tracker.web.i18n import _, format_date, lazy, ngettext

OK, GAP, PARTLY, MANUAL = "ok", "gap", "partly", "manual"
LAWS_URL = "https://lovdata.no/dokument/SF/forskrift/1996-12-06-1127"  # the regulation


@dataclass(frozen=True)
class ChecklistPoint:
    """One point of § 5: its number, status, the figures it rests on (measures, the rule
    engine's findings, and `params` for the rest) and the page to go to."""

    number: int
    status: str  # ok | gap | partly | manual
    link: str = ""
    measures: tuple[Measure, ...] = ()
    findings: tuple[Finding, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)


def checklist(context: Context, answers: Answers) -> list[ChecklistPoint]:
    """The eight points of § 5 on the day of `context`, from its rule report and the
    measures of `answers` (computed here only when the barometer does not show them)."""
    figures = _Figures(context, answers)
    findings = context.report.findings
    return [
        ChecklistPoint(1, MANUAL, LAWS_URL),
        _knowledge(figures, findings),
        _participation(figures),
        _goals(context),
        _organisation(context, findings),
        _risks(findings),
        _deviations(figures, findings),
        _review(context, findings),
    ]


# The checklist of a day, kept under the data versions of what it reads (the records and
# the readings): its points hold codes and figures, not words, so one serves every reader.
CHECKLISTS: VersionedCache[tuple[date, str], list[ChecklistPoint]] = VersionedCache(
    size=8, rows=(RECORDS, READINGS)
)


def cached_checklist(*, session: Session, day: date, answers: Answers) -> list[ChecklistPoint]:
    return CHECKLISTS.get_or_compute(
        session,
        (day, answers.barometer.id),
        lambda: checklist(Context(session=session, day=day), answers),
    )


class _Figures:
    """The measures of the answers by id, each computed on the day when the barometer
    does not show it; and the verdict of the question a measure decides."""

    def __init__(self, context: Context, answers: Answers):
        self.context = context
        self.answers = answers
        self.shown: dict[str, Measure] = {}
        for item in answers.questions:
            for m in (item.measure, *item.also):
                self.shown.setdefault(m.id, m)

    def __getitem__(self, name: str) -> Measure:
        if name not in self.shown:
            self.shown[name] = compute(name, self.context)
        return self.shown[name]

    def good(self, name: str) -> bool | None:
        """Whether the answer decided by measure `name` lies in the better half of its
        scale (as the barometer page colours it); None without such an answer."""
        for item in self.answers.questions:
            if item.measure.id == name and item.answer is not None:
                options = len(item.scale.options)
                return item.scale.position(item.answer.id) >= options // 2
        return None


def _of(findings: Iterable[Finding], *prefixes: str) -> list[Finding]:
    return [f for f in findings if f.rule.startswith(prefixes)]


def _gaps(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.is_gap)


def _knowledge(figures: _Figures, findings: Iterable[Finding]) -> ChecklistPoint:
    """Nr. 2: the courses the law requires (verneombud, AMU members and deputies, leaders)
    are taken; within the grace period is not a gap."""
    courses = _of(findings, "training.required")
    names = (
        "safety_reps_untrained", "safety_reps_in_grace", "amu_members_untrained",
        "leaders_untrained",
    )  # fmt: skip
    measures = tuple(m for m in (figures[n] for n in names) if m.has_data)
    if not courses:
        return ChecklistPoint(2, MANUAL, "/training", measures, params={"reason": "no_courses"})
    gaps = _gaps(courses)
    if gaps:
        return ChecklistPoint(2, GAP, "/training?status=missing", measures, gaps)
    return ChecklistPoint(2, OK, "/training", measures)


def _participation(figures: _Figures) -> ChecklistPoint:
    """Nr. 3: the employees take part — they report deviations (not only their leaders),
    read the routines, and answer the pulse survey. All three: ok; none: gap; some:
    partly. Nothing to go by at all: the coordinator confirms it."""
    reports = figures["reports_by_employees_share"]
    reading = figures["acknowledgement_coverage"]
    survey = figures["survey_turnout"]
    survey_held = survey.count is not None
    measures = (reports, reading, survey)
    verdicts = {
        "reports": figures.good(reports.id) if reports.has_data else None,
        "reading": figures.good(reading.id) if reading.has_data else None,
        "survey": bool(survey.count),  # held, and someone answered
    }
    if verdicts["reports"] is None and verdicts["reading"] is None and not survey_held:
        return ChecklistPoint(3, MANUAL, "/barometer/surveys", params={"reason": "no_data"})
    known = [v for v in verdicts.values() if v is not None]
    status = OK if all(known) else GAP if not any(known) else PARTLY
    if not survey_held:
        link = "/barometer/surveys"
    elif verdicts["reading"] is False:
        link = reading.link
    else:
        link = reports.link
    return ChecklistPoint(3, status, link, measures, params={"verdicts": verdicts})


def _organisation(context: Context, findings: Iterable[Finding]) -> ChecklistPoint:
    """Nr. 5: who is responsible for HMS is registered — verneombud (and a hovedverneombud,
    every area covered, terms current), the AMU where the law asks for it, and a leader for
    every department where people work (a leader of a department above counts)."""
    from hms_tracker.organisation.service import list_departments

    rules = _of(findings, "aml-6-1.", "aml-7-1.", "forskrift-3-4.")
    gaps = _gaps(rules)
    reps = next((f for f in rules if f.rule == "aml-6-1.safety-rep"), None)
    amu = next((f for f in rules if f.rule == "aml-7-1.amu"), None)
    rows = list_departments(session=context.session, today=context.day)
    led = {r.department.id for r in rows if r.leaders}
    parents = {r.department.id: r.department.parent_id for r in rows}

    def is_led(department_id: int | None) -> bool:
        seen: set[int] = set()
        while department_id is not None and department_id not in seen:
            if department_id in led:
                return True
            seen.add(department_id)
            department_id = parents.get(department_id)
        return False

    staffed = [
        r.department
        for r in rows
        if r.people_count
        and (r.department.closed_on is None or r.department.closed_on > context.day)
    ]
    leaderless = [d for d in staffed if not is_led(d.id)]
    params = {
        "safety_reps": len(reps.evidence) if reps else 0,
        "agreement": any(f.rule == "aml-6-1.safety-rep-agreement" for f in rules),
        "amu_members": len(amu.evidence) if amu else 0,
        "departments": len(staffed),
        "leaderless": [(d.id, d.name) for d in leaderless],
    }
    if gaps:
        link = present(gaps[0]).fix_url or "/gaps"
        return ChecklistPoint(5, GAP, link, findings=gaps, params=params)
    if leaderless:
        return ChecklistPoint(5, GAP, f"/departments/{leaderless[0].id}", params=params)
    return ChecklistPoint(5, OK, "/appointments", params=params)


def _risks(findings: Iterable[Finding]) -> ChecklistPoint:
    """Nr. 6: risks are mapped and assessed (again within 12 months), a high risk has a
    routine, and the planned measures are carried out. An empty risk register shows no
    mapping: a gap."""
    rules = tuple(_of(findings, "ik-5-6."))
    if not rules:
        return ChecklistPoint(6, GAP, "/risks/new", params={"reason": "no_risks"})
    gaps = _gaps(rules)
    if gaps:
        return ChecklistPoint(6, GAP, present(gaps[0]).fix_url or "/risks", findings=rules)
    return ChecklistPoint(6, OK, "/risks", findings=rules)


def _deviations(figures: _Figures, findings: Iterable[Finding]) -> ChecklistPoint:
    """Nr. 7: deviations are reported, taken up in time and corrected by their deadlines.
    A gap of § 5 nr. 7 (an overdue deviation or action, one left without a responsible
    person): gap; few reports for the number of employees (the barometer's answer to "are
    deviations registered?" in the worse half of its scale): partly."""
    rules = tuple(_of(findings, "ik-5-7."))
    measures = (figures["reports_per_100_employees"], figures["overdue_actions"])
    gaps = _gaps(rules)
    if gaps:
        link = present(gaps[0]).fix_url or "/deviations"
        return ChecklistPoint(7, GAP, link, measures, rules)
    if figures.good("reports_per_100_employees") is False:
        return ChecklistPoint(7, PARTLY, "/deviations/stats", measures, rules)
    return ChecklistPoint(7, OK, "/deviations", measures, rules)


def _goals(context: Context) -> ChecklistPoint:
    """Nr. 4: HMS goals are set for the year of the day (the goals of the yearly review,
    barometer/plan.py); none: a gap, pointing to where they are set."""
    from hms_tracker.barometer.models import BarometerGoal

    count = len(
        context.session.exec(
            select(BarometerGoal.id).where(BarometerGoal.year == context.day.year)
        ).all()
    )
    if not count:
        return ChecklistPoint(4, GAP, "/barometer#goals", params={"reason": "no_goals"})
    return ChecklistPoint(4, OK, "/barometer#goals", params={"goals": count})


def _review(context: Context, findings: Iterable[Finding]) -> ChecklistPoint:
    """Nr. 8: the yearly review — a barometer snapshot taken in the last 12 months (the
    review this product records, /barometer/{year}). A routine past its review date is a
    gap of nr. 8 the records show too; no review in the last 12 months: gap."""
    from hms_tracker.barometer.models import BarometerSnapshot

    rules = tuple(_of(findings, "routines.review-overdue", "ik-5-6.risk-assessment-overdue"))
    routines = [f for f in rules if f.rule == "routines.review-overdue" and f.is_gap]
    since = context.day - timedelta(days=365)
    latest = context.session.exec(
        select(BarometerSnapshot.year, BarometerSnapshot.taken_on)
        .where(
            col(BarometerSnapshot.taken_on) > since, col(BarometerSnapshot.taken_on) <= context.day
        )
        .order_by(col(BarometerSnapshot.taken_on).desc())
    ).first()
    params = {"review_year": latest[0], "review_on": latest[1]} if latest else {}
    if routines:
        return ChecklistPoint(8, GAP, "/routines?overdue=1", findings=rules, params=params)
    if latest is None:
        return ChecklistPoint(8, GAP, "/barometer", findings=rules, params={"reason": "no_review"})
    return ChecklistPoint(8, OK, f"/barometer/{latest[0]}", findings=rules, params=params)


# --- in words ----------------------------------------------------------------------------

TITLES = {
    1: lazy("Lover og forskrifter"),
    2: lazy("Kunnskap og ferdigheter"),
    3: lazy("Medvirkning"),
    4: lazy("Mål for HMS"),
    5: lazy("Ansvar, oppgaver og myndighet"),
    6: lazy("Farer og risiko"),
    7: lazy("Avvik"),
    8: lazy("Overvåking og gjennomgang"),
}
# The duty of each point, shortened from the regulation's wording.
DUTIES = {
    1: lazy(
        "Sørge for at HMS-lovene og -forskriftene som gjelder virksomheten, er tilgjengelige, "
        "og ha oversikt over de kravene som er særlig viktige."
    ),
    2: lazy(
        "Sørge for at arbeidstakerne har nok kunnskaper og ferdigheter i det systematiske "
        "HMS-arbeidet, også informasjon om endringer."
    ),
    3: lazy("Sørge for at arbeidstakerne medvirker, slik at samlet kunnskap og erfaring utnyttes."),
    4: lazy("Fastsette mål for helse, miljø og sikkerhet."),
    5: lazy(
        "Ha oversikt over virksomhetens organisasjon, også hvordan ansvar, oppgaver og "
        "myndighet for HMS-arbeidet er fordelt."
    ),
    6: lazy(
        "Kartlegge farer og problemer, vurdere risikoen og lage planer og tiltak som reduserer den."
    ),
    7: lazy("Iverksette rutiner som avdekker, retter opp og forebygger brudd på HMS-regelverket."),
    8: lazy("Overvåke og gjennomgå internkontrollen systematisk, så den virker som forutsatt."),
}
STATUS_LABELS = {
    OK: lazy("I orden"),
    GAP: lazy("Mangel"),
    PARTLY: lazy("Delvis"),
    MANUAL: lazy("Bekreft selv"),
}
STATUS_COLOURS = {OK: "success", GAP: "danger", PARTLY: "warning", MANUAL: "info"}


def point_title(point: ChecklistPoint) -> str:
    return _("Nr. %(number)s: %(title)s", number=point.number, title=_(TITLES[point.number]))


def point_duty(point: ChecklistPoint) -> str:
    return _(DUTIES[point.number])


def point_status_label(point: ChecklistPoint) -> str:
    return _(STATUS_LABELS[point.status])


def point_status_colour(point: ChecklistPoint) -> str:
    return STATUS_COLOURS[point.status]


def point_notes(point: ChecklistPoint) -> list[str]:
    """What the status rests on, in words, beside the measures and findings: what the
    coordinator must confirm for a "manual" point, and the figures that are neither."""
    p, n = point.params, point.number
    if n == 1:
        return [
            _(
                "Registrene kan ikke vise dette. Bekreft at dere vet hvilke HMS-lover og "
                "-forskrifter som gjelder virksomheten (som arbeidsmiljøloven og "
                "internkontrollforskriften), at de er tilgjengelige for de ansatte, og at dere "
                "kjenner de viktigste kravene."
            )
        ]
    if n == 4 and p.get("reason") == "no_goals":
        return [_("Ingen HMS-mål er satt for i år. Sett dem under «Mål for HMS-arbeidet».")]
    if n == 4 and p.get("goals"):
        return [
            ngettext("%(num)s mål er satt for i år.", "%(num)s mål er satt for i år.", p["goals"])
        ]
    if n == 8 and p.get("reason") == "no_review":
        return [
            _(
                "Ingen årlig gjennomgang er låst de siste 12 månedene. Gi vurderingene og lås "
                "gjennomgangen på barometersiden."
            )
        ]
    if n == 8 and p.get("review_on"):
        return [
            _(
                "Siste årlige gjennomgang: %(year)s, låst %(date)s.",
                year=p["review_year"],
                date=format_date(p["review_on"]),
            )
        ]
    if n == 2 and p.get("reason") == "no_courses":
        return [
            _(
                "Ingen i registrene skal ha lovpålagt kurs. Bekreft at de ansatte har den "
                "opplæringen de trenger i HMS-arbeidet."
            )
        ]
    if n == 3 and p.get("reason") == "no_data":
        return [
            _(
                "Registrene viser ennå ingenting om medvirkning. Bekreft hvordan de ansatte tar "
                "del i HMS-arbeidet, for eksempel gjennom verneombudet, personalmøter eller en "
                "pulsundersøkelse."
            )
        ]
    if n == 5:
        return _organisation_notes(p)
    if n == 6 and p.get("reason") == "no_risks":
        return [
            _(
                "Ingen risikoer er registrert. Kartlegg farer og problemer, og før dem inn i "
                "risikoregisteret."
            )
        ]
    return []


def _organisation_notes(p: Mapping[str, Any]) -> list[str]:
    notes = []
    if p.get("safety_reps"):
        notes.append(
            ngettext(
                "%(num)s verneombud er registrert.",
                "%(num)s verneombud er registrert.",
                p["safety_reps"],
            )
        )
    elif p.get("agreement"):
        notes.append(_("Avtale om annen ordning enn verneombud er registrert."))
    if p.get("amu_members"):
        notes.append(
            ngettext(
                "AMU har %(num)s medlem eller varamedlem.",
                "AMU har %(num)s medlemmer og varamedlemmer.",
                p["amu_members"],
            )
        )
    departments, leaderless = p.get("departments", 0), p.get("leaderless", [])
    if departments:
        notes.append(
            _(
                "%(led)s av %(total)s avdelinger med ansatte har leder.",
                led=departments - len(leaderless),
                total=departments,
            )
        )
    return notes


def point_link_label(point: ChecklistPoint) -> str:
    if point.link == LAWS_URL:
        return _("Internkontrollforskriften på Lovdata")
    if point.status == GAP:
        return _("Rett opp")
    if point.status == PARTLY:
        return _("Se hva som kan bli bedre")
    return _("Se registeret")


def point_measure_lines(point: ChecklistPoint) -> list[str]:
    """The measures a point rests on, as on the barometer: "label: figure"."""
    return [f"{measure_label(m.id)}: {figure_text(m)}" for m in point.measures]


def helpers() -> dict[str, Any]:
    """The functions `barometer/_checklist.html` uses."""
    return {
        "point_title": point_title,
        "point_duty": point_duty,
        "point_status_label": point_status_label,
        "point_status_colour": point_status_colour,
        "point_notes": point_notes,
        "point_link_label": point_link_label,
        "point_measure_lines": point_measure_lines,
        "present_finding": present,
    }
