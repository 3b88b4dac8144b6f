"""The demo's risk register: one high risk without a routine, two not assessed in 12
months, an overdue planned measure, and a routine broken twice (highlighted)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from hms_tracker.demo.builder import build_demo
from hms_tracker.deviations import breaches
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.risks.models import Risk
from hms_tracker.routines.models import Routine
from hms_tracker.rules.facts import evaluate_on

DAY = date(2026, 11, 25)


def test_demo_risk_register(engine):
    build_demo(engine, today=DAY)
    with Session(engine) as session:
        assert len(session.exec(select(Risk)).all()) == 15
        findings = {f.rule: f for f in evaluate_on(session=session, day=DAY).findings}
        high = findings["ik-5-6.high-risk-without-routine"]
        assert [r.label for r in high.evidence] == ["Arbeid i trange rom (tanker og siloer)"]
        assert findings["ik-5-6.risk-assessment-overdue"].params["overdue"] == 2
        late = session.exec(
            select(CorrectiveAction).where(
                col(CorrectiveAction.risk_id).is_not(None),
                col(CorrectiveAction.done_on).is_(None),
                CorrectiveAction.deadline < DAY,
            )
        ).all()
        assert len(late) == 1
        repeated = breaches.repeated(breaches.breach_counts(session=session, today=DAY))
        assert {session.get(Routine, rid).title: n for rid, n in repeated.items()} == {
            "Varmt arbeid": 2
        }
