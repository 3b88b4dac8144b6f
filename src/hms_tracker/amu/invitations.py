"""The notice of an AMU meeting (innkalling): the agenda e-mailed to every member called,
with the meeting as a calendar invitation, `amu_agenda_days` days before the meeting (by
`hms-tracker remind`) or at once from the meeting's page.

Safe on several machines: a run takes a meeting by setting `agenda_sent_at` where it is
still empty (one UPDATE, so one run wins), and each e-mail has a dedupe key of the meeting,
its version and the person, so it is enqueued once.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from hms_tracker.amu.documents import meeting_ics
from hms_tracker.amu.meetings import agenda_of, called_to
from hms_tracker.amu.models import AmuMeeting, MeetingStatus
from hms_tracker.db import utcnow
from hms_tracker.errors import TransitionRefused
from hms_tracker.organisation.models import Person
from hms_tracker.web.i18n import _, format_date


def _body(meeting: AmuMeeting, titles: list[str], url: str) -> str:
    lines = [
        _(
            "Du er innkalt til møte i arbeidsmiljøutvalget %(date)s kl. %(start)s–%(end)s.",
            date=format_date(meeting.meets_on, "long"),
            start=f"{meeting.starts_at:%H:%M}",
            end=f"{meeting.ends_at:%H:%M}",
        ),  # fmt: skip
    ]
    if meeting.place:
        lines.append(_("Sted: %(place)s", place=meeting.place))
    lines += ["", _("Saksliste:")]
    lines += [f"{number}. {title}" for number, title in enumerate(titles, start=1)]
    lines += ["", _("Sakslisten og sakene: %(url)s", url=url), "",
              _("Kalenderinvitasjonen er vedlagt.")]  # fmt: skip
    return "\n".join(lines)


def send_agenda(*, session: Session, meeting: AmuMeeting, url: str) -> int:
    """E-mail the agenda with the invitation to every member called who has an e-mail
    address; the number of e-mails enqueued. A meeting held or cancelled is refused."""
    from hms_tracker.notifications.outbox import enqueue

    if meeting.status != MeetingStatus.planned.value or meeting.is_locked:
        raise TransitionRefused(_("Innkallingen sendes bare før møtet er holdt."))
    meeting.agenda_sent_at = utcnow()
    meeting.version += 1
    session.add(meeting)
    session.flush()
    items = agenda_of(session=session, meeting=meeting)
    ics = meeting_ics(meeting, items, url=url, method="REQUEST")
    body = _body(meeting, [i.title for i in items], url)
    subject = _("Innkalling til AMU-møte %(date)s", date=format_date(meeting.meets_on))
    person_ids = [c.person_id for c in called_to(session=session, meeting=meeting) if c.person_id]
    sent = 0
    for person_id, email in session.exec(
        select(Person.id, Person.email).where(col(Person.id).in_(person_ids or [0]))
    ).all():
        if email and enqueue(
            session, recipient=email, subject=subject, body=body, calendar=ics,
            dedupe_key=f"amu-agenda:{meeting.id}:{meeting.version}:{person_id}",
        ):  # fmt: skip
            sent += 1
    return sent


def send_due_agendas(engine: Engine, *, day: date, days_before: int, base_url: str) -> int:
    """The agendas of meetings from `day` up to `days_before` days ahead not sent yet; each
    meeting in its own transaction, taken by one run only. The number of meetings sent."""
    with Session(engine) as session:
        due = list(
            session.exec(
                select(AmuMeeting.id).where(
                    AmuMeeting.status == MeetingStatus.planned.value,
                    col(AmuMeeting.agenda_sent_at).is_(None),
                    col(AmuMeeting.meets_on) >= day,
                    col(AmuMeeting.meets_on) <= day + timedelta(days=days_before),
                )
            ).all()
        )
    sent = 0
    for meeting_id in sorted(m for m in due if m is not None):
        with Session(engine) as session:
            taken = session.execute(
                sa.update(AmuMeeting)
                .where(col(AmuMeeting.id) == meeting_id, col(AmuMeeting.agenda_sent_at).is_(None))
                .values(agenda_sent_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue
            meeting = session.get(AmuMeeting, meeting_id)
            assert meeting is not None
            send_agenda(session=session, meeting=meeting,
                        url=f"{base_url.rstrip('/')}/amu/meetings/{meeting_id}")  # fmt: skip
            session.commit()
            sent += 1
    return sent
