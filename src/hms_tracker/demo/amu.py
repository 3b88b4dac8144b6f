"""The demo's AMU year: four meetings of the last year, held, with their agenda,
attendance, minutes and decisions, approved by the chair of the day (one decision's action
still open, so it comes back on the next agenda), last year's approved annual report, and
the next meeting planned with the agenda the product proposes."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from hms_tracker.amu import meetings, overview, report
from hms_tracker.amu.forms import DecisionForm, MeetingForm, MinutesForm
from hms_tracker.amu.models import AmuAttendance, AmuReport
from hms_tracker.demo.builder import COORDINATOR_EMAIL, DemoCompany
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.web.i18n import OSLO

# Per meeting: days ago, the items (title, minutes), and the decision under the last item
# (text, action, owner's e-mail or None for the coordinator, days from the meeting to the
# deadline, done: days after the meeting, or None while open).
MEETINGS = [
    (330, [
        ("Avviksstatistikk for forrige kvartal",
         "Gjennomgått. Flest avvik i produksjonen, de fleste om orden og ryddighet."),
        ("Handlingsplan for HMS",
         "Utkastet ble gjennomgått punkt for punkt. Verneombudene ønsker vernerunder hver måned."),
    ], ("Utvalget slutter seg til handlingsplanen med månedlige vernerunder.",
        "Sette opp plan for månedlige vernerunder", None, 30, 20)),
    (240, [
        ("Opplæring av verneombud og AMU-medlemmer",
         "To har ikke fullført den lovpålagte opplæringen."),
        ("Vernerunde på lageret", "Gjennomgått funnene: merking av gangsoner mangler."),
    ], ("Nye verneombud og medlemmer meldes på 40-timerskurset før sommeren.",
        "Melde på de to som mangler opplæring", None, 45, 40)),
    (150, [
        ("Støy i produksjonshallen",
         "Flere melder om støy ved platesaksen. BHT anbefaler måling."),
    ], ("BHT måler støy ved platesaks og kantpresse.", "Bestille støymåling fra BHT", None, 30,
        25)),
    (60, [
        ("Sykefravær og ergonomi",
         "Fraværet er lavt, men lageret melder om tunge løft."),
    ], ("Tunge løft på lageret kartlegges, med forslag til tiltak til neste møte.",
        "Kartlegge tunge løft på lageret", "leder@example.com", 75, None)),
]  # fmt: skip


def build_amu(session: Session, *, company: DemoCompany, rng: random.Random) -> None:
    today = company.today
    coordinator = company.person(COORDINATOR_EMAIL)
    for days_ago, items, decision in MEETINGS:
        day = today - timedelta(days=days_ago)
        meeting = meetings.plan_meeting(
            session=session,
            data=MeetingForm(meets_on=day, starts_at=time(9), ends_at=time(11),
                             place="Møterommet i administrasjonsbygget"),
            today=today,
            proposals=[
                meetings.Proposal("Godkjenning av innkalling og saksliste", "", "manual", None),
                *(meetings.Proposal(title, "", "manual", None) for title, _m in items),
                meetings.Proposal("Eventuelt", "", "manual", None),
            ],
        )  # fmt: skip
        found, _horizon, _next, _last = overview.gather(session=session, day=day)
        meetings.mark_held(session=session, meeting=meeting, version=meeting.version,
                           gaps=overview.gap_keys(found), today=today)  # fmt: skip
        attendance = session.exec(
            select(AmuAttendance).where(AmuAttendance.meeting_id == meeting.id)
        ).all()
        absent = rng.choice(attendance).id
        meetings.record_attendance(
            session=session, meeting=meeting,
            present={a.id for a in attendance if a.id != absent},  # type: ignore[misc]
            version=meeting.version,
        )  # fmt: skip
        agenda = meetings.agenda_of(session=session, meeting=meeting)
        texts = {title: minutes for title, minutes in items}
        texts["Godkjenning av innkalling og saksliste"] = "Innkalling og saksliste godkjent."
        texts["Eventuelt"] = "Ingen saker."
        for item in agenda:
            meetings.write_minutes(session=session, meeting=meeting, item=item,
                                   data=MinutesForm(minutes=texts[item.title],
                                                    version=item.version))  # fmt: skip
        text, action, owner_email, deadline_days, done_days = decision
        owner = company.person(owner_email) if owner_email else coordinator
        deadline = day + timedelta(days=deadline_days)
        made = meetings.add_decision(
            session=session, meeting=meeting, item=agenda[-2],
            data=DecisionForm(text=text, action=action, owner_person_id=owner.id,
                              deadline=deadline),
            today=day,
        )  # fmt: skip
        # Written on the day of the meeting, as the minutes were.
        written = datetime.combine(day, time(11), tzinfo=OSLO).astimezone(UTC)
        made.created_at = written
        session.add(made)
        follow = session.exec(
            select(CorrectiveAction).where(CorrectiveAction.amu_decision_id == made.id)
        ).one()
        follow.created_at = written
        if done_days is not None:
            follow.done_on = day + timedelta(days=done_days)
            follow.done_note = "Gjort."
        session.add(follow)
        chair = meetings.chair_on(session=session, day=day)
        if chair.person_id is not None:
            meetings.approve(session=session, meeting=meeting, version=meeting.version,
                             person_id=chair.person_id)  # fmt: skip
    # Last year's report, approved by the chair in February.
    last_year = today.year - 1
    if report.had_committee(session=session, year=last_year):
        approved_on = date(today.year, 2, 15)
        found = report.figures(session=session, year=last_year, today=today)
        session.add(
            AmuReport(
                year=last_year, text=report.draft_text(found), figures=found,
                approved_at=datetime.combine(approved_on, time(12), tzinfo=OSLO).astimezone(UTC),
                approved_by_person_id=meetings.chair_on(session=session, day=approved_on).person_id,
            )
        )  # fmt: skip
    # The next meeting, three weeks ahead, with the agenda the product proposes.
    upcoming = today + timedelta(days=21)
    meetings.plan_meeting(
        session=session,
        data=MeetingForm(meets_on=upcoming, starts_at=time(9), ends_at=time(11),
                         place="Møterommet i administrasjonsbygget"),
        today=today,
        proposals=overview.agenda_proposals(session=session, day=today, meets_on=upcoming),
    )  # fmt: skip
    session.flush()
