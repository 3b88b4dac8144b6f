"""The risk register's rules as pure functions at their boundaries: a high risk needs a
routine in force (threshold a setting, 10 by default; a draft or archived routine does not
count), and a risk is assessed again within 12 months (the day 12 months later is in
time, the day after is not). Archived risks are not facts at all (the loader leaves them
out; see tests/risks/test_rules_and_facts.py)."""

from __future__ import annotations

from datetime import date, timedelta

from hms_tracker.rules.engine import (
    Facts,
    RiskFact,
    RoutineFact,
    evaluate,
    is_assessment_overdue,
    risk_assessment_due,
)
from hms_tracker.rules.findings import Status
from hms_tracker.rules.settings import RuleSettings

DAY = date(2026, 11, 25)
HIGH = "ik-5-6.high-risk-without-routine"
ASSESS = "ik-5-6.risk-assessment-overdue"


def risk(rid=1, title="Sveising", score=10, assessed=DAY, routines=()):
    return RiskFact(rid, title, score, assessed, frozenset(routines))


def in_force(rid=7, title="Varme arbeider"):
    return RoutineFact(rid, title, DAY - timedelta(days=10), 12)


def finding(facts: Facts, day: date, rule: str, settings: RuleSettings | None = None):
    found = [f for f in evaluate(facts, day, settings).findings if f.rule == rule]
    assert len(found) <= 1
    return found[0] if found else None


def test_score_10_without_routine_is_a_gap_and_9_is_not_counted():
    gap = finding(Facts(risks=(risk(score=10),)), DAY, HIGH)
    assert gap.status is Status.gap
    assert [(r.kind, r.id, r.label) for r in gap.evidence] == [("risk", 1, "Sveising")]
    assert gap.params == {"missing": 1, "high": 1, "threshold": 10}
    assert finding(Facts(risks=(risk(score=9),)), DAY, HIGH) is None


def test_the_threshold_is_a_setting():
    facts = Facts(risks=(risk(score=9),))
    lowered = finding(facts, DAY, HIGH, RuleSettings(risk_routine_min_score=9))
    assert lowered.status is Status.gap and lowered.params["threshold"] == 9
    raised = RuleSettings(risk_routine_min_score=11)
    assert finding(Facts(risks=(risk(score=10),)), DAY, HIGH, raised) is None
    assert (
        RuleSettings.from_values({"rules.risk_routine_min_score": "12"}).risk_routine_min_score
        == 12
    )


def test_a_linked_routine_in_force_closes_the_gap_a_draft_or_archived_one_does_not():
    # Routine 7 is in force (it is among the routine facts); 8 is linked but only a draft
    # or archived (the loader gives only routines in force).
    ok = finding(Facts(risks=(risk(routines={7}),), routines=(in_force(7),)), DAY, HIGH)
    assert ok.status is Status.ok and ok.evidence == ()
    draft_only = finding(Facts(risks=(risk(routines={8}),), routines=(in_force(7),)), DAY, HIGH)
    assert draft_only.status is Status.gap


def test_gaps_are_listed_highest_score_first():
    facts = Facts(
        risks=(
            risk(1, "B", score=12),
            risk(2, "A", score=20),
            risk(3, "C", score=12, routines={7}),
        ),
        routines=(in_force(7),),
    )
    result = finding(facts, DAY, HIGH)
    assert [r.label for r in result.evidence] == ["A", "B"]
    assert result.params == {"missing": 2, "high": 3, "threshold": 10}


def test_assessed_exactly_12_months_ago_is_in_time_one_day_more_is_a_gap():
    assessed = date(2025, 11, 25)
    assert risk_assessment_due(assessed) == DAY
    assert finding(Facts(risks=(risk(assessed=assessed),)), DAY, ASSESS).status is Status.ok
    late = finding(Facts(risks=(risk(assessed=assessed),)), DAY + timedelta(days=1), ASSESS)
    assert late.status is Status.gap
    assert late.params == {"overdue": 1, "risks": 1}
    assert [r.id for r in late.evidence] == [1]


def test_assessment_due_at_month_ends():
    assert risk_assessment_due(date(2024, 2, 29)) == date(2025, 2, 28)
    assert not is_assessment_overdue(date(2024, 2, 29), date(2025, 2, 28))
    assert is_assessment_overdue(date(2024, 2, 29), date(2025, 3, 1))


def test_no_risks_no_findings():
    assert finding(Facts(), DAY, HIGH) is None
    assert finding(Facts(), DAY, ASSESS) is None


MEASURES = "ik-5-6.risk-measures-overdue"


def test_a_planned_measure_is_overdue_the_day_after_its_deadline():
    due_today = RiskFact(1, "Sveising", 12, DAY, measure_deadlines=(DAY,))
    facts = Facts(risks=(due_today, risk(rid=2, title="Uten tiltak")))
    on_time = finding(facts, DAY, MEASURES)
    assert on_time.status is Status.ok and on_time.evidence == ()
    assert on_time.params == {"overdue": 0, "planned": 1, "measures": 0}
    late = finding(facts, DAY + timedelta(days=1), MEASURES)
    assert late.status is Status.gap
    assert late.legal_basis == "internkontrollforskriften § 5 nr. 6"
    assert [(r.kind, r.id, r.label) for r in late.evidence] == [("risk", 1, "Sveising")]
    assert late.params == {"overdue": 1, "planned": 1, "measures": 1}


def test_the_oldest_overdue_measure_comes_first_and_risks_without_open_measures_give_none():
    older = RiskFact(1, "B", 6, DAY, measure_deadlines=(DAY - timedelta(days=9), DAY))
    newer = RiskFact(2, "A", 6, DAY, measure_deadlines=(DAY - timedelta(days=1),))
    gap = finding(Facts(risks=(newer, older)), DAY, MEASURES)
    assert [r.id for r in gap.evidence] == [1, 2]
    assert gap.params == {"overdue": 2, "planned": 2, "measures": 2}
    assert finding(Facts(risks=(risk(),)), DAY, MEASURES) is None
    assert finding(Facts(), DAY, MEASURES) is None
