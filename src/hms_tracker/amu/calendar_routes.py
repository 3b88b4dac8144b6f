"""The HMS year (årshjul): /calendar, and a person's calendar feed.

/calendar is read by those who see the company's gaps (`gaps.view`: the coordinator,
leaders, verneombud and AMU members): the year's meetings, terms, training, reviews and
deadlines are the gaps of tomorrow. The feed routes use the same action: a person keeps a
feed of what they may see on /calendar, and the feed itself (no login, a secret address)
answers 404 as soon as its owner may no longer see it (amu/calendar.py: `feed_reader`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from hms_tracker.amu import calendar as service
from hms_tracker.db import SessionDep
from hms_tracker.errors import NotFound
from hms_tracker.organisation.models import Person
from hms_tracker.organisation.service import department_options, person_choices
from hms_tracker.web import i18n
from hms_tracker.web.auth import PUBLIC, CurrentUser, Permission, Principal, can
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import _
from hms_tracker.web.ics import calendar as ics_calendar
from hms_tracker.web.params import parse_id, parse_int, picker_search
from hms_tracker.web.templating import flash, redirect, render

router = APIRouter()
VIEW = [Permission(service.CALENDAR_ACTION)]
YEARS_AROUND = 3  # the year select: this many years back and ahead of this year
# Items whose page asks more than /calendar does: linked only for those who may open it.
LINK_ACTIONS = {
    service.ItemKind.amu_meeting: "amu.view",
    service.ItemKind.amu_report: "amu.view",
}


def _base_url(request: Request) -> str:
    configured = str(request.app.state.settings.base_url or "").rstrip("/")
    return configured or str(request.base_url).rstrip("/")


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    year: int | None = None,
    person_id: int | None = None,
    department_id: int | None = None,
    feed_url: str | None = None,
) -> Response:
    day = today()
    chosen = year or day.year
    person = session.get(Person, person_id) if person_id is not None else None
    if person_id is not None and person is None:
        raise NotFound()
    departments = department_options(session=session, include_ids=[department_id])
    if department_id is not None and department_id not in dict(departments):
        raise NotFound()
    start, end = service.year_bounds(chosen)
    items = service.events_between(
        session=session, start=start, end=end, person_id=person_id,
        department_id=department_id, principal=principal, today=day,
    )  # fmt: skip
    search = picker_search(request, "person")
    own_department = principal.person.department_id
    filters = {"person": person_id, "department": department_id}

    def year_url(y: int) -> str:
        query = {"year": y, **{k: v for k, v in filters.items() if v is not None}}
        return "/calendar?" + urlencode(query)

    first = min(day.year - YEARS_AROUND, chosen)
    last = max(day.year + YEARS_AROUND, chosen)
    return render(
        request,
        "amu/calendar.html",
        year=chosen,
        years=[(y, str(y)) for y in range(first, last + 1)],
        year_url=year_url,
        today=day,
        months=service.by_month(items, year=chosen),
        item_count=len(items),
        person=person,
        person_id=person_id,
        department_id=department_id,
        departments=departments,
        department_name=dict(departments).get(department_id or 0, ""),
        people=person_choices(
            session=session,
            today=day,
            search=search,
            department_ids=[department_id or own_department]
            if (department_id or own_department)
            else [],
            include=[person_id],
            former_too=bool(search),
        ),
        person_search=search,
        feed=service.active_feed(session=session, person_id=principal.person_id),
        feed_url=feed_url,
        linked=lambda item: (
            bool(item.url) and can(principal, LINK_ACTIONS.get(item.kind, service.CALENDAR_ACTION))
        ),
    )


@router.get("/calendar", dependencies=VIEW)
def calendar_page(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    year: str | None = None,
    person: str | None = None,
    department: str | None = None,
) -> Response:
    """The year: `year` (default this year), narrowed to a `person` and/or a `department`
    (ids: not a number → ignored, an unknown one → 404)."""
    return _page(
        request,
        session,
        principal,
        year=parse_int(year, minimum=1900, maximum=2200),
        person_id=parse_id(person),
        department_id=parse_id(department),
    )


@router.post("/calendar/feed", dependencies=VIEW)
def feed_create(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    """A new secret address for the logged-in person's feed (the old one stops working),
    shown on this answer only: the page is rendered here, not redirected to, so the token
    is in no address, no history entry and no cookie."""
    token = service.create_feed(session=session, person_id=principal.person_id)
    url = f"{_base_url(request)}/calendar/feed/{token}.ics"
    return _page(request, session, principal, feed_url=url)


@router.post("/calendar/feed/revoke", dependencies=VIEW)
def feed_revoke(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    if service.revoke_feeds(session=session, person_id=principal.person_id):
        flash(
            request,
            _("Kalenderadressen er slettet. Kalendere som abonnerte på den, får ikke noe nytt."),
        )
    return redirect(request, "/calendar")


@router.get("/calendar/feed/{token}.ics", dependencies=[PUBLIC])
def feed(request: Request, session: SessionDep, token: str) -> Response:
    """The person's calendar (iCalendar), from a year back to two years ahead: what
    concerns them and the company's deadlines. No login: the secret token is the key; an
    unknown or revoked one is 404."""
    day = today()
    reader = service.feed_reader(session=session, token=token, today=day)
    if reader is None:
        raise NotFound()
    # In the language of the person's account (a calendar program sends no cookie).
    language = i18n.set_language(getattr(reader.user, "language", None) or i18n.get_language())
    try:
        start, end = service.feed_window(day)
        items = service.events_between(
            session=session, start=start, end=end, person_id=reader.person_id,
            principal=reader, today=day,
        )  # fmt: skip
        text = ics_calendar(
            service.feed_events(items, base_url=_base_url(request)),
            name=_("HMS – %(name)s", name=reader.display_name),
        )
    finally:
        i18n._language.reset(language)
    headers = {
        "Content-Disposition": 'inline; filename="hms.ics"',
        "Referrer-Policy": "no-referrer",
    }
    return Response(content=text, media_type="text/calendar; charset=utf-8", headers=headers)
