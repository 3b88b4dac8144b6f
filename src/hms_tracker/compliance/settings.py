"""The company's settings for the rules: each threshold with the law's value as default."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from hms_tracker.errors import InvalidInput
from hms_tracker.organisation.models import CompanySetting
from hms_tracker.rules.facts import load_rule_settings
from hms_tracker.rules.settings import RuleSettings
from hms_tracker.web.i18n import _, lazy


@dataclass(frozen=True)
class SettingField:
    name: str
    label: str
    hint: str
    minimum: int
    maximum: int


# The settings whose default is a value the law fixes (RuleSettings' defaults; the others
# are the product's choices): where the law says so, and the rules that use it. A company
# may run with another value (a stricter one, or to see what a change would mean); the
# settings page warns when it is saved, and /gaps says so beside each rule it changes.
@dataclass(frozen=True)
class LawValue:
    value: Decimal
    basis: str
    rules: tuple[str, ...]


_LAW = RuleSettings()
LAW_VALUES: dict[str, LawValue] = {
    name: LawValue(Decimal(getattr(_LAW, name)), basis, rules)
    for name, basis, rules in (
        ("safety_rep_min_employees", "AML § 6-1",
         ("aml-6-1.safety-rep", "aml-6-1.safety-rep-missing", "aml-6-1.safety-rep-agreement")),
        ("agreement_max_years", "AML § 6-1", ("aml-6-1.safety-rep-agreement",)),
        ("amu_required_from", "AML § 7-1",
         ("aml-7-1.amu", "aml-7-1.amu-missing", "aml-7-1.amu-may-be-demanded")),
        ("amu_may_be_demanded_from", "AML § 7-1", ("aml-7-1.amu-may-be-demanded",)),
        ("amu_min_weekly_hours", "forskrift § 3-7",
         ("aml-7-1.amu", "aml-7-1.amu-missing", "aml-7-1.amu-may-be-demanded")),
        ("whistleblowing_min_employees", "AML § 2A-6", ("aml-2a-6.whistleblowing-routine",)),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Departure:
    """A setting in force that is not the law's value."""

    name: str
    label: str
    value: Decimal
    law: LawValue


def departures(settings: RuleSettings) -> list[Departure]:
    """The settings in force that depart from the law's value."""
    labels = {f.name: f.label for f in FIELDS}
    found = []
    for name, law in LAW_VALUES.items():
        value = Decimal(getattr(settings, name))
        if value != law.value:
            found.append(Departure(name, _(labels[name]), value, law))
    return found


def departures_by_rule(settings: RuleSettings) -> dict[str, list[Departure]]:
    """For each rule, the settings departing from the law that it runs with."""
    by_rule: dict[str, list[Departure]] = {}
    for d in departures(settings):
        for rule in d.law.rules:
            by_rule.setdefault(rule, []).append(d)
    return by_rule


FIELDS = (
    SettingField(
        "safety_rep_min_employees",
        lazy("Verneombud: grense for avtale om annen ordning"),
        lazy("Under dette antallet ansatte kan partene avtale en annen ordning (AML § 6-1)."),
        1,
        1000,
    ),
    SettingField(
        "amu_required_from",
        lazy("AMU kreves fra (gjennomsnittlig antall ansatte)"),
        lazy("AML § 7-1 og forskrift § 3-7."),
        1,
        10000,
    ),
    SettingField(
        "amu_may_be_demanded_from",
        lazy("AMU kan kreves fra"),
        lazy("En av partene kan kreve AMU fra dette antallet."),
        1,
        10000,
    ),
    SettingField(
        "amu_min_weekly_hours",
        lazy("Timer per uke for å telle med i AMU-grensen"),
        lazy("De som arbeider minst så mange timer i uka, telles."),
        0,
        100,
    ),
    SettingField(
        "agreement_max_years",
        lazy("Lengste varighet for avtale om annen ordning (år)"),
        lazy("AML § 6-1."),
        1,
        10,
    ),
    SettingField(
        "grace_months",
        lazy("Frist for opplæring etter at vervet starter (måneder)"),
        lazy("I denne perioden vises personen som «innenfor frist», ikke som mangel."),
        0,
        60,
    ),
    SettingField(
        "expiring_days",
        lazy("Varsle før et kurs utløper (dager)"),
        lazy("Kurs som utløper innen så mange dager, vises som «utløper snart»."),
        1,
        365,
    ),
    SettingField(
        "whistleblowing_min_employees",
        lazy("Rutine for varsling kreves fra (antall ansatte)"),
        lazy("Virksomheter med minst så mange ansatte skal ha rutiner for varsling (AML § 2A-6)."),
        1,
        1000,
    ),
    SettingField(
        "deviation_unhandled_days",
        lazy("Dager før et meldt avvik skal ha ansvarlig og frist"),
        lazy("Et avvik som ikke er tildelt etter så mange dager, vises som mangel."),
        1,
        90,
    ),
    SettingField(
        "risk_routine_min_score",
        lazy("Risikotall som krever en gjeldende rutine"),
        lazy(
            "En risiko med minst dette risikotallet (konsekvens × sannsynlighet, 1–25) uten "
            "en gjeldende rutine vises som mangel."
        ),
        1,
        25,
    ),
)


def current(*, session: Session) -> RuleSettings:
    """The thresholds in force (read where the rule engine reads them)."""
    return load_rule_settings(session=session)


def save(*, session: Session, values: dict[str, str]) -> RuleSettings:
    """Validate and store every field; an empty field goes back to the law's value."""
    errors: dict[str, str] = {}
    parsed: dict[str, str | None] = {}
    for f in FIELDS:
        raw = (values.get(f.name) or "").strip().replace(",", ".")
        if not raw:
            parsed[f.name] = None
            continue
        try:
            number = Decimal(raw) if raw.isascii() else Decimal("NaN")  # not "٣"
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            errors[f.name] = _("Skriv et tall.")
            continue
        if number != number.to_integral_value() and f.name != "amu_min_weekly_hours":
            errors[f.name] = _("Skriv et helt tall.")
        elif not f.minimum <= number <= f.maximum:
            errors[f.name] = _(
                "Tallet må være mellom %(min)s og %(max)s.", min=f.minimum, max=f.maximum
            )
        else:
            parsed[f.name] = (
                str(number.normalize()) if f.name == "amu_min_weekly_hours" else str(int(number))
            )
    demanded, required = parsed.get("amu_may_be_demanded_from"), parsed.get("amu_required_from")
    defaults = RuleSettings()
    if not errors and int(demanded or defaults.amu_may_be_demanded_from) > int(
        required or defaults.amu_required_from
    ):
        errors["amu_may_be_demanded_from"] = _(
            "Grensen for når AMU kan kreves, kan ikke være høyere enn grensen for når AMU kreves."
        )
    if errors:
        raise InvalidInput(errors)
    for name, value in parsed.items():
        key = f"rules.{name}"
        row = session.get(CompanySetting, key)
        if value is None:
            if row is not None:
                row.value = ""
                session.add(row)
        elif row is None:
            session.add(CompanySetting(key=key, value=value))
        elif row.value != value:
            row.value = value
            session.add(row)
    session.flush()
    return current(session=session)


# The thresholds the law itself sets (AML §§ 6-1, 7-1, 2A-6): their default is "the law's
# value". The others (training grace period, "utløper snart", the risk score that needs a
# routine, ...) are the product's defaults, not the law's.
SET_BY_LAW = frozenset(LAW_VALUES)


def law_defaults() -> dict[str, object]:
    defaults = RuleSettings()
    return {f.name: getattr(defaults, f.name) for f in fields(defaults)}
