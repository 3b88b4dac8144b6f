"""Who may read the audit trail: the coordinator."""

from __future__ import annotations

from hms_tracker.web.auth import Action, admin, register_actions

register_actions(Action("audit.read", admin))
