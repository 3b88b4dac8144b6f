"""The deviation rules as pure functions: AML § 5-2 notification of serious injuries, and
open deviations or actions past their deadline (internkontrollforskriften § 5 nr. 7)."""

from __future__ import annotations

from datetime import date, timedelta

from hms_tracker.rules.engine import DeviationFact, Facts, evaluate
from hms_tracker.rules.findings import Status

DAY = date(2026, 11, 25)
NOTIFY = "aml-5-2.serious-injury-notification"
OVERDUE = "ik-5-7.deviations-overdue"


def finding(facts: Facts, rule: str, day: date = DAY):
    found = [f for f in evaluate(facts, day).findings if f.rule == rule]
    assert len(found) <= 1
    return found[0] if found else None


def test_no_deviations_no_findings():
    assert finding(Facts(), NOTIFY) is None
    assert finding(Facts(), OVERDUE) is None


def test_serious_injury_is_a_gap_until_notified_even_when_closed():
    waiting = DeviationFact(1, "Fall fra stige", is_open=False, serious_injury=True)
    done = DeviationFact(2, "Klemskade", is_open=True, serious_injury=True, notified=True)
    gap = finding(Facts(deviations=(waiting, done)), NOTIFY)
    assert gap.status is Status.gap
    assert [r.id for r in gap.evidence] == [1]
    assert gap.params == {"waiting": 1, "serious": 2}
    ok = finding(Facts(deviations=(done,)), NOTIFY)
    assert ok.status is Status.ok and ok.evidence == ()


def test_overdue_deadline_boundary():
    due_today = DeviationFact(1, "A", is_open=True, deadline=DAY)
    assert finding(Facts(deviations=(due_today,)), OVERDUE).status is Status.ok
    late = finding(Facts(deviations=(due_today,)), OVERDUE, DAY + timedelta(days=1))
    assert late.status is Status.gap and [r.id for r in late.evidence] == [1]


def test_open_action_past_deadline_makes_the_deviation_overdue():
    action_late = DeviationFact(
        3,
        "B",
        is_open=True,
        deadline=DAY + timedelta(days=30),
        action_deadlines=(DAY - timedelta(days=1),),
    )
    closed = DeviationFact(4, "C", is_open=False, deadline=DAY - timedelta(days=100))
    f = finding(Facts(deviations=(action_late, closed)), OVERDUE)
    assert f.status is Status.gap
    assert [r.id for r in f.evidence] == [3]
    assert f.params == {"overdue": 1, "open": 1}


UNHANDLED = "ik-5-7.deviations-unhandled"


def test_unassigned_deviation_is_a_gap_the_day_after_the_limit():
    from hms_tracker.rules.settings import RuleSettings

    waiting = DeviationFact(
        7, "Ingen har sett på dette", is_open=True, registered_on=DAY - timedelta(days=7),
        unassigned=True,
    )  # fmt: skip
    assigned = DeviationFact(8, "Tildelt", is_open=True, registered_on=DAY - timedelta(days=30))
    facts = Facts(deviations=(waiting, assigned))
    assert finding(facts, UNHANDLED).status is Status.ok  # the 7th day: still in time
    late = finding(facts, UNHANDLED, DAY + timedelta(days=1))
    assert late.status is Status.gap and [r.id for r in late.evidence] == [7]
    strict = [
        f
        for f in evaluate(facts, DAY, RuleSettings(deviation_unhandled_days=3)).findings
        if f.rule == UNHANDLED
    ]
    assert strict[0].status is Status.gap and strict[0].params["days"] == 3
