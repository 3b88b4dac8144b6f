"""The rule engine's findings in words: titles, explanations and where to fix them.

The engine returns rule codes and parameters; this module is the one place that turns
them into text in the user's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from markupsafe import Markup, escape

from hms_tracker.compliance.lovdata import legal_reference
from hms_tracker.rules.engine import TrainingStatus
from hms_tracker.rules.findings import Finding, Status
from hms_tracker.rules.headcount import as_decimal
from hms_tracker.web.i18n import _, format_date, format_number, lazy, ngettext

STATUS_LABELS = {
    Status.ok: lazy("I orden"),
    Status.in_grace: lazy("Innenfor frist"),
    Status.expiring: lazy("Utløper snart"),
    Status.missing: lazy("Mangler"),
    Status.expired: lazy("Utløpt"),
    Status.gap: lazy("Mangel"),
    Status.notice: lazy("Merknad"),
}
STATUS_COLOURS = {
    Status.ok: "success",
    Status.in_grace: "info",
    Status.expiring: "warning",
    Status.missing: "danger",
    Status.expired: "danger",
    Status.gap: "danger",
    Status.notice: "warning",
}
REASON_LABELS = {
    "safety_rep": lazy("Verneombud"),
    "chief_safety_rep": lazy("Hovedverneombud"),
    "amu_member": lazy("AMU-medlem"),
    "managing_director": lazy("Daglig leder"),
    "ohs_contact": lazy("BHT-kontakt"),
    "leader": lazy("Leder"),
}
SIDE_LABELS = {
    "employer": lazy("arbeidsgiversiden"),
    "employee": lazy("arbeidstakersiden"),
    "ohs": lazy("bedriftshelsetjenesten"),
}


def status_label(status: Status) -> str:
    return _(STATUS_LABELS[status])


def status_colour(status: Status) -> str:
    return STATUS_COLOURS[status]


def reason_label(reason: str) -> str:
    return _(REASON_LABELS[reason]) if reason in REASON_LABELS else reason


def training_note(row: TrainingStatus) -> str:
    """What the status means for this person, with the dates that matter."""
    if row.status is Status.in_grace and row.due_on:
        return _("Må være fullført innen %(date)s.", date=format_date(row.due_on))
    if row.status is Status.missing and row.due_on:
        return _("Fristen gikk ut %(date)s.", date=format_date(row.due_on))
    if row.status is Status.missing:
        return _("Ikke fullført.")
    if row.status is Status.expired and row.expires_on:
        return _("Utløp %(date)s. Må tas på nytt.", date=format_date(row.expires_on))
    if row.status is Status.expiring and row.expires_on:
        return _("Utløper %(date)s.", date=format_date(row.expires_on))
    if row.completed_on:
        if row.expires_on:
            return _(
                "Fullført %(date)s, gyldig til og med %(until)s.",
                date=format_date(row.completed_on),
                until=format_date(row.expires_on - timedelta(days=1)),
            )
        return _("Fullført %(date)s.", date=format_date(row.completed_on))
    return ""


@dataclass(frozen=True)
class Presented:
    finding: Finding
    title: str
    explanation: str
    fix_url: str | None
    fix_label: str | None

    @property
    def status_label(self) -> str:
        return status_label(self.finding.status)

    @property
    def status_colour(self) -> str:
        return status_colour(self.finding.status)


def _side(params: dict[str, Any]) -> str:
    side = params.get("side")
    return _(SIDE_LABELS[side]) if side in SIDE_LABELS else ""


# --- the words for each rule ---------------------------------------------------------------
# One small function per rule code: the finding in, its words out. `WORDS` below is the
# table `present()` looks codes up in; a new rule adds one function and one entry there.


@dataclass(frozen=True)
class Words:
    title: str
    explanation: str
    fix_url: str | None = None
    fix_label: str | None = None


def _safety_rep(f: Finding) -> Words:
    return Words(_("Bedriften har verneombud"), _("Alle virksomheter skal ha verneombud."))


def _safety_rep_agreement(f: Finding) -> Words:
    return Words(
        _("Skriftlig avtale om annen ordning enn verneombud"),
        _(
            "Med færre enn 5 ansatte kan partene avtale en annen ordning. Avtalen gjelder til "
            "%(date)s (høyst to år).",
            date=format_date(f.params.get("valid_to")),
        ),
        "/appointments/agreements",
        _("Se avtalene"),
    )


def _safety_rep_missing(f: Finding) -> Words:
    p = f.params
    if p.get("agreement_possible"):
        explanation = _(
            "Alle virksomheter skal ha verneombud. Med %(n)s ansatte kan partene i stedet "
            "skriftlig avtale en annen ordning for høyst to år.",
            n=p.get("employees"),
        )
    else:
        explanation = _(
            "Alle virksomheter skal ha verneombud. Bedriften har %(n)s ansatte.",
            n=p.get("employees"),
        )
    # Why the verdict is what it is, where it is not obvious.
    if p.get("hired_in"):
        explanation += " " + ngettext(
            "Innleide arbeidstakere telles med: %(num)s av dem er innleid.",
            "Innleide arbeidstakere telles med: %(num)s av dem er innleide.",
            p["hired_in"],
        )
    if p.get("agreement_no_longer_counts"):
        explanation += " " + _(
            "Den registrerte avtalen om annen ordning teller ikke lenger: den gjelder bare "
            "så lenge bedriften har færre enn %(threshold)s ansatte.",
            threshold=p.get("threshold"),
        )
    elif p.get("agreement_ended_on"):
        explanation += " " + _(
            "Avtalen om annen ordning gjaldt til og med %(date)s.",
            date=format_date(p["agreement_ended_on"]),
        )
    return Words(
        _("Bedriften har ikke verneombud"),
        explanation,
        "/appointments/new?kind=safety_rep",
        _("Registrer verneombud"),
    )


def _chief_safety_rep(f: Finding) -> Words:
    return Words(
        _("Hovedverneombud"),
        _(
            "Med mer enn ett verneombud skal ett av dem være hovedverneombud. Bedriften har "
            "%(n)s verneombud.",
            n=f.params.get("safety_reps"),
        ),
        "/appointments/new?kind=chief_safety_rep",
        _("Registrer hovedverneombud"),
    )


def _safety_areas(f: Finding) -> Words:
    return Words(
        _("Verneområder"),
        _("Disse avdelingene hører ikke til noe verneombuds verneområde.")
        if f.is_gap
        else _("Alle avdelinger hører til et verneområde."),
        "/appointments?kind=safety_rep",
        _("Se verneombudene"),
    )


def _amu_missing(f: Finding) -> Words:
    p = f.params
    return Words(
        _("Bedriften skal ha arbeidsmiljøutvalg (AMU)"),
        _(
            "I %(year)s hadde bedriften i gjennomsnitt %(avg)s ansatte med minst 20 timer i "
            "uka. Fra %(n)s skal det være AMU.",
            year=p.get("year"),
            avg=format_number(as_decimal(p["average"])),
            n=p.get("threshold"),
        ),
        "/appointments/new?kind=amu_member",
        _("Registrer AMU-medlem"),
    )


def _amu_may_be_demanded(f: Finding) -> Words:
    p = f.params
    return Words(
        _("AMU kan kreves"),
        _(
            "I %(year)s hadde bedriften i gjennomsnitt %(avg)s ansatte med minst 20 timer i "
            "uka. Fra %(n)s kan en av partene kreve at det opprettes AMU.",
            year=p.get("year"),
            avg=format_number(as_decimal(p["average"])),
            n=p.get("threshold"),
        ),
    )


def _amu(f: Finding) -> Words:
    return Words(
        _("Arbeidsmiljøutvalg (AMU)"),
        _("Bedriften har AMU med %(n)s medlemmer og varamedlemmer.", n=len(f.evidence)),
    )


def _amu_sides_equal(f: Finding) -> Words:
    return Words(
        _("Like mange varamedlemmer fra hver side")
        if f.rule.endswith("deputies-equal")
        else _("Like mange medlemmer fra hver side"),
        _(
            "Arbeidsgiversiden: %(employer)s. Arbeidstakersiden: %(employee)s.",
            employer=f.params.get("employer"),
            employee=f.params.get("employee"),
        ),
        "/appointments?kind=amu_member",
        _("Se AMU-medlemmene"),
    )


def _amu_employer_top_management(f: Finding) -> Words:
    return Words(
        _("Arbeidsgiver eller toppledelsen i AMU"),
        _("Ingen på arbeidsgiversiden er daglig leder eller leder en avdeling på øverste nivå.")
        if f.is_gap
        else _("Arbeidsgiver eller toppledelsen sitter i AMU."),
        "/appointments?kind=amu_member",
        _("Se AMU-medlemmene"),
    )


def _amu_safety_rep_member(f: Finding) -> Words:
    return Words(
        _("Hovedverneombudet i AMU") if f.params.get("chief") else _("Verneombudet i AMU"),
        _(
            "Hovedverneombudet (eller det eneste verneombudet) skal være ett av "
            "arbeidstakersidens medlemmer."
        ),
        "/appointments/new?kind=amu_member",
        _("Registrer AMU-medlem"),
    )


def _amu_ohs_member(f: Finding) -> Words:
    return Words(
        _("Bedriftshelsetjenesten i AMU"),
        _("Bedriftshelsetjenesten skal være representert i AMU, uten stemmerett."),
        "/appointments/new?kind=amu_member",
        _("Registrer AMU-medlem"),
    )


def _amu_chair_missing(f: Finding) -> Words:
    return Words(
        _("AMU har ingen leder"),
        _("AMU skal ha en leder, valgt for ett år om gangen."),
        "/appointments?kind=amu_member",
        _("Se AMU-medlemmene"),
    )


def _amu_chair_same_side(f: Finding) -> Words:
    return Words(
        _("AMU-leder fra samme side to år på rad"),
        _(
            "Ledervervet skal gå på omgang mellom partene. Både nåværende og forrige leder er "
            "fra %(side)s.",
            side=_side(f.params),
        ),
        "/appointments?kind=amu_member",
        _("Se AMU-medlemmene"),
    )


def _amu_chair_not_eligible(f: Finding) -> Words:
    return Words(
        _("AMU-lederen kan ikke være leder"),
        _(
            "Lederen velges blant de faste medlemmene fra arbeidsgiversiden eller "
            "arbeidstakersiden, ikke blant varamedlemmer eller bedriftshelsetjenesten."
        ),
        "/appointments?kind=amu_member",
        _("Se AMU-medlemmene"),
    )


def _amu_chair_too_long(f: Finding) -> Words:
    return Words(
        _("AMU-leder valgt for mer enn ett år"),
        _(
            "Lederen velges for ett år om gangen. Dette ledervervet varer til %(date)s.",
            date=format_date(f.params.get("until")),
        ),
        "/appointments?kind=amu_member",
        _("Se AMU-medlemmene"),
    )


def _amu_chair(f: Finding) -> Words:
    return Words(
        _("AMU-leder"),
        _(
            "Lederen er fra %(side)s, valgt til %(date)s.",
            side=_side(f.params),
            date=format_date(f.params.get("until")),
        ),
    )


def _term_expired(f: Finding) -> Words:
    return Words(
        _("Verv med utløpt valgperiode"),
        _("Valgperioden er over, og vervet er verken fornyet eller avsluttet.")
        if f.is_gap
        else _("Ingen verv har utløpt valgperiode uten å være fornyet eller avsluttet."),
        "/appointments",
        _("Se vervene"),
    )


def _training_required(f: Finding) -> Words:
    p = f.params
    explanation = _(
        "%(lacking)s av %(required)s som skal ha kurset, mangler det eller har det utløpt.",
        lacking=p.get("lacking"),
        required=p.get("required"),
    )
    if "§ 3-5" in (f.legal_basis or ""):
        # The employer's own HMS training: the law sets no deadline for it.
        explanation += " " + _(
            "Loven (arbeidsmiljøloven § 3-5) setter ingen frist for arbeidsgiverens "
            "opplæring; fristen her er bedriftens egen innstilling for tilpasningstid."
        )
    return Words(
        _("Opplæring: %(course)s", course=p.get("course")),
        explanation,
        f"/training?course={p.get('course_id')}",
        _("Se opplæringsoversikten"),
    )


def _serious_injury_notification(f: Finding) -> Words:
    return Words(
        _("Varsling av alvorlig personskade"),
        ngettext(
            "%(num)s alvorlig personskade er ikke registrert varslet til Arbeidstilsynet "
            "og politiet. Varsling skal skje straks.",
            "%(num)s alvorlige personskader er ikke registrert varslet til Arbeidstilsynet "
            "og politiet. Varsling skal skje straks.",
            f.params.get("waiting", 0),
        )
        if f.is_gap
        else _("Alle alvorlige personskader er registrert varslet."),
        "/deviations?category=personal_injury",
        _("Se personskadene"),
    )


def _deviations_overdue(f: Finding) -> Words:
    return Words(
        _("Avvik og tiltak på overtid"),
        ngettext(
            "%(num)s av %(open)s åpne avvik har passert fristen, eller har tiltak som har "
            "passert fristen.",
            "%(num)s av %(open)s åpne avvik har passert fristen, eller har tiltak som har "
            "passert fristen.",
            f.params.get("overdue", 0),
            open=f.params.get("open"),
        )
        if f.is_gap
        else _("Ingen åpne avvik eller tiltak har passert fristen."),
        "/deviations?overdue=1",
        _("Se avvikene på overtid"),
    )


def _deviations_unhandled(f: Finding) -> Words:
    return Words(
        _("Avvik som ikke er tatt til behandling"),
        ngettext(
            "%(num)s avvik har ikke fått ansvarlig og frist %(days)s dager etter at det ble meldt.",
            "%(num)s avvik har ikke fått ansvarlig og frist %(days)s dager etter at de ble meldt.",
            f.params.get("waiting", 0),
            days=f.params.get("days"),
        )
        if f.is_gap
        else _("Alle meldte avvik har fått ansvarlig og frist i tide."),
        "/deviations?status=registered&sort=oldest",
        _("Se avvikene som venter"),
    )


def _routine_review_overdue(f: Finding) -> Words:
    return Words(
        _("Rutiner som skal gjennomgås"),
        ngettext(
            "%(num)s av %(total)s rutiner har passert datoen for gjennomgang.",
            "%(num)s av %(total)s rutiner har passert datoen for gjennomgang.",
            f.params.get("overdue", 0),
            total=f.params.get("routines"),
        )
        if f.is_gap
        else _("Alle gjeldende rutiner er gjennomgått i tide."),
        "/routines?overdue=1",
        _("Se rutinene som skal gjennomgås"),
    )


def _whistleblowing_routine(f: Finding) -> Words:
    if f.is_gap:
        return Words(
            _("Rutine for varsling"),
            _(
                "Virksomheter med minst %(threshold)s ansatte skal ha skriftlige rutiner for "
                "varsling. Bedriften har %(n)s ansatte, men ingen gjeldende rutine merket "
                "«varsling» som gjelder hele virksomheten.",
                threshold=f.params.get("threshold"),
                n=f.params.get("employees"),
            ),
            "/routines/new",
            _("Skriv rutine for varsling"),
        )
    return Words(
        _("Rutine for varsling"),
        _("Bedriften har en gjeldende rutine for varsling."),
        "/routines?tag=varsling",
        _("Se rutinen"),
    )


def _high_risk_without_routine(f: Finding) -> Words:
    p = f.params
    return Words(
        _("Høy risiko uten rutine"),
        ngettext(
            "%(num)s av %(high)s risikoer med risikotall %(threshold)s eller mer har ingen "
            "gjeldende rutine som styrer dem.",
            "%(num)s av %(high)s risikoer med risikotall %(threshold)s eller mer har ingen "
            "gjeldende rutine som styrer dem.",
            p.get("missing", 0),
            high=p.get("high"),
            threshold=p.get("threshold"),
        )
        if f.is_gap
        else _(
            "Alle risikoer med risikotall %(threshold)s eller mer har en gjeldende rutine.",
            threshold=p.get("threshold"),
        ),
        f"/risks?without_routine=1&min_score={p.get('threshold', 10)}",
        _("Se risikoene uten rutine"),
    )


def _risk_assessment_overdue(f: Finding) -> Words:
    return Words(
        _("Risikoer som skal vurderes på nytt"),
        ngettext(
            "%(num)s av %(total)s risikoer er ikke vurdert de siste 12 månedene.",
            "%(num)s av %(total)s risikoer er ikke vurdert de siste 12 månedene.",
            f.params.get("overdue", 0),
            total=f.params.get("risks"),
        )
        if f.is_gap
        else _("Alle risikoer er vurdert de siste 12 månedene."),
        "/risks?not_assessed=1",
        _("Se risikoene som skal vurderes"),
    )


def _risk_measures_overdue(f: Finding) -> Words:
    return Words(
        _("Tiltak i risikoregisteret på overtid"),
        ngettext(
            "%(num)s av %(planned)s risikoer med planlagte tiltak har tiltak som har "
            "passert fristen.",
            "%(num)s av %(planned)s risikoer med planlagte tiltak har tiltak som har "
            "passert fristen.",
            f.params.get("overdue", 0),
            planned=f.params.get("planned"),
        )
        if f.is_gap
        else _("Ingen planlagte tiltak i risikoregisteret har passert fristen."),
        "/risks?overdue_measures=1",
        _("Se risikoene med tiltak på overtid"),
    )


def _amu_report(f: Finding) -> Words:
    year = f.params.get("year")
    if f.is_gap:
        return Words(
            _("Årsrapport fra arbeidsmiljøutvalget"),
            _(
                "Arbeidsmiljøutvalget har ikke godkjent årsrapporten for %(year)s. Fristen "
                "var %(due)s.",
                year=year, due=format_date(f.params.get("due")),
            ),
            f"/amu/report/{year}",
            _("Skriv årsrapporten"),
        )  # fmt: skip
    return Words(
        _("Årsrapport fra arbeidsmiljøutvalget"),
        _("Årsrapporten for %(year)s er godkjent.", year=year),
        f"/amu/report/{year}",
        _("Se årsrapporten"),
    )


# Rule code (as the engine returns it) -> the function that words its finding.
WORDS: dict[str, Callable[[Finding], Words]] = {
    "aml-6-1.safety-rep": _safety_rep,
    "aml-6-1.safety-rep-agreement": _safety_rep_agreement,
    "aml-6-1.safety-rep-missing": _safety_rep_missing,
    "aml-6-1.chief-safety-rep": _chief_safety_rep,
    "aml-6-1.safety-areas": _safety_areas,
    "aml-7-1.amu-missing": _amu_missing,
    "aml-7-1.amu-may-be-demanded": _amu_may_be_demanded,
    "aml-7-1.amu": _amu,
    "aml-7-1.amu-sides-equal": _amu_sides_equal,
    "aml-7-1.amu-deputies-equal": _amu_sides_equal,
    "aml-7-1.amu-employer-top-management": _amu_employer_top_management,
    "aml-7-1.amu-safety-rep-member": _amu_safety_rep_member,
    "aml-7-1.amu-ohs-member": _amu_ohs_member,
    "aml-7-1.amu-chair-missing": _amu_chair_missing,
    "aml-7-1.amu-chair-same-side": _amu_chair_same_side,
    "aml-7-1.amu-chair-not-eligible": _amu_chair_not_eligible,
    "aml-7-1.amu-chair-too-long": _amu_chair_too_long,
    "aml-7-1.amu-chair": _amu_chair,
    "aml-7-2.amu-report": _amu_report,
    "forskrift-3-4.term-expired": _term_expired,
    "training.required": _training_required,
    "aml-5-2.serious-injury-notification": _serious_injury_notification,
    "ik-5-7.deviations-overdue": _deviations_overdue,
    "ik-5-7.deviations-unhandled": _deviations_unhandled,
    "routines.review-overdue": _routine_review_overdue,
    "aml-2a-6.whistleblowing-routine": _whistleblowing_routine,
    "ik-5-6.high-risk-without-routine": _high_risk_without_routine,
    "ik-5-6.risk-assessment-overdue": _risk_assessment_overdue,
    "ik-5-6.risk-measures-overdue": _risk_measures_overdue,
}


def present(finding: Finding) -> Presented:
    """The finding in words, looked up by its rule code in `WORDS`."""
    word = WORDS.get(finding.rule)
    if word is None:  # a rule without words yet still shows, never silently
        return Presented(finding, finding.rule, "", None, None)
    words = word(finding)
    return Presented(finding, words.title, words.explanation, words.fix_url, words.fix_label)


def legal_basis_linked(finding: Finding) -> Markup:
    """The legal basis with the laws named in full and linked to Lovdata, or that the
    requirement is the company's own choice."""
    if not finding.legal_basis:
        return Markup(escape(_("bedriftens eget krav")))
    return legal_reference(finding.legal_basis)


# The duties that cannot wait come first (a serious injury is notified at once, AML § 5-2;
# cases past their deadline and cases nobody took up), then the rest in the engine's order.
URGENT_RULES = (
    "aml-5-2.serious-injury-notification",
    "ik-5-7.deviations-overdue",
    "ik-5-7.deviations-unhandled",
)


def urgency(finding: Finding) -> int:
    """Lower first: the urgent rules in their order, then every other rule."""
    return URGENT_RULES.index(finding.rule) if finding.rule in URGENT_RULES else len(URGENT_RULES)


def training_table(
    rows: Iterable[TrainingStatus], extra: tuple[str, Callable[[TrainingStatus], str]] | None = None
) -> tuple[list[str], list[list[str]]]:
    """The training overview as a table for export (/training/export.csv, the inspection
    pack): a header and one row per person and course; `extra` adds a column."""
    header = [
        _("Navn"), _("Kurs"), _("Verv"), _("Status"), _("Timer fullført"), _("Timer kreves"),
        _("Fullført"), _("Utløper"), _("Frist"), _("Hjemmel"),
    ]  # fmt: skip
    if extra:
        header.append(extra[0])
    cells = []
    for r in rows:
        row = [
            r.person_name,
            r.course_name,
            ", ".join(reason_label(x) for x in r.reasons),
            status_label(r.status),
            str(r.hours_done).replace(".", ","),
            str(r.required_hours).replace(".", ","),
            r.completed_on.isoformat() if r.completed_on else "",
            r.expires_on.isoformat() if r.expires_on else "",
            r.due_on.isoformat() if r.due_on else "",
            r.legal_basis,
        ]
        if extra:
            row.append(extra[1](r))
        cells.append(row)
    return header, cells


def helpers() -> dict[str, Any]:
    """The functions templates use to show training statuses."""
    return {
        "status_label": status_label,
        "status_colour": status_colour,
        "reason_label": reason_label,
        "training_note": training_note,
    }
