"""One timeline of everything that happened to a deviation, read from the audit trail: the
report, every edit and transition, actions, comments and attachments.

The reporter's view (through their account or the receipt code) shows when the case was
registered and each change of status, without names; handlers see everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.deviations.forms import category_label, effect_label, status_tag
from hms_tracker.deviations.models import (
    CorrectiveAction,
    Deviation,
    DeviationAttachment,
    DeviationComment,
)
from hms_tracker.organisation.models import Department, Person
from hms_tracker.web.i18n import _, format_date, format_datetime, lazy

# The audit actor of requests made without login (the anonymous report and receipt pages).
ANONYMOUS_LABEL = "anonym"


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    what: str
    details: tuple[str, ...] = ()


_FIELD_NAMES = {
    "title": lazy("Overskrift"),
    "description": lazy("Beskrivelse"),
    "department_id": lazy("Avdeling"),
    "place": lazy("Sted"),
    "occurred_at": lazy("Tidspunkt"),
    "category": lazy("Kategori"),
    "consequence": lazy("Konsekvens"),
    "probability": lazy("Sannsynlighet"),
    "immediate_action": lazy("Strakstiltak"),
    "serious_injury": lazy("Alvorlig personskade"),
    "caused_absence": lazy("Førte til fravær"),
    "responsible_person_id": lazy("Ansvarlig"),
    "deadline": lazy("Frist"),
}


def _part_ids(session: Session, deviation_id: int) -> dict[str, list[str]]:
    """The ids of the case's actions, comments and attachments (withdrawn ones too), as
    the audit trail keeps them (text), per entity: one statement."""
    parts = [
        select(sa.literal(model.__tablename__).label("entity"),  # type: ignore[attr-defined]
               sa.cast(model.id, sa.String).label("id"))
        .where(model.deviation_id == deviation_id)
        for model in (CorrectiveAction, DeviationComment, DeviationAttachment)
    ]  # fmt: skip
    found: dict[str, list[str]] = {}
    for entity, part_id in session.execute(sa.union_all(*parts)).all():
        found.setdefault(entity, []).append(part_id)
    return found


def _value(field: str, value: Any, names: dict[int, str], departments: dict[int, str]) -> str:
    if value is None or value == "":
        return "–"
    if field in ("responsible_person_id",):
        return names.get(int(value), "?")
    if field == "department_id":
        return departments.get(int(value), "?")
    if field == "category":
        return category_label(str(value))
    if field == "deadline":
        return format_date(datetime.fromisoformat(str(value)).date())
    if field == "occurred_at":
        return format_datetime(datetime.fromisoformat(str(value)), "short")
    if isinstance(value, bool):
        return _("Ja") if value else _("Nei")
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _deviation_entry(
    event: AuditEvent, names: dict[int, str], departments: dict[int, str]
) -> tuple[str, list[str]]:
    after = event.after or {}
    before = event.before or {}
    if event.action == "create":
        return _("Avviket ble meldt"), []
    details: list[str] = []
    what = _("Avviket ble endret")
    if "status" in after:
        new = after["status"]
        what = {
            "in_progress": _("Tildelt og satt under behandling"),
            "actions": _("Tiltak er i gang"),
            "closed": _("Avviket ble lukket"),
            "rejected": _("Avviket ble avvist"),
            "registered": _("Avviket ble gjenåpnet"),
        }.get(new, _("Status endret"))
        if before.get("status") in ("closed", "rejected") and new != before.get("status"):
            what = _("Avviket ble gjenåpnet")
        details.append(
            _(
                "Status: %(old)s → %(new)s",
                old=status_tag(str(before.get("status")))[0],
                new=status_tag(str(new))[0],
            )
        )
    for key, label in (
        ("rejection_reason", _("Begrunnelse")),
        ("reopen_reason", _("Begrunnelse")),
        ("root_cause", _("Årsak")),
        ("closing_note", _("Merknad")),
        ("reporter_summary", _("Oppsummering til melderen")),
    ):
        if after.get(key):
            details.append(f"{label}: {after[key]}")
    if after.get("actions_effect"):
        details.append(
            _("Virket tiltakene: %(effect)s", effect=effect_label(after["actions_effect"]))
        )
    if after.get("notified_at"):
        what = _("Varsling til Arbeidstilsynet og politiet registrert")
        details.append(
            _(
                "Varslet: %(when)s",
                when=format_datetime(datetime.fromisoformat(after["notified_at"]), "short"),
            )
        )
    for field, label in _FIELD_NAMES.items():
        if field in after:
            details.append(
                f"{_(label)}: {_value(field, before.get(field), names, departments)} → "
                f"{_value(field, after[field], names, departments)}"
            )
    return what, details


def timeline_for(
    *,
    session: Session,
    deviation: Deviation,
    internal: bool,
    parts: Sequence[CorrectiveAction | DeviationComment | DeviationAttachment] | None = None,
    known_names: dict[int, str] | None = None,
) -> list[Entry]:
    """The case's history. The internal view's takes in the history of every action,
    comment and attachment of the case (withdrawn ones too): `parts` when the page has
    loaded them, else read here; `known_names`: people's names the page has read already."""
    assert deviation.id is not None
    conditions = [
        sa.and_(AuditEvent.entity == "deviation", AuditEvent.entity_id == str(deviation.id))
    ]
    if internal:
        ids: dict[str, list[str]] = {}
        if parts is None:
            ids = _part_ids(session, deviation.id)
        for part in parts or ():
            ids.setdefault(part.__tablename__, []).append(str(part.id))  # type: ignore[attr-defined]
        for entity, found in ids.items():
            conditions.append(
                sa.and_(AuditEvent.entity == entity, col(AuditEvent.entity_id).in_(found))
            )
    events = session.exec(
        select(AuditEvent)
        .where(sa.or_(*conditions))
        .order_by(col(AuditEvent.occurred_at), col(AuditEvent.id))
    ).all()
    person_ids: set[int] = set()
    for event in events:
        if event.actor_person_id:
            person_ids.add(event.actor_person_id)
        for snapshot in (event.before or {}, event.after or {}):
            for key in ("responsible_person_id", "owner_person_id"):
                if isinstance(snapshot.get(key), int):
                    person_ids.add(snapshot[key])
    names = dict(known_names or {})
    missing = person_ids - set(names)
    if missing:
        names.update(
            session.exec(select(Person.id, Person.name).where(col(Person.id).in_(missing))).all()
        )
    moved = {
        int(snapshot["department_id"])
        for event in events
        for snapshot in (event.before or {}, event.after or {})
        if isinstance(snapshot.get("department_id"), int)
    }
    departments: dict[int, str] = (
        dict(
            session.exec(
                select(Department.id, Department.name).where(col(Department.id).in_(moved))
            ).all()
        )
        if moved
        else {}
    )
    entries: list[Entry] = []
    for event in events:
        if event.actor_person_id:
            who = names.get(event.actor_person_id, event.actor_label)
        elif (
            deviation.anonymous
            and event.action == "create"
            and event.entity == "deviation"
            or event.actor_label == "anonym"
        ):
            who = _("Anonym melder")
        else:
            who = _("Systemet")
        after = event.after or {}
        if event.entity == "deviation":
            what, details = _deviation_entry(event, names, departments)
            if not internal:
                if event.action != "create" and "status" not in after:
                    continue
                details = [d for d in details if d.startswith(_("Status"))]
                who = ""
        elif event.entity == "corrective_action":
            if event.action == "create":
                what = _("Tiltak lagt til")
                details = [
                    str(after.get("description", "")),
                    _(
                        "Eier: %(owner)s, frist %(deadline)s",
                        owner=names.get(after.get("owner_person_id") or 0, "?"),
                        deadline=_value("deadline", after.get("deadline"), names, departments),
                    ),
                ]
            elif after.get("done_on"):
                what = _("Tiltak utført")
                details = [str(after.get("done_note") or "")]
            elif after.get("withdrawn_at"):
                what = _("Tiltak trukket tilbake")
                details = [str(after.get("withdrawn_reason") or "")]
            else:
                what = _("Tiltak endret")
                details = []
        elif event.entity == "deviation_comment":
            if event.action == "create":
                what = (
                    _("Kommentar synlig for melderen")
                    if after.get("visibility") == "reporter"
                    else _("Intern kommentar")
                )
            elif after.get("withdrawn_at"):
                what = _("Kommentar trukket tilbake")
            else:
                continue
            details = []
        else:
            if event.action == "create":
                what = _("Vedlegg lagt til")
                details = [str(after.get("filename", ""))]
            elif after.get("withdrawn_at"):
                what = _("Vedlegg trukket tilbake")
                details = [str(after.get("withdrawn_reason") or "")]
            else:
                continue
        entries.append(
            Entry(at=event.occurred_at, who=who, what=what, details=tuple(d for d in details if d))
        )
    return entries
