"""Who may do what with the AMU's work.

The committee's page and its meetings are read by its members (regular and deputies), the
verneombud and the coordinator (AML § 7-2: the committee reviews the whole company's
working environment; the verneombud sit in it or report to it). The members and the
coordinator prepare meetings: plan them, edit the agenda, record attendance, minutes and
decisions. Only the chair of the meeting's day approves the minutes, which locks them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hms_tracker.appointments.access import REPRESENTATIVE_ROLES
from hms_tracker.web.auth import Action, Principal, admin, anyone, register_actions


def reads_amu(p: Principal) -> bool:
    return p.is_admin or bool(p.roles & REPRESENTATIVE_ROLES)


def prepares_amu(p: Principal) -> bool:
    return p.is_admin or p.has_role("amu_member")


@dataclass(frozen=True)
class Chair:
    """Who chairs the committee on a meeting's day (None: nobody registered)."""

    person_id: int | None


def _is_chair(p: Principal, chair: Chair) -> bool:
    return chair.person_id is not None and chair.person_id == p.person_id


def _owns_or_reads(p: Principal, owner_person_id: int) -> bool:
    return owner_person_id == p.person_id or reads_amu(p)


def _owns_or_prepares(p: Principal, owner_person_id: int) -> bool:
    return owner_person_id == p.person_id or prepares_amu(p)


register_actions(
    Action("amu.view", reads_amu),
    # A decision's follow-up action is read and done by its owner, whoever that is, and
    # read by those who read the AMU's work (done by those who prepare it). The record is
    # the action's owner (a person id).
    Action("amu.follow_up.view", anyone, record=_owns_or_reads),
    Action("amu.follow_up.done", anyone, record=_owns_or_prepares),
    Action("amu.prepare", prepares_amu),
    Action("amu.approve", prepares_amu, record=_is_chair),
)

# The inspection pack (amu/inspection.py): every register of the company in one download,
# for the coordinator only (the deviation log and the training records name people).
register_actions(Action("inspection.download", admin))
