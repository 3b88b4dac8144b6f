"""The routine rules as pure functions at their boundaries: review date (due on the day is
in time, the day after is overdue) and the whistleblowing routine of AML § 2A-6."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hms_tracker.rules.engine import (
    Facts,
    RoutineFact,
    evaluate,
    is_review_overdue,
    routine_review_due,
)
from hms_tracker.rules.findings import Status
from hms_tracker.rules.headcount import Employment
from hms_tracker.rules.settings import RuleSettings

DAY = date(2026, 11, 25)


def staff(
    n: int, start: date = date(2020, 1, 1), end: date | None = None
) -> tuple[Employment, ...]:
    return tuple(Employment(i + 1, start, end, Decimal("37.5")) for i in range(n))


def routine(rid=1, title="Brann", reviewed_on=date(2025, 11, 25), months=12, tags=()):
    return RoutineFact(rid, title, reviewed_on, months, frozenset(tags))


def finding(facts: Facts, day: date, rule: str, settings: RuleSettings | None = None):
    found = [f for f in evaluate(facts, day, settings).findings if f.rule == rule]
    assert len(found) <= 1
    return found[0] if found else None


REVIEW = "routines.review-overdue"
WHISTLE = "aml-2a-6.whistleblowing-routine"


def test_review_due_on_the_day_is_not_overdue_the_day_after_is():
    r = routine(reviewed_on=date(2025, 11, 25), months=12)
    due = date(2026, 11, 25)
    assert r.review_due_on == due
    assert finding(Facts(routines=(r,)), due, REVIEW).status is Status.ok
    assert finding(Facts(routines=(r,)), due - timedelta(days=1), REVIEW).status is Status.ok
    late = finding(Facts(routines=(r,)), due + timedelta(days=1), REVIEW)
    assert late.status is Status.gap
    assert [(ref.kind, ref.id, ref.label) for ref in late.evidence] == [("routine", 1, "Brann")]
    assert late.params == {"routines": 1, "overdue": 1}


def test_review_interval_counts_months_and_month_ends():
    # 31 August + 6 months is the last day of February.
    assert routine_review_due(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert not is_review_overdue(date(2025, 8, 31), 6, date(2026, 2, 28))
    assert is_review_overdue(date(2025, 8, 31), 6, date(2026, 3, 1))
    assert routine_review_due(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_only_overdue_routines_are_evidence_oldest_first():
    facts = Facts(
        routines=(
            routine(1, "Fersk", reviewed_on=DAY - timedelta(days=10)),
            routine(2, "Gammel", reviewed_on=date(2023, 1, 1)),
            routine(3, "Eldre", reviewed_on=date(2022, 6, 1)),
            routine(4, "Kort intervall", reviewed_on=date(2026, 6, 1), months=6),
        )
    )
    result = finding(facts, DAY, REVIEW)
    assert result.status is Status.gap
    assert [ref.label for ref in result.evidence] == ["Eldre", "Gammel"]
    assert result.params == {"routines": 4, "overdue": 2}


def test_no_routines_gives_no_review_finding():
    assert finding(Facts(), DAY, REVIEW) is None


@given(
    reviewed=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    months=st.integers(min_value=1, max_value=120),
)
def test_overdue_exactly_from_the_day_after_the_due_date(reviewed, months):
    due = routine_review_due(reviewed, months)
    assert due > reviewed
    assert not is_review_overdue(reviewed, months, due)
    assert is_review_overdue(reviewed, months, due + timedelta(days=1))


def test_whistleblowing_routine_is_required_from_five_employees():
    assert finding(Facts(employments=staff(4)), DAY, WHISTLE) is None
    gap = finding(Facts(employments=staff(5)), DAY, WHISTLE)
    assert gap.status is Status.gap
    assert gap.params == {"employees": 5, "threshold": 5}
    assert gap.legal_basis == "AML § 2A-6"


def test_whistleblowing_counts_everyone_employed_today_like_the_safety_rep_rule():
    # Part-time and hired-in count; people who left do not.
    employments = (
        Employment(1, date(2020, 1, 1), None, Decimal("10"), "temporary"),
        Employment(2, date(2020, 1, 1), None, Decimal("37.5"), "hired_in"),
        Employment(3, date(2020, 1, 1), None, Decimal("37.5")),
        Employment(4, date(2020, 1, 1), None, Decimal("5")),
        Employment(5, date(2020, 1, 1), DAY - timedelta(days=1), Decimal("37.5")),
    )
    assert finding(Facts(employments=employments), DAY, WHISTLE) is None
    more = employments + (Employment(6, DAY, None, Decimal("20")),)
    assert finding(Facts(employments=more), DAY, WHISTLE).status is Status.gap


def test_a_routine_tagged_varsling_closes_the_gap():
    facts = Facts(
        employments=staff(12),
        routines=(routine(7, "Varsling av kritikkverdige forhold", tags=("varsling", "aml")),),
    )
    ok = finding(facts, DAY, WHISTLE)
    assert ok.status is Status.ok
    assert [ref.id for ref in ok.evidence] == [7]
    other = Facts(employments=staff(12), routines=(routine(8, "Brann", tags=("brann",)),))
    assert finding(other, DAY, WHISTLE).status is Status.gap


def test_a_varsling_routine_for_one_department_does_not_close_the_gap():
    department_only = RoutineFact(
        7, "Varsling i verkstedet", date(2026, 1, 1), 12, frozenset({"varsling"}), False
    )
    facts = Facts(employments=staff(12), routines=(department_only,))
    gap = finding(facts, DAY, WHISTLE)
    assert gap.status is Status.gap and gap.evidence == ()
    everyone = RoutineFact(8, "Varsling", date(2026, 1, 1), 12, frozenset({"varsling"}), True)
    both = Facts(employments=staff(12), routines=(department_only, everyone))
    ok = finding(both, DAY, WHISTLE)
    assert ok.status is Status.ok and [ref.id for ref in ok.evidence] == [8]


def test_whistleblowing_threshold_is_a_setting():
    settings = RuleSettings(whistleblowing_min_employees=10)
    assert finding(Facts(employments=staff(9)), DAY, WHISTLE, settings) is None
    assert finding(Facts(employments=staff(10)), DAY, WHISTLE, settings).status is Status.gap
