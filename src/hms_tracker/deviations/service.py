"""Deviations (avvik): report, who may see and do what, the workflow, corrective actions,
comments, attachments, the list with filters, receipt codes.

Keyword-only functions, `session` first. The workflow (DESIGN.md):

    registrert ──assign──► under behandling ──(first action)──► tiltak ──close──► lukket
         └──────reject──────────┘                                                │
                                    avvist ◄─reject          reopen(reason) ◄────┘

- Only the coordinator (admin) or a leader of the deviation's department assigns, rejects,
  closes and reopens. The responsible person works on it: edits, adds actions.
- A deviation cannot close while an action is open; closing records the root cause and
  whether the actions worked.
- Every change lands in the audit trail (session listener); the timeline is read from it.
- Anonymous reports keep no reporter, only a hash of their receipt code.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import Field
from sqlmodel import Session, col, select

from hms_tracker.db import batches, claim_version, utcnow
from hms_tracker.deviations import breaches
from hms_tracker.deviations.access import Access, require, visible_clause
from hms_tracker.deviations.forms import (
    ActionDoneForm,
    ActionForm,
    AssignForm,
    CloseForm,
    CommentForm,
    EditForm,
    NotificationForm,
    ReasonForm,
    ReportForm,
)
from hms_tracker.deviations.models import (
    OPEN_STATUSES,
    ActionsEffect,
    CommentVisibility,
    CorrectiveAction,
    Deviation,
    DeviationAttachment,
    DeviationCategory,
    DeviationComment,
    DeviationStatus,
)
from hms_tracker.deviations.search import search_words
from hms_tracker.errors import InvalidInput, NotFound, TransitionRefused
from hms_tracker.organisation.models import Department, Person
from hms_tracker.organisation.service import departments_by_name
from hms_tracker.risk import LEVEL_RANGES
from hms_tracker.web.auth import Principal
from hms_tracker.web.filters import (
    Flag,
    ListQuery,
    OptionalId,
    PageNumber,
    SearchText,
    contains_pattern,
    one_of,
)
from hms_tracker.web.i18n import _, format_datetime, ngettext
from hms_tracker.web.pagination import count_rows, paged
from hms_tracker.web.params import parse_id
from hms_tracker.web.uploads import CheckedUpload

# A report may say it happened a little in the future (clocks differ); more is a mistake.
CLOCK_SLACK = timedelta(minutes=10)
PAGE_SIZE = 25

# --- reporting ------------------------------------------------------------------------------

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
RECEIPT_LENGTH = 16  # ≈ 79 bits


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt_code(code: str) -> str:
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    return text.replace("O", "0").replace("I", "1").replace("L", "1")


def hash_receipt_code(code: str) -> str:
    return hashlib.sha256(normalise_receipt_code(code).encode()).hexdigest()


def find_by_receipt(*, session: Session, code: str) -> Deviation | None:
    if len(normalise_receipt_code(code)) != RECEIPT_LENGTH:
        return None
    return session.exec(
        select(Deviation).where(Deviation.receipt_code_hash == hash_receipt_code(code))
    ).first()


def _check_report(
    session: Session, data: ReportForm, now: datetime, current_routine_id: int | None = None
) -> None:
    errors: dict[str, str] = {}
    department = session.get(Department, data.department_id)
    if department is None or (
        department.closed_on is not None and department.closed_on <= now.date()
    ):
        errors["department_id"] = _("Velg en avdeling fra listen.")
    if data.occurred_at > now + CLOCK_SLACK:
        errors["occurred_at"] = _("Tidspunktet kan ikke være fram i tid.")
    if data.serious_injury and data.category != DeviationCategory.personal_injury:
        errors["serious_injury"] = _(
            "Alvorlig personskade kan bare krysses av når kategorien er personskade."
        )
    if data.caused_absence is not None and data.category != DeviationCategory.personal_injury:
        data.caused_absence = None
    try:  # the broken routine: kept only for "brudd på rutine" (deviations/breaches.py)
        data.routine_id = breaches.checked_routine_id(
            session=session,
            category=data.category.value,
            routine_id=data.routine_id,
            current_id=current_routine_id,
        )
    except ValueError as exc:
        errors["routine_id"] = str(exc)
    if errors:
        raise InvalidInput(errors)


def create_deviation(
    *,
    session: Session,
    data: ReportForm,
    reporter: Person | None,
    attachments: list[CheckedUpload] = (),  # type: ignore[assignment]
    now: datetime | None = None,
) -> tuple[Deviation, str | None]:
    """A new deviation. Without a reporter it is anonymous and gets a receipt code, which is
    returned once and stored only as a hash."""
    now = now or utcnow()
    _check_report(session, data, now)
    receipt = None if reporter is not None else new_receipt_code()
    deviation = Deviation(
        title=data.title,
        description=data.description,
        department_id=data.department_id,
        place=data.place,
        occurred_at=data.occurred_at,
        category=data.category.value,
        consequence=data.consequence,
        probability=data.probability,
        immediate_action=data.immediate_action,
        serious_injury=data.serious_injury,
        caused_absence=data.caused_absence,
        routine_id=data.routine_id,
        reporter_person_id=reporter.id if reporter else None,
        anonymous=reporter is None,
        receipt_code_hash=hash_receipt_code(receipt) if receipt else None,
        created_at=now,
    )
    session.add(deviation)
    session.flush()
    add_attachments(
        session=session,
        deviation=deviation,
        uploads=list(attachments),
        person_id=reporter.id if reporter else None,
        from_reporter=True,
    )
    return deviation, receipt


def add_attachments(
    *,
    session: Session,
    deviation: Deviation,
    uploads: list[CheckedUpload],
    person_id: int | None,
    from_reporter: bool,
    comment_id: int | None = None,
) -> list[DeviationAttachment]:
    rows = []
    for upload in uploads:
        row = DeviationAttachment(
            deviation_id=deviation.id,
            content=upload.content,
            content_type=upload.content_type,
            filename=upload.filename,
            size=upload.size,
            uploaded_by_person_id=person_id,
            from_reporter=from_reporter,
            comment_id=comment_id,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def reporter_may_see(*, session: Session, attachment: DeviationAttachment) -> bool:
    """The reporter sees the files they sent and those on comments made visible to them."""
    if attachment.from_reporter:
        return True
    if attachment.comment_id is None:
        return False
    comment = session.get(DeviationComment, attachment.comment_id)
    return (
        comment is not None
        and comment.visibility == CommentVisibility.reporter.value
        and comment.withdrawn_at is None
    )


def attachments_of(
    *, session: Session, deviation: Deviation, include_withdrawn: bool = False
) -> list[DeviationAttachment]:
    """Attachments without their content (deferred), oldest first."""
    query = (
        select(DeviationAttachment)
        .where(DeviationAttachment.deviation_id == deviation.id)
        .options(sa.orm.defer(DeviationAttachment.content))
        .order_by(col(DeviationAttachment.uploaded_at), col(DeviationAttachment.id))
    )
    if not include_withdrawn:
        query = query.where(col(DeviationAttachment.withdrawn_at).is_(None))
    return list(session.exec(query).all())


def get_attachment(
    *, session: Session, deviation: Deviation, attachment_id: int
) -> DeviationAttachment:
    row = session.get(DeviationAttachment, attachment_id)
    if row is None or row.deviation_id != deviation.id or row.withdrawn_at is not None:
        raise NotFound()
    return row


# --- editing ------------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "title",
    "description",
    "department_id",
    "place",
    "occurred_at",
    "category",
    "consequence",
    "probability",
    "immediate_action",
    "serious_injury",
    "caused_absence",
    "routine_id",
)


def form_values_of(deviation: Deviation) -> dict[str, Any]:
    return {name: getattr(deviation, name) for name in EDITABLE_FIELDS}


def update_deviation(
    *,
    session: Session,
    access: Access,
    deviation: Deviation,
    data: EditForm,
    now: datetime | None = None,
) -> Deviation:
    """Save an edit made on version `data.version`; EditConflict if someone saved since.

    The mark "serious personal injury" carries the duty to notify (AML § 5-2): only the
    leader or the coordinator changes it, and once a notification is recorded the mark stays
    (the record of the notification is never erased)."""
    now = now or utcnow()
    require(access, "deviation.edit")
    if not deviation.is_open:
        raise TransitionRefused(
            _("Et lukket eller avvist avvik kan ikke endres. Gjenåpne det først.")
        )
    _check_report(session, data, now, current_routine_id=deviation.routine_id)
    if data.serious_injury != deviation.serious_injury:
        if not access.handle:
            raise InvalidInput(
                {
                    "serious_injury": _(
                        "Bare lederen for avdelingen eller HMS-koordinatoren kan endre om "
                        "avviket er en alvorlig personskade."
                    )
                }
            )
        if deviation.notified_at is not None:
            raise InvalidInput(
                {
                    "serious_injury": _(
                        "Varslingen til Arbeidstilsynet og politiet er registrert, så merket "
                        "alvorlig personskade kan ikke fjernes."
                    )
                }
            )
    claim_version(session, deviation, data.version)
    for name in EDITABLE_FIELDS:
        value = getattr(data, name)
        setattr(deviation, name, value.value if name == "category" else value)
    session.add(deviation)
    session.flush()
    return deviation


# --- workflow -----------------------------------------------------------------------------


def _active_person(session: Session, person_id: int, day: date, field_name: str) -> Person:
    person = session.get(Person, person_id)
    if person is None or not person.is_active_on(day):
        raise InvalidInput({field_name: _("Velg en person som er ansatt i dag.")})
    return person


def assign(
    *,
    session: Session,
    access: Access,
    deviation: Deviation,
    data: AssignForm,
    today: date,
    by_person_id: int | None = None,
) -> Deviation:
    """Give the deviation a responsible person and a deadline (also to reassign)."""
    require(access, "deviation.assign")
    if not deviation.is_open:
        raise TransitionRefused(
            _("Et lukket eller avvist avvik kan ikke tildeles. Gjenåpne det først.")
        )
    _active_person(session, data.responsible_person_id, today, "responsible_person_id")
    if data.deadline < today:
        raise InvalidInput({"deadline": _("Fristen kan ikke være før i dag.")})
    claim_version(session, deviation, data.version)
    changed_person = deviation.responsible_person_id != data.responsible_person_id
    deviation.responsible_person_id = data.responsible_person_id
    deviation.deadline = data.deadline
    if deviation.status == DeviationStatus.registered:
        deviation.status = DeviationStatus.in_progress.value
    session.add(deviation)
    session.flush()
    # Nobody needs an e-mail about what they just did themselves.
    if changed_person and data.responsible_person_id != by_person_id:
        from hms_tracker.notifications import service as mail

        mail.notify_assigned(session, deviation)
    return deviation


def reject(
    *, session: Session, access: Access, deviation: Deviation, data: ReasonForm
) -> Deviation:
    require(access, "deviation.reject")
    if deviation.status not in (DeviationStatus.registered, DeviationStatus.in_progress):
        raise TransitionRefused(
            _(
                "Bare et avvik som er registrert eller under behandling kan avvises. "
                "Et avvik med tiltak lukkes når tiltakene er gjort."
            )
        )
    if deviation.awaits_notification:
        # Rejecting would leave the duty of AML § 5-2 open on a case nobody handles.
        raise TransitionRefused(
            _(
                "Avviket er merket som alvorlig personskade. Registrer når Arbeidstilsynet og "
                "politiet ble varslet (arbeidsmiljøloven § 5-2), eller endre meldingen og fjern "
                "merket hvis det ikke var en alvorlig personskade, før du avviser det."
            )
        )
    claim_version(session, deviation, data.version)
    deviation.status = DeviationStatus.rejected.value
    deviation.rejection_reason = data.reason
    deviation.closed_at = utcnow()
    session.add(deviation)
    session.flush()
    from hms_tracker.notifications import service as mail

    mail.notify_reporter(session, deviation)
    return deviation


def open_actions(*, session: Session, deviation: Deviation) -> list[CorrectiveAction]:
    return [a for a in actions_of(session=session, deviation=deviation) if a.is_open]


def close(
    *,
    session: Session,
    access: Access,
    deviation: Deviation,
    data: CloseForm,
    closed_by: int,
) -> Deviation:
    require(access, "deviation.close")
    if deviation.status not in (DeviationStatus.in_progress, DeviationStatus.actions):
        raise TransitionRefused(
            _("Bare et avvik som er under behandling eller har tiltak kan lukkes.")
        )
    if deviation.awaits_notification:
        raise TransitionRefused(
            _(
                "Avviket gjelder alvorlig personskade. Registrer når Arbeidstilsynet og politiet "
                "ble varslet (arbeidsmiljøloven § 5-2) før du lukker det."
            )
        )
    still_open = open_actions(session=session, deviation=deviation)
    if still_open:
        raise TransitionRefused(
            ngettext(
                "Avviket kan ikke lukkes mens %(num)s tiltak er åpent. Merk tiltaket som "
                "utført, eller trekk det tilbake med en begrunnelse.",
                "Avviket kan ikke lukkes mens %(num)s tiltak er åpne. Merk tiltakene som "
                "utført, eller trekk dem tilbake med en begrunnelse.",
                len(still_open),
            )
        )
    done = [a for a in actions_of(session=session, deviation=deviation) if a.withdrawn_at is None]
    if done and data.actions_effect == ActionsEffect.no_actions:
        raise InvalidInput({"actions_effect": _("Avviket har tiltak. Si om tiltakene virket.")})
    if not done and data.actions_effect != ActionsEffect.no_actions:
        raise InvalidInput(
            {
                "actions_effect": _(
                    "Avviket har ingen tiltak. Velg «Ingen tiltak var nødvendige», eller "
                    "legg til tiltakene først."
                )
            }
        )
    if data.actions_effect in (ActionsEffect.no, ActionsEffect.partly) and not data.closing_note:
        raise InvalidInput(
            {
                "closing_note": _(
                    "Forklar hvorfor avviket lukkes selv om tiltakene ikke virket fullt ut."
                )
            }
        )
    if data.actions_effect == ActionsEffect.no_actions and not data.closing_note:
        raise InvalidInput({"closing_note": _("Forklar hvorfor ingen tiltak var nødvendige.")})
    claim_version(session, deviation, data.version)
    deviation.status = DeviationStatus.closed.value
    deviation.root_cause = data.root_cause
    deviation.actions_effect = data.actions_effect.value
    deviation.closing_note = data.closing_note
    deviation.reporter_summary = data.reporter_summary
    deviation.closed_at = utcnow()
    deviation.closed_by_person_id = closed_by
    session.add(deviation)
    session.flush()
    from hms_tracker.notifications import service as mail

    mail.notify_reporter(session, deviation)
    return deviation


@dataclass(frozen=True)
class DoneAction:
    """A corrective action as the reporter sees it: what was done and when, no names."""

    description: str
    done_on: date


@dataclass(frozen=True)
class ReporterOutcome:
    """What the reporter (logged in, or with the receipt code) is told about a closed case:
    the summary written for them, the actions that were done, and whether they worked.
    Never the root cause, the closing note, internal comments or anyone's name."""

    summary: str | None
    actions: list[DoneAction]
    effect: str | None


def reporter_outcome(*, session: Session, deviation: Deviation) -> ReporterOutcome | None:
    """The outcome to show the reporter; None unless the case is closed (a rejected case
    shows its reason, which is written for the reporter)."""
    if deviation.status != DeviationStatus.closed:
        return None
    done = [
        DoneAction(description=a.description, done_on=a.done_on)
        for a in actions_of(session=session, deviation=deviation)
        if a.done_on is not None and a.withdrawn_at is None
    ]
    done.sort(key=lambda a: a.done_on)
    return ReporterOutcome(
        summary=deviation.reporter_summary, actions=done, effect=deviation.actions_effect
    )


def reopen(
    *, session: Session, access: Access, deviation: Deviation, data: ReasonForm
) -> Deviation:
    require(access, "deviation.reopen")
    if deviation.is_open:
        raise TransitionRefused(_("Bare et lukket eller avvist avvik kan gjenåpnes."))
    claim_version(session, deviation, data.version)
    deviation.reopen_reason = data.reason
    if deviation.responsible_person_id is None:
        deviation.status = DeviationStatus.registered.value
    elif open_actions(session=session, deviation=deviation):
        deviation.status = DeviationStatus.actions.value
    else:
        deviation.status = DeviationStatus.in_progress.value
    deviation.closed_at = None
    deviation.closed_by_person_id = None
    session.add(deviation)
    session.flush()
    return deviation


def record_notification(
    *,
    session: Session,
    access: Access,
    deviation: Deviation,
    data: NotificationForm,
    person_id: int,
    now: datetime | None = None,
) -> Deviation:
    """AML § 5-2: when Arbeidstilsynet and the police were notified, and by whom."""
    require(access, "deviation.notify")
    now = now or utcnow()
    if not deviation.serious_injury:
        raise TransitionRefused(_("Avviket er ikke merket som alvorlig personskade."))
    if deviation.notified_at is not None:
        raise TransitionRefused(
            _(
                "Varslingen er allerede registrert (%(when)s). Skriv en kommentar hvis noe "
                "skal legges til.",
                when=format_datetime(deviation.notified_at, "short"),
            )
        )
    if data.notified_at > now + CLOCK_SLACK:
        raise InvalidInput({"notified_at": _("Tidspunktet kan ikke være fram i tid.")})
    if data.notified_at < deviation.occurred_at - CLOCK_SLACK:
        raise InvalidInput({"notified_at": _("Varslingen kan ikke være før hendelsen skjedde.")})
    claim_version(session, deviation, data.version)
    deviation.notified_at = data.notified_at
    deviation.notified_by_person_id = person_id
    deviation.notification_note = data.notification_note
    session.add(deviation)
    session.flush()
    return deviation


# --- corrective actions -------------------------------------------------------------------


def actions_of(*, session: Session, deviation: Deviation) -> list[CorrectiveAction]:
    return list(
        session.exec(
            select(CorrectiveAction)
            .where(CorrectiveAction.deviation_id == deviation.id)
            .order_by(col(CorrectiveAction.deadline), col(CorrectiveAction.id))
        ).all()
    )


def get_action(*, session: Session, deviation: Deviation, action_id: int) -> CorrectiveAction:
    action = session.get(CorrectiveAction, action_id)
    if action is None or action.deviation_id != deviation.id:
        raise NotFound()
    return action


def add_action(
    *,
    session: Session,
    access: Access,
    deviation: Deviation,
    data: ActionForm,
    today: date,
) -> CorrectiveAction:
    require(access, "deviation.add_action")
    if deviation.status not in (DeviationStatus.in_progress, DeviationStatus.actions):
        if deviation.status == DeviationStatus.registered:
            raise TransitionRefused(
                _("Tildel avviket til en ansvarlig med frist før du legger til tiltak.")
            )
        raise TransitionRefused(
            _("Et lukket eller avvist avvik kan ikke få nye tiltak. Gjenåpne det først.")
        )
    _active_person(session, data.owner_person_id, today, "owner_person_id")
    if data.deadline < today:
        raise InvalidInput({"deadline": _("Fristen kan ikke være før i dag.")})
    action = CorrectiveAction(
        deviation_id=deviation.id,
        description=data.description,
        owner_person_id=data.owner_person_id,
        deadline=data.deadline,
    )
    session.add(action)
    if deviation.status == DeviationStatus.in_progress:
        deviation.status = DeviationStatus.actions.value
        deviation.version += 1
        session.add(deviation)
    session.flush()
    from hms_tracker.notifications import service as mail

    mail.notify_action_created(session, action, deviation)
    return action


def complete_action(
    *,
    session: Session,
    access: Access,
    principal: Principal,
    deviation: Deviation,
    action: CorrectiveAction,
    data: ActionDoneForm,
    today: date,
) -> CorrectiveAction:
    require(access, "deviation.action_done", own=action.owner_person_id == principal.person_id)
    return mark_action_done(session=session, action=action, data=data, today=today)


def mark_action_done(
    *, session: Session, action: CorrectiveAction, data: ActionDoneForm, today: date
) -> CorrectiveAction:
    """Record an open corrective action as done: the checks and the change shared by a
    deviation's actions and a risk's planned measures (who may do it is the caller's)."""
    if not action.is_open:
        raise TransitionRefused(_("Tiltaket er allerede utført eller trukket tilbake."))
    if data.done_on > today:
        raise InvalidInput({"done_on": _("Datoen kan ikke være fram i tid.")})
    if data.done_on < action.created_at.date() - timedelta(days=1):
        raise InvalidInput({"done_on": _("Datoen kan ikke være før tiltaket ble opprettet.")})
    claim_version(session, action, data.version)
    action.done_on = data.done_on
    action.done_note = data.done_note
    session.add(action)
    session.flush()
    return action


def withdraw_action(
    *, session: Session, access: Access, action: CorrectiveAction, reason: str
) -> CorrectiveAction:
    require(access, "deviation.action_withdraw")
    return mark_action_withdrawn(session=session, action=action, reason=reason)


def mark_action_withdrawn(
    *, session: Session, action: CorrectiveAction, reason: str
) -> CorrectiveAction:
    """Withdraw an open corrective action with a reason (shared with risks' measures)."""
    if not action.is_open:
        raise TransitionRefused(_("Tiltaket er allerede utført eller trukket tilbake."))
    action.withdrawn_at = utcnow()
    action.withdrawn_reason = reason
    action.version += 1
    session.add(action)
    session.flush()
    return action


# --- comments -----------------------------------------------------------------------------


def add_comment(
    *,
    session: Session,
    access: Access | None,
    deviation: Deviation,
    data: CommentForm,
    author_person_id: int | None,
) -> DeviationComment:
    """A comment. The reporter's own comments (and the anonymous reporter's, through the
    receipt code: access None) are always visible to the reporter."""
    from_reporter = access is None or access.reporter_only
    if access is not None:
        require(access, "deviation.comment")
    visibility = CommentVisibility.reporter if from_reporter else data.visibility
    comment = DeviationComment(
        deviation_id=deviation.id,
        author_person_id=author_person_id,
        from_reporter=from_reporter,
        visibility=visibility.value,
        body=data.body,
    )
    session.add(comment)
    session.flush()
    return comment


def comments_of(
    *, session: Session, deviation: Deviation, reporter_view: bool
) -> list[DeviationComment]:
    query = (
        select(DeviationComment)
        .where(DeviationComment.deviation_id == deviation.id)
        .order_by(col(DeviationComment.created_at), col(DeviationComment.id))
    )
    if reporter_view:
        query = query.where(
            DeviationComment.visibility == CommentVisibility.reporter.value,
            col(DeviationComment.withdrawn_at).is_(None),
        )
    return list(session.exec(query).all())


def withdraw_comment(
    *,
    session: Session,
    access: Access,
    principal: Principal,
    comment: DeviationComment,
    reason: str,
) -> DeviationComment:
    require(
        access,
        "deviation.comment_withdraw",
        own=comment.author_person_id == principal.person_id,
    )
    if comment.withdrawn_at is not None:
        raise TransitionRefused(_("Kommentaren er allerede trukket tilbake."))
    comment.withdrawn_at = utcnow()
    comment.withdrawn_reason = reason
    session.add(comment)
    session.flush()
    return comment


def withdraw_attachment(
    *,
    session: Session,
    access: Access,
    principal: Principal,
    attachment: DeviationAttachment,
    reason: str,
) -> DeviationAttachment:
    """Withdraw a file added by mistake (for example a photo showing a face): it is no
    longer shown or sent, the row and the reason stay. The content is kept, as is every
    record here, until the coordinator's retention routine says otherwise."""
    require(
        access,
        "deviation.attachment_withdraw",
        own=attachment.uploaded_by_person_id == principal.person_id,
    )
    if attachment.withdrawn_at is not None:
        raise TransitionRefused(_("Vedlegget er allerede trukket tilbake."))
    case = session.get(Deviation, attachment.deviation_id)
    if case is not None and not case.is_open and not access.handle:
        # A closed or rejected case keeps its evidence; who handles it may still take out
        # a file that must go (a photo showing a face).
        raise TransitionRefused(
            _(
                "Avviket er ferdig behandlet, og vedleggene blir stående. Be lederen for "
                "avdelingen eller HMS-koordinatoren om å trekke det tilbake hvis det må bort."
            )
        )
    attachment.withdrawn_at = utcnow()
    attachment.withdrawn_reason = reason
    session.add(attachment)
    session.flush()
    return attachment


# --- the list -----------------------------------------------------------------------------

SORTS = ("newest", "oldest", "risk", "deadline", "updated")


class ListFilters(ListQuery):
    """The deviation list's filters, from the address and back into its links."""

    q: SearchText = ""
    # A DeviationStatus value, "open", or "" for all.
    status: Annotated[str, one_of("open", *(s.value for s in DeviationStatus))] = ""
    category: Annotated[str, one_of(*(c.value for c in DeviationCategory))] = ""
    department_id: OptionalId = Field(None, alias="department")
    risk: Annotated[str, one_of(*LEVEL_RANGES)] = ""  # low / medium / high / critical
    overdue: Flag = False
    mine: Flag = False  # reported by me
    assigned: Flag = False  # responsible, or owner of an action
    sort: Annotated[str, one_of(*SORTS)] = "newest"
    page: PageNumber = 1


def overdue_clause(today: date) -> Any:
    """SQL: open, and past its deadline or with an open action past its deadline."""
    late_action = select(CorrectiveAction.deviation_id).where(
        col(CorrectiveAction.deadline) < today,
        col(CorrectiveAction.done_on).is_(None),
        col(CorrectiveAction.withdrawn_at).is_(None),
    )
    return sa.and_(
        col(Deviation.status).in_([s.value for s in OPEN_STATUSES]),
        sa.or_(col(Deviation.deadline) < today, col(Deviation.id).in_(late_action)),
    )


def _filtered(principal: Principal, filters: ListFilters, today: date) -> Any:
    query = select(Deviation).where(visible_clause(principal))
    if filters.status == "open":
        query = query.where(col(Deviation.status).in_([s.value for s in OPEN_STATUSES]))
    elif filters.status:
        query = query.where(Deviation.status == filters.status)
    if filters.category:
        query = query.where(Deviation.category == filters.category)
    if filters.department_id:
        query = query.where(Deviation.department_id == filters.department_id)
    if filters.risk:
        low, high = LEVEL_RANGES[filters.risk]
        score = col(Deviation.consequence) * col(Deviation.probability)
        query = query.where(score >= low, score <= high)
    if filters.overdue:
        query = query.where(overdue_clause(today))
    if filters.mine:
        query = query.where(Deviation.reporter_person_id == principal.person_id)
    if filters.assigned:
        owned = select(CorrectiveAction.deviation_id).where(
            CorrectiveAction.owner_person_id == principal.person_id,
            col(CorrectiveAction.done_on).is_(None),
            col(CorrectiveAction.withdrawn_at).is_(None),
        )
        query = query.where(
            sa.or_(
                col(Deviation.responsible_person_id) == principal.person_id,
                col(Deviation.id).in_(owned),
            )
        )
    text = filters.q.strip()
    if text:
        number = text.lstrip("#")
        # Every word somewhere in the title, the description or the place (deviations/search.py).
        each_word = []
        for word in search_words(text) or [text.lower()]:
            pattern = contains_pattern(word)
            each_word.append(col(Deviation.search_text).like(pattern, escape="\\"))
        matches = [sa.and_(*each_word)]
        if (deviation_id := parse_id(number)) is not None:  # not "²" or "١"
            matches.append(col(Deviation.id) == deviation_id)
        query = query.where(sa.or_(*matches))
    return query


def _ordered(query: Any, sort: str) -> Any:
    score = col(Deviation.consequence) * col(Deviation.probability)
    if sort == "oldest":
        return query.order_by(col(Deviation.created_at), col(Deviation.id))
    if sort == "risk":
        return query.order_by(
            score.desc(), col(Deviation.created_at).desc(), col(Deviation.id).desc()
        )
    if sort == "deadline":
        return query.order_by(
            col(Deviation.deadline).is_(None), col(Deviation.deadline), col(Deviation.id)
        )
    return query.order_by(col(Deviation.created_at).desc(), col(Deviation.id).desc())


@dataclass
class DeviationRow:
    deviation: Deviation
    department: str
    responsible: str | None
    overdue: bool  # open, and past its own deadline or with an open action past its deadline
    case_overdue: bool = False  # past the case's own deadline


@dataclass
class DeviationPage:
    rows: list[DeviationRow]
    total: int
    page: int
    pages: int
    filters: ListFilters = field(default_factory=ListFilters)


def deviation_rows(
    session: Session, deviations: list[Deviation], today: date
) -> list[DeviationRow]:
    if not deviations:
        return []
    # In batches: an export holds every deviation, more ids than one statement may carry.
    late: set[int] = set()
    for ids in batches([d.id for d in deviations if d.id is not None]):
        late.update(
            session.exec(
                select(CorrectiveAction.deviation_id).where(
                    col(CorrectiveAction.deviation_id).in_(ids),
                    col(CorrectiveAction.deadline) < today,
                    col(CorrectiveAction.done_on).is_(None),
                    col(CorrectiveAction.withdrawn_at).is_(None),
                )
            ).all()
        )
    departments = dict(departments_by_name(session=session))
    names: dict[int, str] = {}
    for people in batches(
        sorted({d.responsible_person_id for d in deviations if d.responsible_person_id})
    ):
        names.update(
            session.exec(select(Person.id, Person.name).where(col(Person.id).in_(people))).all()
        )
    return [
        DeviationRow(
            deviation=d,
            department=departments.get(d.department_id, ""),
            responsible=names.get(d.responsible_person_id) if d.responsible_person_id else None,
            overdue=d.is_open and ((d.deadline is not None and d.deadline < today) or d.id in late),
            case_overdue=d.is_open and d.deadline is not None and d.deadline < today,
        )
        for d in deviations
    ]


def list_deviations(
    *, session: Session, principal: Principal, filters: ListFilters, today: date
) -> DeviationPage:
    found, where = paged(
        session,
        _ordered(_filtered(principal, filters, today), filters.sort),
        requested=filters.page,
        size=PAGE_SIZE,
    )
    filters.page = where.number
    return DeviationPage(
        rows=deviation_rows(session, found, today),
        total=where.total,
        page=where.number,
        pages=where.pages,
        filters=filters,
    )


def count_deviations(
    *, session: Session, principal: Principal, filters: ListFilters, today: date
) -> int:
    """How many deviations the list shows for these filters (the home page's counts link
    to it)."""
    return count_rows(session, _filtered(principal, filters, today))


def export_deviations(
    *, session: Session, principal: Principal, filters: ListFilters, today: date
) -> list[DeviationRow]:
    """Every deviation matching the filters (no paging), for CSV/XLSX."""
    found = session.exec(_ordered(_filtered(principal, filters, today), filters.sort)).all()
    return deviation_rows(session, list(found), today)


def department_filter_options(*, session: Session, principal: Principal) -> list[tuple[int, str]]:
    """Departments to filter the list by: every open one (and closed ones with deviations)
    for the admin; for others the departments they lead or cover as verneombud and those of
    the deviations they can see."""
    # EXISTS per department (through the index on department_id), not DISTINCT over
    # every deviation.
    with_deviations = (
        sa.exists()
        .where(col(Deviation.department_id) == col(Department.id), visible_clause(principal))
        .correlate(Department)
    )
    query = select(Department.id, Department.name).order_by(Department.name)
    if principal.is_admin:
        query = query.where(sa.or_(col(Department.closed_on).is_(None), with_deviations))
    else:
        scope = set(principal.led_department_ids) | set(
            principal.scopes.get("safety_area", frozenset())
        )
        query = query.where(sa.or_(col(Department.id).in_(scope), with_deviations))
    return [(dept_id, name) for dept_id, name in session.exec(query).all() if dept_id is not None]


# --- people to choose -------------------------------------------------------------------
