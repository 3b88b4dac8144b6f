"""The thresholds the rules use; each is a company setting, defaulting to the law's value
(the law as changed on 1 January 2024)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RuleSettings:
    safety_rep_min_employees: int = 5  # below this, a written agreement may replace the VO
    amu_required_from: int = 30  # average employees last calendar year (AML § 7-1)
    amu_may_be_demanded_from: int = 10
    amu_min_weekly_hours: Decimal = Decimal(20)
    agreement_max_years: int = 2
    grace_months: int = 6  # training may wait this long after the appointment starts
    expiring_days: int = 60  # warn this many days before a course expires
    ending_soon_days: int = 60
    whistleblowing_min_employees: int = 5  # a whistleblowing routine from here (AML § 2A-6)
    deviation_unhandled_days: int = 7  # a reported deviation is assigned within this
    risk_routine_min_score: int = 10  # a risk scored this high needs a routine in force

    @classmethod
    def from_values(cls, values: dict[str, str]) -> RuleSettings:
        """Settings from stored strings (CompanySetting rows named `rules.<field>`)."""
        defaults = cls()
        kwargs: dict[str, object] = {}
        for name, default in defaults.__dict__.items():
            raw = values.get(f"rules.{name}")
            if raw is None or raw == "":
                continue
            try:
                kwargs[name] = Decimal(raw) if isinstance(default, Decimal) else int(raw)
            except (ValueError, ArithmeticError):
                continue
        return cls(**kwargs)
