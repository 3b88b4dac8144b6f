"""Deviations of category "brudd på rutine" and the routine they name: the routines a
report may name, the check of that choice, a routine's breaches for its page, and how
often each routine was broken in the last 12 months (the /routines list highlights a
routine broken at least twice: evidence for "do we follow our routines?").

The choice is optional (the reporter may not know which routine it was) and only kept for
the category "brudd på rutine": for another category it is dropped, as the report form
offers the field to everyone and a changed category must not keep a stale routine.
Rejected deviations (not a deviation after all) do not count as breaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from hms_tracker.db import VersionedCache
from hms_tracker.deviations.models import Deviation, DeviationCategory, DeviationStatus
from hms_tracker.routines.models import Routine, RoutineVersion, VersionStatus
from hms_tracker.rules.engine import add_months
from hms_tracker.web.i18n import OSLO, _

REPEATED_BREACHES = 2  # highlighted on /routines from this many in 12 months
BREACH_WINDOW_MONTHS = 12


def routine_options(*, session: Session, include_id: int | None = None) -> list[tuple[int, str]]:
    """Routines a report may name: those with a published version, not archived (and the
    deviation's current one, so an edit never drops it silently)."""
    published = select(RoutineVersion.routine_id).where(
        RoutineVersion.status == VersionStatus.published.value
    )
    rows = session.exec(
        select(Routine.id, Routine.title)
        .where(
            (col(Routine.id).in_(published) & col(Routine.archived_on).is_(None))
            | (col(Routine.id) == (include_id or 0))
        )
        .order_by(func.lower(Routine.title))
    ).all()
    return [(rid, title) for rid, title in rows if rid is not None]


def checked_routine_id(
    *, session: Session, category: str, routine_id: int | None, current_id: int | None = None
) -> int | None:
    """The routine to store for a report: None unless the category is "brudd på rutine";
    otherwise one of `routine_options` (ValueError with a message when it is not)."""
    if category != DeviationCategory.routine_breach.value or routine_id is None:
        return None
    offered = {rid for rid, _t in routine_options(session=session, include_id=current_id)}
    if routine_id not in offered:
        raise ValueError(_("Velg en rutine fra listen."))
    return routine_id


@dataclass(frozen=True)
class Breach:
    id: int
    title: str
    occurred_at: datetime
    status: str


def routine_breaches(
    *, session: Session, routine_id: int, visible: Any | None = None
) -> list[Breach]:
    """Deviations naming the routine, newest first, not rejected (as in `breach_counts`: a
    rejected report was not a breach after all); `visible` is an SQL condition on the
    deviations the viewer may see (deviations.access.visible_clause)."""
    query = (
        select(Deviation.id, Deviation.title, Deviation.occurred_at, Deviation.status)
        .where(
            Deviation.routine_id == routine_id,
            Deviation.category == DeviationCategory.routine_breach.value,
            Deviation.status != DeviationStatus.rejected.value,
        )
        .order_by(col(Deviation.occurred_at).desc(), col(Deviation.id).desc())
    )
    if visible is not None:
        query = query.where(visible)
    return [Breach(*row) for row in session.exec(query).all()]


def window_start(today: date) -> datetime:
    """The start of the last 12 months (Norwegian time), for counting breaches."""
    start = add_months(today, -BREACH_WINDOW_MONTHS)
    return datetime(start.year, start.month, start.day, tzinfo=OSLO)


# The counts for a day, kept under the data version they were computed on (a report
# changes it): the routine list asks on every page.
BREACHES: VersionedCache[date, dict[int, int]] = VersionedCache(size=4)


def breach_counts(*, session: Session, today: date) -> dict[int, int]:
    """Routine id → deviations of category "brudd på rutine" naming it that occurred in the
    last 12 months (not rejected); one query (none while cached). Read, never changed."""
    return BREACHES.get_or_compute(session, today, lambda: _count_breaches(session, today))


def _count_breaches(session: Session, today: date) -> dict[int, int]:
    rows = session.exec(
        select(Deviation.routine_id, func.count())
        .where(
            col(Deviation.routine_id).is_not(None),
            Deviation.category == DeviationCategory.routine_breach.value,
            Deviation.status != DeviationStatus.rejected.value,
            col(Deviation.occurred_at) >= window_start(today),
        )
        .group_by(col(Deviation.routine_id))
    ).all()
    return {rid: int(n) for rid, n in rows if rid is not None}


def repeated(counts: dict[int, int]) -> dict[int, int]:
    return {rid: n for rid, n in counts.items() if n >= REPEATED_BREACHES}


def routine_title(*, session: Session, routine_id: int | None) -> str | None:
    if routine_id is None:
        return None
    routine = session.get(Routine, routine_id)
    return routine.title if routine else None


def for_routine_page(
    *, session: Session, principal: Any, routine_id: int, today: date
) -> dict[str, Any]:
    """What the routine page shows: the breaches the viewer may see, and how many there
    were in the last 12 months in all (a number, no details)."""
    from hms_tracker.deviations.access import visible_clause

    return {
        "breaches": routine_breaches(
            session=session, routine_id=routine_id, visible=visible_clause(principal)
        ),
        "breaches_last_year": breach_counts(session=session, today=today).get(routine_id, 0),
        "repeated_breaches": REPEATED_BREACHES,
    }
