"""The 5 × 5 risk scale shared by deviations and the risk register: consequence and
probability from 1 to 5 with plain-language labels, score = consequence × probability,
and the level (with a colour used only as a help beside the text)."""

from __future__ import annotations

from dataclasses import dataclass

from hms_tracker.translation import _, lazy

SCALE = (1, 2, 3, 4, 5)

CONSEQUENCE_LABELS: dict[int, tuple[str, str]] = {
    1: (lazy("Ubetydelig"), lazy("ingen skade eller fravær")),
    2: (lazy("Liten"), lazy("førstehjelp, kort ubehag, liten materiell skade")),
    3: (lazy("Moderat"), lazy("skade som trenger behandling eller gir kort fravær")),
    4: (lazy("Alvorlig"), lazy("alvorlig skade, langt fravær, stor materiell skade")),
    5: (lazy("Svært alvorlig"), lazy("død eller varig mén")),
}

PROBABILITY_LABELS: dict[int, tuple[str, str]] = {
    1: (lazy("Svært lite sannsynlig"), lazy("sjeldnere enn hvert tiende år")),
    2: (lazy("Lite sannsynlig"), lazy("noen ganger på ti år")),
    3: (lazy("Mulig"), lazy("omtrent en gang i året")),
    4: (lazy("Sannsynlig"), lazy("flere ganger i året")),
    5: (lazy("Svært sannsynlig"), lazy("månedlig eller oftere")),
}


@dataclass(frozen=True)
class RiskLevel:
    code: str  # low / medium / high / critical
    label: str
    color: str  # a Designsystemet colour name, only ever shown beside the label


_LEVELS = {
    "low": (lazy("Lav risiko"), "success"),
    "medium": (lazy("Middels risiko"), "warning"),
    "high": (lazy("Høy risiko"), "danger"),
    "critical": (lazy("Svært høy risiko"), "danger"),
}


def level_code(score: int) -> str:
    """1–4 low, 5–9 medium, 10–14 high, 15–25 critical."""
    if score >= 15:
        return "critical"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


def risk_level(score: int) -> RiskLevel:
    code = level_code(score)
    label, color = _LEVELS[code]
    return RiskLevel(code=code, label=_(label), color=color)


def level_options() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, (label, _c) in _LEVELS.items()]


LEVEL_RANGES = {"low": (1, 4), "medium": (5, 9), "high": (10, 14), "critical": (15, 25)}


def consequence_options() -> list[tuple[int, str, str]]:
    return [(n, _(name), _(hint)) for n, (name, hint) in CONSEQUENCE_LABELS.items()]


def probability_options() -> list[tuple[int, str, str]]:
    return [(n, _(name), _(hint)) for n, (name, hint) in PROBABILITY_LABELS.items()]


def consequence_label(value: int) -> str:
    return _(CONSEQUENCE_LABELS[value][0]) if value in CONSEQUENCE_LABELS else str(value)


def probability_label(value: int) -> str:
    return _(PROBABILITY_LABELS[value][0]) if value in PROBABILITY_LABELS else str(value)
