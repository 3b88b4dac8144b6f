"""The admin's view of the audit trail, filtered by entity and person."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.audit import access as _access  # noqa: F401  (registers the actions)
from hms_tracker.audit import service
from hms_tracker.audit.models import AuditEvent
from hms_tracker.db import SessionDep
from hms_tracker.organisation import service as organisation
from hms_tracker.organisation.forms import employment_type_label
from hms_tracker.web.auth import Permission
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import _, format_date, format_datetime, format_number, lazy
from hms_tracker.web.pagination import Keyset
from hms_tracker.web.params import parse_id
from hms_tracker.web.templating import render

ENTITY_LABELS = {
    "person": lazy("Person"),
    "department": lazy("Avdeling"),
    "department_leader": lazy("Avdelingsleder"),
    "app_user": lazy("Konto"),
    "company_setting": lazy("Innstilling"),
    "appointment": lazy("Verv"),
    "appointment_area": lazy("Verneområde"),
    "amu_chair_period": lazy("AMU-leder"),
    "safety_rep_agreement": lazy("Avtale om annen ordning"),
    "course_type": lazy("Kurstype"),
    "training_record": lazy("Opplæring"),
    "routine": lazy("Rutine"),
    "routine_version": lazy("Rutineversjon"),
    "routine_department": lazy("Rutinens avdeling"),
    "routine_tag": lazy("Stikkord på rutine"),
    "routine_review": lazy("Gjennomgang av rutine"),
    "routine_acknowledgement": lazy("Lest og forstått"),
    "routine_attachment": lazy("Vedlegg til rutine"),
    "risk": lazy("Risiko"),
    "risk_routine": lazy("Rutine som styrer en risiko"),
    "survey": lazy("Pulsundersøkelse"),
    "barometer_assessment": lazy("Vurdering i HMS-barometeret"),
    "barometer_snapshot": lazy("Årlig gjennomgang (HMS-barometeret)"),
    "barometer_goal": lazy("HMS-mål"),
    "barometer_point": lazy("Styrke eller forbedring (årlig gjennomgang)"),
    "amu_meeting": lazy("AMU-møte"),
    "amu_attendance": lazy("Innkalt til AMU-møte"),
    "amu_agenda_item": lazy("Sak i AMU-møte"),
    "amu_decision": lazy("Vedtak i AMU"),
    "amu_report": lazy("AMUs årsrapport"),
    "calendar_feed": lazy("Kalenderadresse"),
    "inspection_pack": lazy("Tilsynspakke"),
}
ACTION_LABELS = {
    "create": lazy("Opprettet"),
    "update": lazy("Endret"),
    "delete": lazy("Fjernet"),
    "sessions_ended": lazy("Innlogginger avsluttet"),
    "employment_ended": lazy("Ansettelse avsluttet"),
    "downloaded": lazy("Lastet ned"),
}


FIELD_LABELS = {
    "name": lazy("Navn"),
    "email": lazy("E-post"),
    "phone": lazy("Telefon"),
    "title": lazy("Stilling"),
    "department_id": lazy("Avdeling"),
    "parent_id": lazy("Overordnet avdeling"),
    "person_id": lazy("Person"),
    "employed_from": lazy("Ansatt fra"),
    "employed_to": lazy("Ansatt til"),
    "end_reason": lazy("Sluttårsak"),
    "employment_type": lazy("Ansettelsesform"),
    "weekly_hours": lazy("Timer per uke"),
    "closed_on": lazy("Nedlagt"),
    "is_admin": lazy("Administrator"),
    "is_active": lazy("Aktiv konto"),
    "language": lazy("Språk"),
    "last_login_at": lazy("Sist innlogget"),
    "password_hash": lazy("Passord"),
    "key": lazy("Innstilling"),
    "value": lazy("Verdi"),
    "sessions_ended": lazy("Avsluttede innlogginger"),
    "kind": lazy("Type"),
    "starts_on": lazy("Fra"),
    "ends_on": lazy("Til"),
    "ended_on": lazy("Avsluttet"),
    "amu_side": lazy("Side"),
    "is_deputy": lazy("Vara"),
    "note": lazy("Notat"),
    "appointment_id": lazy("Verv"),
    "course_type_id": lazy("Kurs"),
    "completed_on": lazy("Gjennomført"),
    "hours": lazy("Timer"),
    "provider": lazy("Kursholder"),
    "required_hours": lazy("Påkrevde timer"),
    "validity_months": lazy("Gyldighet i måneder"),
    "withdrawn_on": lazy("Trukket tilbake"),
    "owner_id": lazy("Eier"),
    "whole_company": lazy("Gjelder hele virksomheten"),
    "review_interval_months": lazy("Gjennomgås hver (måneder)"),
    "next_review_on": lazy("Neste gjennomgang"),
    "archived_on": lazy("Arkivert"),
    "archived_reason": lazy("Årsak til arkivering"),
    "routine_id": lazy("Rutine"),
    "routine_version_id": lazy("Rutineversjon"),
    "number": lazy("Versjonsnummer"),
    "purpose": lazy("Formål"),
    "body": lazy("Tekst"),
    "change_note": lazy("Hva er endret"),
    "published_on": lazy("Publisert"),
    "published_at": lazy("Publisert tidspunkt"),
    "published_by_person_id": lazy("Publisert av"),
    "created_by_person_id": lazy("Opprettet av"),
    "archived_at": lazy("Arkivert tidspunkt"),
    "draft_whole_company": lazy("Utkastet gjelder hele virksomheten"),
    "draft_department_ids": lazy("Utkastets avdelinger"),
    "draft_tags": lazy("Utkastets stikkord"),
    "draft_review_interval_months": lazy("Utkastets gjennomgangsintervall (måneder)"),
    "tag": lazy("Stikkord"),
    "reviewed_on": lazy("Gjennomgått"),
    "reviewer_person_id": lazy("Gjennomgått av"),
    "outcome": lazy("Utfall"),
    "version_number": lazy("Versjon"),
    "acknowledged_at": lazy("Bekreftet lest"),
    "uploaded_by_person_id": lazy("Lastet opp av"),
}
# Labels of a field in one table only, where the general label would say something else
# (a routine's "title" is its title, not a person's job title).
_ROUTINE_TEXT = {
    "title": lazy("Tittel"),
    "status": lazy("Status"),
    "filename": lazy("Filnavn"),
    "size": lazy("Størrelse (byte)"),
    "content_type": lazy("Filtype"),
    "content": lazy("Innhold"),
    "uploaded_at": lazy("Lastet opp"),
    "withdrawn_at": lazy("Fjernet"),
}
ENTITY_FIELD_LABELS = {
    (entity, field): label
    for entity in ("routine", "routine_version", "routine_attachment")
    for field, label in _ROUTINE_TEXT.items()
}
ENTITY_FIELD_LABELS.update(
    {
        ("risk", "title"): lazy("Arbeidsoppgave eller fare"),
        ("risk", "description"): lazy("Beskrivelse"),
        ("risk", "consequence"): lazy("Konsekvens"),
        ("risk", "probability"): lazy("Sannsynlighet"),
        ("risk", "existing_measures"): lazy("Tiltak som er på plass"),
        ("risk", "last_assessed_on"): lazy("Sist vurdert"),
        ("risk", "owner_person_id"): lazy("Ansvarlig"),
        ("risk_routine", "risk_id"): lazy("Risiko"),
    }
)
NUMBER_FIELDS = {"weekly_hours", "hours", "required_hours"}
# Bookkeeping columns that say nothing to a reader of the trail.
HIDDEN_FIELDS = {"id", "created_at", "version"}


def _display(field: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    if field in ("department_id", "parent_id") and isinstance(value, int):
        return names["department"].get(value, f"#{value}")
    if field == "person_id" and isinstance(value, int):
        return names["person"].get(value, f"#{value}")
    if field == "employment_type":
        return employment_type_label(str(value))
    if field == "password_hash":
        return _("(skjult)")
    if field in NUMBER_FIELDS:
        try:
            return format_number(Decimal(str(value)).normalize())
        except ArithmeticError:
            return str(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and len(value) > 18 and value[10] == "T":
        try:
            return format_datetime(datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    return str(value)


def describe(
    event: AuditEvent, names: dict[str, dict[int, str]]
) -> list[tuple[str, str | None, str]]:
    """The event's changes as (field label, before or None, after), for people to read."""
    before = event.before or {}
    after = event.after or {}
    rows: list[tuple[str, str | None, str]] = []
    for field, value in after.items():
        if field in HIDDEN_FIELDS or (event.action == "create" and value in (None, "")):
            continue
        label = _(
            ENTITY_FIELD_LABELS.get((event.entity, field)) or FIELD_LABELS.get(field) or field
        )
        old = _display(field, before[field], names) if field in before else None
        rows.append((label, old, _display(field, value, names)))
    return rows


def entity_label(entity: str) -> str:
    return _(ENTITY_LABELS[entity]) if entity in ENTITY_LABELS else entity


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


router = APIRouter()


MATCHES_SHOWN = 20


@router.get("/audit", dependencies=[Permission("audit.read")])
def audit_list(
    request: Request,
    session: SessionDep,
    entity: str | None = None,
    person: str | None = None,
    who: str | None = None,
    before: str | None = None,
    after: str | None = None,
) -> Response:
    """The trail newest first, a page at a time (`before`/`after`: cursors), filtered by
    kind of record and by a person: `person` (an id) or `who` (a name or e-mail typed;
    one match filters by it, several are offered to choose from)."""
    person_id = parse_id(person)
    search = (who or "").strip()[:100]
    matches: list[tuple[int, str]] = []
    if person_id is None and search:
        matches = organisation.person_choices(
            session=session, today=today(), search=search, former_too=True,
            size=MATCHES_SHOWN + 1,
        )  # fmt: skip
        if len(matches) == 1:
            person_id = matches[0][0]
    choosing = person_id is None and bool(search)
    if choosing:
        events, where = [], Keyset(older=None, newer=None)
    else:
        events, where = service.list_events(
            session=session,
            entity=entity or None,
            person_id=person_id,
            before=before,
            after=after,
        )
    referred_people = {e.actor_person_id for e in events} | {e.subject_person_id for e in events}
    referred_people.add(person_id)
    referred_departments: set[int | None] = set()
    for e in events:
        for values in (e.before or {}, e.after or {}):
            if isinstance(values.get("person_id"), int):
                referred_people.add(values["person_id"])
            for key in ("department_id", "parent_id"):
                if isinstance(values.get(key), int):
                    referred_departments.add(values[key])
    names = organisation.person_names(session=session, person_ids=referred_people)
    lookup = {
        "person": names,
        "department": organisation.department_names(
            session=session, department_ids=referred_departments
        ),
    }

    def url(**params: str | int | None) -> str:
        query = {"entity": entity or None, "person": person_id, **params}
        return "/audit?" + urlencode({k: v for k, v in query.items() if v})

    return render(
        request,
        "audit/list.html",
        block="results",
        events=events,
        where=where,
        entity=entity or "",
        person_id=person_id,
        person_name=names.get(person_id) if person_id else None,
        who=search if person_id is None else names.get(person_id, ""),
        matches=matches[:MATCHES_SHOWN] if choosing else [],
        more_matches=choosing and len(matches) > MATCHES_SHOWN,
        entities=service.entities(),
        names=names,
        entity_label=entity_label,
        describe=lambda event: describe(event, lookup),
        action_label=action_label,
        entity_options=lambda items: [(item, entity_label(item)) for item in items],
        newest_url=url(),
        older_url=url(before=where.older) if where.older else None,
        newer_url=url(after=where.newer) if where.newer else None,
        person_url=lambda pid: url(person=pid),
        everyone_url=url(person=None),
    )
