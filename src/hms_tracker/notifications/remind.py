"""`hms-tracker remind`: one digest e-mail per person and day listing what is overdue.

Sources are pluggable: a function `(session, day) -> {person_id: [ReminderItem, …]}`
registered with `@register_reminder_source`, in a module listed in `SOURCE_MODULES` (so
the command imports it). The deviation sources are registered below; routines/reminders.py
adds routines past their review date the same way. Sources write their texts with `_()`: they are
called once per language the recipients use, under that language.

Safe on several machines at once: a digest is claimed by inserting ReminderDigest
(person, day) with ON CONFLICT DO NOTHING in the same transaction that enqueues the
e-mail, so for each person and day exactly one run enqueues it; the outbox's claim makes
sure it is sent once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hms_tracker.accounts.models import User
from hms_tracker.config import Settings
from hms_tracker.db import insert_ignoring_conflict, utcnow
from hms_tracker.deviations.models import (
    OPEN_STATUSES,
    CorrectiveAction,
    Deviation,
    DeviationStatus,
)
from hms_tracker.notifications.models import ReminderDigest
from hms_tracker.notifications.outbox import (
    DeliveryResult,
    deliver_pending,
    enqueue,
    using_settings,
)
from hms_tracker.notifications.service import (
    SUBJECT_PREFIX,
    Recipient,
    deviation_url,
    in_language,
    link,
    recipients,
    render_body,
)
from hms_tracker.organisation.models import DepartmentLeader, Person
from hms_tracker.organisation.service import department_parents
from hms_tracker.rules.departments import subtree_of
from hms_tracker.web.i18n import _, format_date, ngettext


@dataclass(frozen=True)
class ReminderItem:
    text: str
    url: str


ReminderSource = Callable[[Session, date], dict[int, list[ReminderItem]]]

_SOURCES: list[ReminderSource] = []

# Modules that register sources; `remind` imports them. Add a domain's module here.
SOURCE_MODULES: list[str] = [
    "hms_tracker.notifications.remind",
    "hms_tracker.routines.reminders",
]


def register_reminder_source(fn: ReminderSource) -> ReminderSource:
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def reminder_sources() -> list[ReminderSource]:
    for module in SOURCE_MODULES:
        importlib.import_module(module)
    return list(_SOURCES)


def collect_items(session: Session, day: date) -> dict[int, list[ReminderItem]]:
    """Every source's items per person, texts in the current language."""
    items: dict[int, list[ReminderItem]] = {}
    for source in reminder_sources():
        for person_id, found in source(session, day).items():
            if found:
                items.setdefault(person_id, []).extend(found)
    return items


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the deviation domain's sources -----------------------------------------------------


@register_reminder_source
def overdue_deviations(session: Session, day: date) -> dict[int, list[ReminderItem]]:
    """Open deviations past their deadline, to the person responsible."""
    rows = session.exec(
        select(Deviation)
        .where(
            Deviation.status.in_([s.value for s in OPEN_STATUSES]),  # type: ignore[attr-defined]
            Deviation.responsible_person_id.is_not(None),  # type: ignore[union-attr]
            Deviation.deadline < day,  # type: ignore[operator]
        )
        .order_by(Deviation.deadline, Deviation.id)
    ).all()
    items: dict[int, list[ReminderItem]] = {}
    for deviation in rows:
        text = _(
            "Avvik «%(title)s»: fristen var %(deadline)s",
            title=_short(deviation.title),
            deadline=format_date(deviation.deadline),
        )
        items.setdefault(deviation.responsible_person_id, []).append(
            ReminderItem(text, deviation_url(deviation.id))
        )
    return items


@register_reminder_source
def overdue_actions(session: Session, day: date) -> dict[int, list[ReminderItem]]:
    """Open corrective actions past their deadline, to their owner."""
    rows = session.exec(
        select(CorrectiveAction, Deviation.title)
        .outerjoin(Deviation, Deviation.id == CorrectiveAction.deviation_id)
        .where(
            CorrectiveAction.done_on.is_(None),  # type: ignore[union-attr]
            CorrectiveAction.withdrawn_at.is_(None),  # type: ignore[union-attr]
            CorrectiveAction.deadline < day,
        )
        .order_by(CorrectiveAction.deadline, CorrectiveAction.id)
    ).all()
    items: dict[int, list[ReminderItem]] = {}
    for action, title in rows:
        deadline = format_date(action.deadline)
        if action.amu_decision_id is not None:
            text = _(
                "Tiltak «%(action)s» etter vedtak i AMU: fristen var %(deadline)s",
                action=_short(action.description),
                deadline=deadline,
            )
            url = link(f"/amu/actions/{action.id}")
        elif action.deviation_id is None:
            # A planned measure of a risk in the risk register.
            text = _(
                "Tiltak «%(action)s» i risikoregisteret: fristen var %(deadline)s",
                action=_short(action.description),
                deadline=deadline,
            )
            url = link(f"/risks/{action.risk_id}") if action.risk_id else link("/risks")
        else:
            text = _(
                "Tiltak «%(action)s» i avviket «%(title)s»: fristen var %(deadline)s",
                action=_short(action.description),
                title=_short(title or ""),
                deadline=deadline,
            )
            url = deviation_url(action.deviation_id)
        items.setdefault(action.owner_person_id, []).append(ReminderItem(text, url))
    return items


def _leaders_by_department(session: Session) -> dict[int, set[int]]:
    """Department id → the people who lead it or a department above it."""
    parents = department_parents(session=session)
    result: dict[int, set[int]] = {dept_id: set() for dept_id in parents}
    for dept_id, person_id in session.exec(
        select(DepartmentLeader.department_id, DepartmentLeader.person_id)
    ).all():
        for led in subtree_of([dept_id], parents):
            result.setdefault(led, set()).add(person_id)
    return result


@register_reminder_source
def serious_injuries_not_notified(session: Session, day: date) -> dict[int, list[ReminderItem]]:
    """Serious injuries not yet recorded as notified to Arbeidstilsynet and the police
    (AML § 5-2), to the leaders of the department (and above) and to every admin.
    A rejected report is left out."""
    rows = session.exec(
        select(Deviation)
        .where(
            Deviation.serious_injury.is_(True),  # type: ignore[attr-defined]
            Deviation.notified_at.is_(None),  # type: ignore[union-attr]
            Deviation.status != DeviationStatus.rejected.value,
        )
        .order_by(Deviation.occurred_at, Deviation.id)
    ).all()
    if not rows:
        return {}
    admins = set(
        session.exec(
            select(User.person_id).where(
                User.is_admin.is_(True),  # type: ignore[attr-defined]
                User.is_active.is_(True),  # type: ignore[attr-defined]
            )
        ).all()
    )
    leaders = _leaders_by_department(session)
    items: dict[int, list[ReminderItem]] = {}
    for deviation in rows:
        item = ReminderItem(
            _(
                "Alvorlig personskade «%(title)s» er ikke registrert som meldt til "
                "Arbeidstilsynet og politiet (AML § 5-2)",
                title=_short(deviation.title),
            ),
            deviation_url(deviation.id),
        )
        for person_id in sorted(admins | leaders.get(deviation.department_id, set())):
            items.setdefault(person_id, []).append(item)
    return items


# --- the run ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    person_id: int
    email: str
    subject: str
    body: str


@dataclass(frozen=True)
class RemindResult:
    people_with_items: int  # employed people with something overdue
    without_email: int  # … of whom this many have no e-mail address (nothing sent)
    digests: int  # digests this run enqueued
    already_done: int  # digests another run (this day) had enqueued already
    delivery: DeliveryResult
    agendas: int = 0  # AMU meetings whose agenda this run sent


def render_digest(to: Recipient, items: list[ReminderItem], day: date) -> Digest:
    """The digest text, in the current language."""
    body = render_body("reminder_digest.txt", name=to.name, day=day, items=items)
    subject = SUBJECT_PREFIX + ngettext(
        "%(num)s sak venter på deg", "%(num)s saker venter på deg", len(items)
    )
    return Digest(to.person_id, to.email, subject, body)


def prepare_digests(
    session: Session, settings: Settings, day: date
) -> tuple[list[Digest], int, int]:
    """The digests to send for `day`: (digests, people with items, of whom without e-mail)."""
    with in_language(settings.default_language):
        by_language = {settings.default_language: collect_items(session, day)}
    first = by_language[settings.default_language]
    employed = set(
        session.exec(
            select(Person.id).where(
                Person.id.in_(list(first)),  # type: ignore[union-attr]
                sa.or_(Person.employed_to.is_(None), Person.employed_to >= day),  # type: ignore[union-attr,operator]
            )
        ).all()
    )
    to = recipients(session, employed)
    digests: list[Digest] = []
    for person_id in sorted(to):
        recipient = to[person_id]
        if recipient.language not in by_language:
            with in_language(recipient.language):
                by_language[recipient.language] = collect_items(session, day)
        items = by_language[recipient.language].get(person_id)
        if not items:
            continue
        with in_language(recipient.language):
            digests.append(render_digest(recipient, items, day))
    return digests, len(employed), len(employed) - len(to)


def run_reminders(engine: Engine, settings: Settings, day: date) -> RemindResult:
    """Enqueue today's digests (each person once per day, whoever runs first), then deliver
    the outbox, which also retries earlier unsent mail."""
    with using_settings(settings):
        # Read first and end that transaction: on SQLite a transaction that has read and then
        # writes after another process committed fails at once instead of waiting its turn.
        with Session(engine) as session:
            digests, with_items, without_email = prepare_digests(session, settings, day)
        enqueued = already = 0
        with Session(engine) as session:
            for digest in digests:  # sorted by person: concurrent runs lock in one order
                claimed = insert_ignoring_conflict(
                    session,
                    ReminderDigest.__table__,  # type: ignore[attr-defined]
                    {"person_id": digest.person_id, "day": day, "created_at": utcnow()},
                    ["person_id", "day"],
                )
                if not claimed:
                    already += 1
                    continue
                enqueue(
                    session,
                    recipient=digest.email,
                    subject=digest.subject,
                    body=digest.body,
                    dedupe_key=f"digest:{digest.person_id}:{day.isoformat()}",
                )
                enqueued += 1
            session.commit()
        from hms_tracker.amu.invitations import send_due_agendas

        agendas = send_due_agendas(
            engine, day=day, days_before=settings.amu_agenda_days, base_url=settings.base_url
        )
    delivery = deliver_pending(engine, settings)
    return RemindResult(with_items, without_email, enqueued, already, delivery, agendas)
