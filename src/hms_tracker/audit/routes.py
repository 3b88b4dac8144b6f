"""The admin's view of the audit trail, filtered by entity and person."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.audit import service
from hms_tracker.db import SessionDep
from hms_tracker.organisation import service as organisation
from hms_tracker.web.auth import Permission
from hms_tracker.web.i18n import _, lazy
from hms_tracker.web.templating import render

ENTITY_LABELS = {
    "person": lazy("Person"),
    "department": lazy("Avdeling"),
    "department_leader": lazy("Avdelingsleder"),
    "app_user": lazy("Konto"),
    "company_setting": lazy("Innstilling"),
}
ACTION_LABELS = {
    "create": lazy("Opprettet"),
    "update": lazy("Endret"),
    "delete": lazy("Fjernet"),
    "sessions_ended": lazy("Innlogginger avsluttet"),
    "employment_ended": lazy("Ansettelse avsluttet"),
}


def entity_label(entity: str) -> str:
    return _(ENTITY_LABELS[entity]) if entity in ENTITY_LABELS else entity


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


router = APIRouter()


@router.get("/audit", dependencies=[Permission("audit.read")])
def audit_list(
    request: Request,
    session: SessionDep,
    entity: str | None = None,
    person: str | None = None,
    page: int = 1,
) -> Response:
    person_id = int(person) if person and person.isdigit() else None
    events, total = service.list_events(
        session=session, entity=entity or None, person_id=person_id, page=page
    )
    pages = max(1, -(-total // service.PAGE_SIZE))
    names = organisation.person_names(
        session=session,
        person_ids={e.actor_person_id for e in events} | {e.subject_person_id for e in events},
    )
    return render(
        request,
        "audit/list.html",
        block="results",
        events=events,
        total=total,
        page=min(max(page, 1), pages),
        pages=pages,
        entity=entity or "",
        person_id=person_id,
        entities=service.entities(session=session),
        people=organisation.people_choices(session=session),
        names=names,
        entity_label=entity_label,
        action_label=action_label,
        entity_options=lambda items: [(item, entity_label(item)) for item in items],
        page_url=lambda p: (
            request.url.include_query_params(page=p).path
            + "?"
            + request.url.include_query_params(page=p).query
        ),
    )
