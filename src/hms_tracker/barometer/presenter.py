"""The barometer's figures in words, in the reader's language: what each measure is, its
value ("2 av 7", "81 %", "42 per 100 ansatte"), and the rule that turned it into an
answer ("100 % eller mer → Alltid")."""

from __future__ import annotations

from typing import Any

from hms_tracker.barometer.measures import Evidence, Measure
from hms_tracker.barometer.questions import Question, Scale
from hms_tracker.web.i18n import _, format_number, lazy

# How each measure's value reads: a share (0–1), a count, a ratio, days, per 100 employees.
KINDS = {
    "safety_reps_untrained": "count",
    "safety_reps_in_grace": "count",
    "amu_members_untrained": "count",
    "leaders_untrained": "count",
    "acknowledgement_coverage": "share",
    "routines_reviewed_on_time": "share",
    "routine_breaches_12m": "ratio",
    "high_risks_without_routine": "count",
    "reports_per_100_employees": "per100",
    "departments_without_reports": "count",
    "near_misses_per_injury": "ratio",
    "median_days_to_report": "days",
    "overdue_actions": "count",
    "median_days_to_close": "days",
    "share_closed_actions_worked": "share",
    "reports_by_employees_share": "share",
    "survey_turnout": "share",
    "areas_without_safety_rep": "count",
    "safety_rep_conditions_met": "count",
    "amu_conditions_met": "count",
    "legal_gaps": "count",
}

LABELS = {
    "safety_reps_untrained": lazy("Verneombud uten lovpålagt opplæring"),
    "safety_reps_in_grace": lazy("Verneombud som ennå er innenfor fristen for opplæring"),
    "amu_members_untrained": lazy("AMU-medlemmer og varamedlemmer uten lovpålagt opplæring"),
    "leaders_untrained": lazy("Ledere uten HMS-opplæring for arbeidsgiver"),
    "acknowledgement_coverage": lazy("Andel av rutinene i kraft som de ansatte har lest og bekreftet"),  # noqa: E501
    "routines_reviewed_on_time": lazy("Rutiner i kraft som er gjennomgått i tide"),
    "routine_breaches_12m": lazy("Brudd på rutine per rutine i kraft, siste 12 måneder"),
    "high_risks_without_routine": lazy("Høye risikoer uten rutine"),
    "reports_per_100_employees": lazy("Meldte avvik per 100 ansatte, siste 12 måneder"),
    "departments_without_reports": lazy("Avdelinger uten meldte avvik, siste 12 måneder"),
    "near_misses_per_injury": lazy("Nestenulykker per personskade, siste 12 måneder"),
    "median_days_to_report": lazy("Dager fra hendelse til melding (median), siste 12 måneder"),
    "overdue_actions": lazy("Tiltak på avvik som er forsinket"),
    "median_days_to_close": lazy("Dager fra melding til lukking (median), siste 12 måneder"),
    "share_closed_actions_worked": lazy("Andel lukkede avvik der tiltakene virket, siste 12 måneder"),  # noqa: E501
    "reports_by_employees_share": lazy("Andel av avvikene meldt av ansatte som ikke er ledere, siste 12 måneder"),  # noqa: E501
    "survey_turnout": lazy("Svarprosent i siste pulsundersøkelse"),
    "areas_without_safety_rep": lazy("Avdelinger uten verneombud"),
    "safety_rep_conditions_met": lazy("Vilkår for verneombudets arbeid som er oppfylt (finnes, dekker alle områder, har opplæring)"),  # noqa: E501
    "amu_conditions_met": lazy("Vilkår for AMUs arbeid som er oppfylt (på plass der loven krever det, medlemmene har opplæring)"),  # noqa: E501
    "legal_gaps": lazy("Mangler etter loven (som på siden Mangler)"),
}  # fmt: skip


def measure_label(measure_id: str) -> str:
    return _(LABELS[measure_id])


def _number(value: float, digits: int = 1) -> str:
    return format_number(round(value, digits))


def value_text(measure_id: str, value: float) -> str:
    kind = KINDS[measure_id]
    if kind == "share":
        return _("%(percent)s %%", percent=format_number(round(value * 100)))
    if kind == "per100":
        return _("%(number)s per 100 ansatte", number=_number(value))
    if kind == "days":
        return _("%(number)s dager", number=_number(value))
    if kind == "ratio":
        return _number(value)
    return format_number(round(value))


def figure_text(measure: Measure) -> str:
    """The figure in words, or why there is none."""
    return figure_words(measure.id, measure.value, measure.count, measure.total)


def snapshot_figure(measure: dict[str, Any]) -> str:
    """A figure kept in a snapshot (barometer/review.py), in words."""
    return figure_words(measure["id"], measure["value"], measure["count"], measure["total"])


def figure_words(measure_id: str, value: float | None, count: int | None,
                 total: int | None) -> str:  # fmt: skip
    if value is None:
        if measure_id == "survey_turnout":
            return _("Ingen data ennå: ingen pulsundersøkelse er gjennomført.")
        if measure_id == "near_misses_per_injury" and count is not None:
            return _("%(near)s nestenulykker og ingen personskader", near=count)
        return _("Ingen data i registrene for dette.")
    text = value_text(measure_id, value)
    kind = KINDS[measure_id]
    if kind == "count" and total:
        return _("%(count)s av %(total)s", count=text, total=total)
    if kind == "share" and total:
        return _("%(share)s (%(count)s av %(total)s)", share=text, count=count, total=total)
    return text


def rule_text(question: Question, scale: Scale) -> list[str]:
    """The bands of the question's rule, each as "from … to … → answer"."""
    lines = []
    measure_id = question.records.measure
    for band in question.records.bands:
        answer = scale.option(band.answer).label
        if band.min is not None and band.max is not None:
            when = _(
                "fra %(low)s til %(high)s",
                low=value_text(measure_id, band.min), high=value_text(measure_id, band.max),
            )  # fmt: skip
        elif band.min is not None:
            when = _("%(low)s eller mer", low=value_text(measure_id, band.min))
        elif band.max is not None:
            when = _("%(high)s eller mindre", high=value_text(measure_id, band.max))
        else:
            when = _("ellers")
        lines.append(f"{when} → {answer}")
    return lines


def evidence_label(item: Evidence, measure: Measure) -> str:
    """A record's name; a rule's title as /gaps gives it."""
    if item.kind == "rule" and item.id is not None:
        from hms_tracker.compliance.presenter import present

        return present(measure.params["findings"][item.id]).title
    return item.label


def evidence_url(item: Evidence) -> str:
    """Where a record behind a figure is opened (and fixed); "" when nowhere."""
    if item.kind == "rule":
        return "/gaps"
    if item.id is None:
        return ""
    return {
        "person": f"/people/{item.id}",
        "department": f"/departments/{item.id}",
        "routine": f"/routines/{item.id}",
        "risk": f"/risks/{item.id}",
        "deviation": f"/deviations/{item.id}",
        "appointment": f"/appointments/{item.id}",
    }.get(item.kind, "")


def national_group(question: Question, scale: Scale) -> str:
    """The answers the national figure counts, by their labels ("Nei"; "Ofte, Nesten
    alltid, Alltid")."""
    if question.national is None:
        return ""
    return ", ".join(scale.option(a).label for a in question.national.answers)
