"""An AMU meeting as files: the invitation (iCalendar, sent with the agenda and offered on
the meeting's page) and the approved minutes as an A4 PDF to file or print.

Plain functions of what the meeting's page reads (no database here); texts in the reader's
language (the invitation in the recipient's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hms_tracker.amu.meetings import Called, DecisionRow, Quorum
from hms_tracker.amu.models import AmuAgendaItem, AmuMeeting, AmuReport, MeetingStatus
from hms_tracker.web.i18n import _, format_date
from hms_tracker.web.ics import Event, calendar
from hms_tracker.web.pdf import a4_document, heading, paragraph


def meeting_event(meeting: AmuMeeting, items: list[AmuAgendaItem], *, url: str) -> Event:
    agenda = "\n".join(
        _("Sak %(num)s: %(title)s", num=number, title=item.title)
        for number, item in enumerate(items, start=1)
    )
    return Event(
        uid=f"amu-meeting-{meeting.id}@hms-tracker",
        summary=_("AMU-møte"),
        starts=datetime.combine(meeting.meets_on, meeting.starts_at),
        ends=datetime.combine(meeting.meets_on, meeting.ends_at),
        description=(_("Saksliste:") + "\n" + agenda + "\n\n" + url) if agenda else url,
        location=meeting.place,
        url=url,
        sequence=meeting.version,
        cancelled=meeting.status == MeetingStatus.cancelled.value,
    )


def meeting_ics(meeting: AmuMeeting, items: list[AmuAgendaItem], *, url: str,
                method: str | None = None) -> str:  # fmt: skip
    return calendar([meeting_event(meeting, items, url=url)], method=method)


@dataclass(frozen=True)
class Minutes:
    """What the minutes hold: the meeting page's reads."""

    meeting: AmuMeeting
    called: list[Called]
    quorum: Quorum
    items: list[AmuAgendaItem]
    decisions: dict[int, list[DecisionRow]]
    chair_name: str
    side_label: Any  # side -> label


def minutes_pdf(minutes: Minutes, *, company_name: str) -> bytes:
    """The minutes on A4: the meeting, who was called and who came, the quorum, each item
    with its minutes and decisions (votes, dissent, the action that follows it up), and
    who approved the minutes when."""
    m = minutes.meeting
    title = _("Referat fra AMU-møte %(date)s", date=format_date(m.meets_on, "long"))
    pdf = a4_document(title, company_name=company_name)
    paragraph(pdf, title, size=18, style="B")
    paragraph(pdf, company_name, size=12, gap=2)
    when = _("kl. %(start)s–%(end)s", start=f"{m.starts_at:%H:%M}", end=f"{m.ends_at:%H:%M}")
    paragraph(pdf, f"{when}{' · ' + m.place if m.place else ''}", gap=3)

    heading(pdf, _("Innkalt og oppmøte"), size=12)
    for c in minutes.called:
        came = {True: _("Møtte"), False: _("Møtte ikke"), None: "–"}[c.attendance.attended]
        role = minutes.side_label(c.side) + (" · " + _("vara") if c.is_deputy else "")
        if not c.votes:
            role += " · " + _("uten stemmerett")
        paragraph(pdf, f"{c.name} ({role}): {came}", gap=0.5)
    q = minutes.quorum
    paragraph(
        pdf,
        (_("Beslutningsdyktig") if q.met else _("Ikke beslutningsdyktig")) + ". " + _(
            "Til stede med stemmerett: %(employer)s fra arbeidsgiversiden og %(employee)s fra "
            "arbeidstakersiden; minst %(needed)s av %(seats)s faste plasser og like mange fra "
            "hver side trengs.",
            employer=q.employer, employee=q.employee, needed=q.needed, seats=q.seats,
        ),
        gap=3,
    )  # fmt: skip

    for number, item in enumerate(minutes.items, start=1):
        heading(pdf, _("Sak %(num)s: %(title)s", num=number, title=item.title), size=12)
        if item.description:
            paragraph(pdf, item.description, size=9)
        paragraph(pdf, item.minutes or _("Ikke noe referat ført."))
        for row in minutes.decisions.get(item.id or 0, []):
            d = row.decision
            paragraph(pdf, _("Vedtak:") + " " + d.text, style="B")
            if d.votes_for is not None or d.votes_against is not None:
                paragraph(pdf, _("Stemmer: %(for)s for, %(against)s mot, %(abstaining)s avsto.",
                                 **{"for": d.votes_for or 0, "against": d.votes_against or 0,
                                    "abstaining": d.votes_abstaining or 0}), size=9)  # fmt: skip
            if d.dissent:
                paragraph(pdf, _("Dissens:") + " " + d.dissent, size=9)
            for f in row.actions:
                paragraph(pdf, _("Tiltak: %(text)s · %(owner)s · frist %(deadline)s",
                                 text=f.action.description, owner=f.owner_name,
                                 deadline=format_date(f.action.deadline)), size=9)  # fmt: skip
    pdf.ln(4)
    if m.minutes_approved_at is not None:
        approved = _("Godkjent av %(name)s %(date)s.", name=minutes.chair_name or "–",
                     date=format_date(m.minutes_approved_at.date(), "long"))  # fmt: skip
    else:
        approved = _("Utkast: referatet er ikke godkjent.")
    paragraph(pdf, approved, style="I")
    return bytes(pdf.output())


def report_pdf(report: AmuReport, *, company_name: str, approver_name: str) -> bytes:
    """The approved yearly report on A4: its text as the committee approved it, and who
    approved it when."""
    title = _("Arbeidsmiljøutvalgets årsrapport for %(year)s", year=report.year)
    pdf = a4_document(title, company_name=company_name)
    paragraph(pdf, title, size=18, style="B")
    paragraph(pdf, company_name, size=12, gap=4)
    for block in report.text.split("\n\n"):
        paragraph(pdf, block, gap=2)
    pdf.ln(4)
    if report.approved_at is not None:
        approved = _("Godkjent av %(name)s %(date)s.", name=approver_name or "–",
                     date=format_date(report.approved_at.date(), "long"))  # fmt: skip
        paragraph(pdf, approved, style="I")
    return bytes(pdf.output())
