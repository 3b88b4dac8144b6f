"""The rule engine's findings in words: titles, explanations and where to fix them.

The engine returns rule codes and parameters; this module is the one place that turns
them into text in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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


def present(finding: Finding) -> Presented:  # noqa: C901  (one branch per rule, on purpose)
    p = finding.params
    rule = finding.rule
    fix_url: str | None = None
    fix_label: str | None = None
    if rule == "aml-6-1.safety-rep":
        title = _("Bedriften har verneombud")
        explanation = _("Alle virksomheter skal ha verneombud.")
    elif rule == "aml-6-1.safety-rep-agreement":
        title = _("Skriftlig avtale om annen ordning enn verneombud")
        explanation = _(
            "Med færre enn 5 ansatte kan partene avtale en annen ordning. Avtalen gjelder til "
            "%(date)s (høyst to år).",
            date=format_date(p.get("valid_to")),
        )
        fix_url, fix_label = "/appointments/agreements", _("Se avtalene")
    elif rule == "aml-6-1.safety-rep-missing":
        title = _("Bedriften har ikke verneombud")
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
        fix_url, fix_label = "/appointments/new?kind=safety_rep", _("Registrer verneombud")
    elif rule == "aml-6-1.chief-safety-rep":
        title = _("Hovedverneombud")
        explanation = _(
            "Med mer enn ett verneombud skal ett av dem være hovedverneombud. Bedriften har "
            "%(n)s verneombud.",
            n=p.get("safety_reps"),
        )
        fix_url, fix_label = (
            "/appointments/new?kind=chief_safety_rep",
            _("Registrer hovedverneombud"),
        )
    elif rule == "aml-6-1.safety-areas":
        title = _("Verneområder")
        explanation = (
            _("Disse avdelingene hører ikke til noe verneombuds verneområde.")
            if finding.is_gap
            else _("Alle avdelinger hører til et verneområde.")
        )
        fix_url, fix_label = "/appointments?kind=safety_rep", _("Se verneombudene")
    elif rule == "aml-7-1.amu-missing":
        title = _("Bedriften skal ha arbeidsmiljøutvalg (AMU)")
        explanation = _(
            "I %(year)s hadde bedriften i gjennomsnitt %(avg)s ansatte med minst 20 timer i "
            "uka. Fra %(n)s skal det være AMU.",
            year=p.get("year"),
            avg=format_number(as_decimal(p["average"])),
            n=p.get("threshold"),
        )
        fix_url, fix_label = "/appointments/new?kind=amu_member", _("Registrer AMU-medlem")
    elif rule == "aml-7-1.amu-may-be-demanded":
        title = _("AMU kan kreves")
        explanation = _(
            "I %(year)s hadde bedriften i gjennomsnitt %(avg)s ansatte med minst 20 timer i "
            "uka. Fra %(n)s kan en av partene kreve at det opprettes AMU.",
            year=p.get("year"),
            avg=format_number(as_decimal(p["average"])),
            n=p.get("threshold"),
        )
    elif rule == "aml-7-1.amu":
        title = _("Arbeidsmiljøutvalg (AMU)")
        explanation = _(
            "Bedriften har AMU med %(n)s medlemmer og varamedlemmer.", n=len(finding.evidence)
        )
    elif rule in ("aml-7-1.amu-sides-equal", "aml-7-1.amu-deputies-equal"):
        deputies = rule.endswith("deputies-equal")
        title = (
            _("Like mange varamedlemmer fra hver side")
            if deputies
            else _("Like mange medlemmer fra hver side")
        )
        explanation = _(
            "Arbeidsgiversiden: %(employer)s. Arbeidstakersiden: %(employee)s.",
            employer=p.get("employer"),
            employee=p.get("employee"),
        )
        fix_url, fix_label = "/appointments?kind=amu_member", _("Se AMU-medlemmene")
    elif rule == "aml-7-1.amu-employer-top-management":
        title = _("Arbeidsgiver eller toppledelsen i AMU")
        explanation = (
            _("Ingen på arbeidsgiversiden er daglig leder eller leder en avdeling på øverste nivå.")
            if finding.is_gap
            else _("Arbeidsgiver eller toppledelsen sitter i AMU.")
        )
        fix_url, fix_label = "/appointments?kind=amu_member", _("Se AMU-medlemmene")
    elif rule == "aml-7-1.amu-safety-rep-member":
        title = _("Hovedverneombudet i AMU") if p.get("chief") else _("Verneombudet i AMU")
        explanation = _(
            "Hovedverneombudet (eller det eneste verneombudet) skal være ett av "
            "arbeidstakersidens medlemmer."
        )
        fix_url, fix_label = "/appointments/new?kind=amu_member", _("Registrer AMU-medlem")
    elif rule == "aml-7-1.amu-ohs-member":
        title = _("Bedriftshelsetjenesten i AMU")
        explanation = _("Bedriftshelsetjenesten skal være representert i AMU, uten stemmerett.")
        fix_url, fix_label = "/appointments/new?kind=amu_member", _("Registrer AMU-medlem")
    elif rule == "aml-7-1.amu-chair-missing":
        title = _("AMU har ingen leder")
        explanation = _("AMU skal ha en leder, valgt for ett år om gangen.")
        fix_url, fix_label = "/appointments?kind=amu_member", _("Se AMU-medlemmene")
    elif rule == "aml-7-1.amu-chair-same-side":
        title = _("AMU-leder fra samme side to år på rad")
        explanation = _(
            "Ledervervet skal gå på omgang mellom partene. Både nåværende og forrige leder er "
            "fra %(side)s.",
            side=_side(p),
        )
        fix_url, fix_label = "/appointments?kind=amu_member", _("Se AMU-medlemmene")
    elif rule == "aml-7-1.amu-chair-not-eligible":
        title = _("AMU-lederen kan ikke være leder")
        explanation = _(
            "Lederen velges blant de faste medlemmene fra arbeidsgiversiden eller "
            "arbeidstakersiden, ikke blant varamedlemmer eller bedriftshelsetjenesten."
        )
        fix_url, fix_label = "/appointments?kind=amu_member", _("Se AMU-medlemmene")
    elif rule == "aml-7-1.amu-chair-too-long":
        title = _("AMU-leder valgt for mer enn ett år")
        explanation = _(
            "Lederen velges for ett år om gangen. Dette ledervervet varer til %(date)s.",
            date=format_date(p.get("until")),
        )
        fix_url, fix_label = "/appointments?kind=amu_member", _("Se AMU-medlemmene")
    elif rule == "aml-7-1.amu-chair":
        title = _("AMU-leder")
        explanation = _(
            "Lederen er fra %(side)s, valgt til %(date)s.",
            side=_side(p),
            date=format_date(p.get("until")),
        )
    elif rule == "forskrift-3-4.term-expired":
        title = _("Verv med utløpt valgperiode")
        explanation = (
            _("Valgperioden er over, og vervet er verken fornyet eller avsluttet.")
            if finding.is_gap
            else _("Ingen verv har utløpt valgperiode uten å være fornyet eller avsluttet.")
        )
        fix_url, fix_label = "/appointments", _("Se vervene")
    elif rule == "training.required":
        title = _("Opplæring: %(course)s", course=p.get("course"))
        explanation = _(
            "%(lacking)s av %(required)s som skal ha kurset, mangler det eller har det utløpt.",
            lacking=p.get("lacking"),
            required=p.get("required"),
        )
        fix_url = f"/training?course={p.get('course_id')}"
        fix_label = _("Se opplæringsoversikten")
    elif rule == "aml-5-2.serious-injury-notification":
        title = _("Varsling av alvorlig personskade")
        explanation = (
            ngettext(
                "%(num)s alvorlig personskade er ikke registrert varslet til Arbeidstilsynet "
                "og politiet. Varsling skal skje straks.",
                "%(num)s alvorlige personskader er ikke registrert varslet til Arbeidstilsynet "
                "og politiet. Varsling skal skje straks.",
                p.get("waiting", 0),
            )
            if finding.is_gap
            else _("Alle alvorlige personskader er registrert varslet.")
        )
        fix_url, fix_label = "/deviations?category=personal_injury", _("Se personskadene")
    elif rule == "ik-5-7.deviations-overdue":
        title = _("Avvik og tiltak på overtid")
        explanation = (
            ngettext(
                "%(num)s av %(open)s åpne avvik har passert fristen, eller har tiltak som har "
                "passert fristen.",
                "%(num)s av %(open)s åpne avvik har passert fristen, eller har tiltak som har "
                "passert fristen.",
                p.get("overdue", 0),
                open=p.get("open"),
            )
            if finding.is_gap
            else _("Ingen åpne avvik eller tiltak har passert fristen.")
        )
        fix_url, fix_label = "/deviations?overdue=1", _("Se avvikene på overtid")
    elif rule == "ik-5-7.deviations-unhandled":
        title = _("Avvik som ikke er tatt til behandling")
        explanation = (
            ngettext(
                "%(num)s avvik har ikke fått ansvarlig og frist %(days)s dager etter at det ble "
                "meldt.",
                "%(num)s avvik har ikke fått ansvarlig og frist %(days)s dager etter at de ble "
                "meldt.",
                p.get("waiting", 0),
                days=p.get("days"),
            )
            if finding.is_gap
            else _("Alle meldte avvik har fått ansvarlig og frist i tide.")
        )
        fix_url, fix_label = (
            "/deviations?status=registered&sort=oldest",
            _("Se avvikene som venter"),
        )
    elif rule == "routines.review-overdue":
        title = _("Rutiner som skal gjennomgås")
        explanation = (
            ngettext(
                "%(num)s av %(total)s rutiner har passert datoen for gjennomgang.",
                "%(num)s av %(total)s rutiner har passert datoen for gjennomgang.",
                p.get("overdue", 0),
                total=p.get("routines"),
            )
            if finding.is_gap
            else _("Alle gjeldende rutiner er gjennomgått i tide.")
        )
        fix_url, fix_label = "/routines?overdue=1", _("Se rutinene som skal gjennomgås")
    elif rule == "aml-2a-6.whistleblowing-routine":
        title = _("Rutine for varsling")
        if finding.is_gap:
            explanation = _(
                "Virksomheter med minst %(threshold)s ansatte skal ha skriftlige rutiner for "
                "varsling. Bedriften har %(n)s ansatte, men ingen gjeldende rutine merket "
                "«varsling» som gjelder hele virksomheten.",
                threshold=p.get("threshold"),
                n=p.get("employees"),
            )
            fix_url, fix_label = "/routines/new", _("Skriv rutine for varsling")
        else:
            explanation = _("Bedriften har en gjeldende rutine for varsling.")
            fix_url, fix_label = "/routines?tag=varsling", _("Se rutinen")
    elif rule == "ik-5-6.high-risk-without-routine":
        title = _("Høy risiko uten rutine")
        explanation = (
            ngettext(
                "%(num)s av %(high)s risikoer med risikotall %(threshold)s eller mer har ingen "
                "gjeldende rutine som styrer dem.",
                "%(num)s av %(high)s risikoer med risikotall %(threshold)s eller mer har ingen "
                "gjeldende rutine som styrer dem.",
                p.get("missing", 0),
                high=p.get("high"),
                threshold=p.get("threshold"),
            )
            if finding.is_gap
            else _(
                "Alle risikoer med risikotall %(threshold)s eller mer har en gjeldende rutine.",
                threshold=p.get("threshold"),
            )
        )
        fix_url = f"/risks?without_routine=1&min_score={p.get('threshold', 10)}"
        fix_label = _("Se risikoene uten rutine")
    elif rule == "ik-5-6.risk-assessment-overdue":
        title = _("Risikoer som skal vurderes på nytt")
        explanation = (
            ngettext(
                "%(num)s av %(total)s risikoer er ikke vurdert de siste 12 månedene.",
                "%(num)s av %(total)s risikoer er ikke vurdert de siste 12 månedene.",
                p.get("overdue", 0),
                total=p.get("risks"),
            )
            if finding.is_gap
            else _("Alle risikoer er vurdert de siste 12 månedene.")
        )
        fix_url, fix_label = "/risks?not_assessed=1", _("Se risikoene som skal vurderes")
    elif rule == "ik-5-6.risk-measures-overdue":
        title = _("Tiltak i risikoregisteret på overtid")
        explanation = (
            ngettext(
                "%(num)s av %(planned)s risikoer med planlagte tiltak har tiltak som har "
                "passert fristen.",
                "%(num)s av %(planned)s risikoer med planlagte tiltak har tiltak som har "
                "passert fristen.",
                p.get("overdue", 0),
                planned=p.get("planned"),
            )
            if finding.is_gap
            else _("Ingen planlagte tiltak i risikoregisteret har passert fristen.")
        )
        fix_url, fix_label = "/risks?overdue_measures=1", _("Se risikoene med tiltak på overtid")
    else:  # a rule without words yet still shows, never silently
        title = rule
        explanation = ""
    return Presented(finding, title, explanation, fix_url, fix_label)


def legal_basis(finding: Finding) -> str:
    """The legal basis, or that the requirement is the company's own choice."""
    return finding.legal_basis or _("bedriftens eget krav")


def helpers() -> dict[str, Any]:
    """The functions templates use to show training statuses."""
    return {
        "status_label": status_label,
        "status_colour": status_colour,
        "reason_label": reason_label,
        "training_note": training_note,
    }
