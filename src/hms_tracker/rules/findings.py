"""The rule engine's vocabulary: statuses, references to records, findings.

Rules return codes and parameters, never sentences: the pages translate them, so the
engine stays free of the web and of any language."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    ok = "ok"
    in_grace = "in_grace"  # appointed less than the grace period ago, not yet trained
    expiring = "expiring"  # valid, but expires within the warning period
    missing = "missing"  # required and not completed (grace period over)
    expired = "expired"  # completed once, validity has run out
    gap = "gap"  # a company-wide rule is broken
    notice = "notice"  # not a breach, but something to know (e.g. AMU may be demanded)


GAP_STATUSES = frozenset({Status.missing, Status.expired, Status.gap})


@dataclass(frozen=True)
class Ref:
    """A record that proves a finding: what kind of record, its id, and a label."""

    kind: str  # "person", "appointment", "department", "agreement", "course_type"
    id: int | None
    label: str


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. "aml-6-1.safety-rep-missing"
    status: Status
    legal_basis: str  # e.g. "AML § 6-1"
    evidence: tuple[Ref, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def is_gap(self) -> bool:
        return self.status in GAP_STATUSES
