"""Which tables the audit trail leaves out, and why.

Auditing is opt-in per table (`__audited__ = True` on the model, see `service.py`), so a
new table is not audited until someone says so. `tests/audit/test_every_table_audited.py`
fails on a table that is neither audited nor listed here: a table that holds what people
registered must be audited, and anything else must give its reason below.
"""

from __future__ import annotations

AUDIT_EXEMPT: dict[str, str] = {
    "audit_event": (
        "The audit trail itself: append-only (service.py refuses updates and deletes), and "
        "an event about writing an event would never end."
    ),
    "user_session": (
        "Login bookkeeping, written on every request (last_seen_at). The row's id is the "
        "hash of a live cookie's token. Logins show on app_user.last_login_at, and an admin "
        "ending someone's sessions is recorded with record_event('sessions_ended')."
    ),
    "form_submission": (
        "A create form's one-time key and where its first saving went (web/once.py): request "
        "bookkeeping, forgotten after two days; what the form saved is audited itself."
    ),
    "login_throttle": (
        "Counters of failed logins per hashed e-mail or client address, written before the "
        "password is checked; a guess at a password is not a change to the company's records."
    ),
    "outbox_message": (
        "E-mails waiting to be sent and their delivery attempts: what a change or a reminder "
        "tells someone, not a record of its own (the change itself is audited)."
    ),
    "data_version": (
        "One row whose random token changes with every write to the records (db.py), so "
        "that what is computed from them can be cached; it says nothing of its own."
    ),
    "reminder_digest": (
        "One row per person and day so that the daily reminder is prepared once; bookkeeping "
        "of the reminder job, not a record anyone registers."
    ),
    # The pulse survey is anonymous (barometer/models.py): an audit event carries the actor
    # and the time, the very link between a person and an answer that must not exist.
    "survey_participation": (
        "Who has answered a pulse survey, kept only to refuse a second answer; an event would "
        "add the time each person answered, which the survey deliberately does not keep."
    ),
    "survey_response": (
        "An anonymous pulse-survey response: an event would name the respondent (the actor) "
        "and the time, linking the person to the answers."
    ),
    "survey_answer": (
        "The options of an anonymous pulse-survey response: an event would name the "
        "respondent and the time."
    ),
    "survey_comment": (
        "The free texts of an anonymous pulse-survey response: an event would name the "
        "respondent and the time."
    ),
}
