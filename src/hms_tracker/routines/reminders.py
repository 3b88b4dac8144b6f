"""The routines' part of the daily reminder digest (`hms-tracker remind`): a routine in
force past its review date, to its owner — the same date the /gaps rule uses."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.notifications.remind import ReminderItem, register_reminder_source
from hms_tracker.notifications.service import link
from hms_tracker.routines.models import Routine, RoutineVersion, VersionStatus
from hms_tracker.web.i18n import _, format_date


@register_reminder_source
def routines_past_review(session: Session, day: date) -> dict[int, list[ReminderItem]]:
    in_force = select(RoutineVersion.routine_id).where(
        RoutineVersion.status == VersionStatus.published.value
    )
    rows = session.exec(
        select(Routine)
        .where(
            col(Routine.owner_id).is_not(None),
            col(Routine.next_review_on) < day,
            sa.or_(col(Routine.archived_on).is_(None), col(Routine.archived_on) > day),
            col(Routine.id).in_(in_force),
        )
        .order_by(col(Routine.next_review_on), col(Routine.id))
    ).all()
    items: dict[int, list[ReminderItem]] = {}
    for routine in rows:
        text = _(
            "Rutinen «%(title)s» skulle vært gjennomgått %(date)s",
            title=routine.title,
            date=format_date(routine.next_review_on),
        )
        items.setdefault(routine.owner_id, []).append(
            ReminderItem(text, link(f"/routines/{routine.id}"))
        )
    return items
