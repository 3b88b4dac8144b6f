"""What other domains call: the e-mails about deviations, and the outbox (outbox.py).

`notify_assigned`, `notify_action_created` and `notify_reporter` write into the outbox in
the caller's transaction; nothing is sent before it commits (see outbox.py for how a web
request's mail is delivered afterwards without the route doing anything).

Each message is rendered in the recipient's language: the one chosen on their account
(`User.language`, set by the language switch), else HMS_DEFAULT_LANGUAGE. A person
without an e-mail address gets nothing. Subjects start with "[HMS]"; the bodies are plain
text rendered from `templates/email/*.txt` (`render_body`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jinja2
from sqlalchemy.orm import Session
from sqlmodel import select

from hms_tracker.accounts.models import User
from hms_tracker.deviations.models import (
    ActionsEffect,
    CorrectiveAction,
    Deviation,
    DeviationStatus,
)
from hms_tracker.notifications.outbox import (
    DeliveryResult,
    current_settings,
    deliver_pending,
    enqueue,
    using_settings,
)
from hms_tracker.organisation.models import Person
from hms_tracker.web import i18n
from hms_tracker.web.i18n import _, lazy
from hms_tracker.web.jinja import make_environment

__all__ = [
    "DeliveryResult",
    "Recipient",
    "deliver_pending",
    "enqueue",
    "notify_action_created",
    "notify_assigned",
    "notify_reporter",
    "recipients",
    "render_body",
    "using_settings",
]

SUBJECT_PREFIX = "[HMS] "

# Subjects of the message to the reporter, by the status their report reached.
_REPORTER_SUBJECTS = {
    DeviationStatus.closed.value: lazy("Avviket du meldte er lukket"),
    DeviationStatus.rejected.value: lazy("Avviket du meldte er avvist"),
}

_mail_env = make_environment(
    autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
)


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str
    email: str
    language: str


def recipients(session: Session, person_ids: set[int]) -> dict[int, Recipient]:
    """The people among `person_ids` who have an e-mail address, with their language."""
    ids = {pid for pid in person_ids if pid is not None}
    if not ids:
        return {}
    default = current_settings().default_language
    rows = session.execute(
        select(Person.id, Person.name, Person.email, User.language)
        .outerjoin(User, User.person_id == Person.id)
        .where(Person.id.in_(ids))  # type: ignore[union-attr]
    ).all()
    found: dict[int, Recipient] = {}
    for person_id, name, email, language in rows:
        if not email or not email.strip():
            continue
        chosen = language if language in i18n.LANGUAGES else default
        if chosen not in i18n.LANGUAGES:
            chosen = i18n.DEFAULT_LANGUAGE
        found[person_id] = Recipient(person_id, name, email.strip(), chosen)
    return found


def recipient(session: Session, person_id: int | None) -> Recipient | None:
    if person_id is None:
        return None
    return recipients(session, {person_id}).get(person_id)


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Render texts (`_()`, format_date) in `language`, then go back to the request's."""
    token = i18n.set_language(language)
    try:
        yield
    finally:
        i18n._language.reset(token)


def link(path: str) -> str:
    return current_settings().base_url.rstrip("/") + path


def deviation_url(deviation_id: int | None) -> str:
    return link(f"/deviations/{deviation_id}")


def render_body(template: str, **context: Any) -> str:
    """A plain-text body from `templates/email/<template>`, in the current language."""
    return _mail_env.get_template(f"email/{template}").render(**context)


def _ensure_ids(session: Session, *records: object) -> None:
    if any(getattr(r, "id", None) is None for r in records):
        session.flush()  # the link and the dedupe key need the ids


def notify_assigned(session: Session, deviation: Deviation) -> None:
    """Tell the responsible person that the deviation was assigned to them."""
    _ensure_ids(session, deviation)
    to = recipient(session, deviation.responsible_person_id)
    if to is None:
        return
    with in_language(to.language):
        subject = SUBJECT_PREFIX + _("Avvik tildelt deg: %(title)s", title=deviation.title)
        body = render_body(
            "deviation_assigned.txt",
            name=to.name,
            title=deviation.title,
            deadline=deviation.deadline,
            url=deviation_url(deviation.id),
        )
    enqueue(
        session,
        recipient=to.email,
        subject=subject,
        body=body,
        dedupe_key=f"deviation:{deviation.id}:assigned:{to.person_id}:v{deviation.version}",
    )


def notify_action_created(session: Session, action: CorrectiveAction, deviation: Deviation) -> None:
    """Tell the owner of a new corrective action about it."""
    _ensure_ids(session, action, deviation)
    to = recipient(session, action.owner_person_id)
    if to is None:
        return
    with in_language(to.language):
        subject = SUBJECT_PREFIX + _("Nytt tiltak til deg: %(title)s", title=deviation.title)
        body = render_body(
            "action_created.txt",
            name=to.name,
            title=deviation.title,
            description=action.description,
            deadline=action.deadline,
            url=deviation_url(deviation.id),
        )
    enqueue(
        session,
        recipient=to.email,
        subject=subject,
        body=body,
        dedupe_key=f"action:{action.id}:created",
    )


def notify_reporter(session: Session, deviation: Deviation) -> None:
    """Tell the reporter (if known) that their report was closed or rejected, by its status.

    That, the summary written for the reporter on closing (`reporter_summary`, when there is
    one) and the link to the page that shows the actions done and whether they worked. No
    cause, no closing note, no comment — those may be internal; a rejection's reason is
    written for the reporter and shown on the report's page. An open deviation has nothing
    to tell.
    """
    status = deviation.status
    if deviation.anonymous or status not in _REPORTER_SUBJECTS:
        return
    _ensure_ids(session, deviation)
    to = recipient(session, deviation.reporter_person_id)
    if to is None:
        return
    with in_language(to.language):
        subject = SUBJECT_PREFIX + _(_REPORTER_SUBJECTS[status])
        body = render_body(
            "reporter_outcome.txt",
            name=to.name,
            status=status,
            number=deviation.id,
            summary=deviation.reporter_summary if status == DeviationStatus.closed else None,
            with_actions=deviation.actions_effect != ActionsEffect.no_actions,
            url=deviation_url(deviation.id),
        )
    enqueue(
        session,
        recipient=to.email,
        subject=subject,
        body=body,
        dedupe_key=f"deviation:{deviation.id}:{status}:v{deviation.version}",
    )
