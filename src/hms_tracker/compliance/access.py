"""Who may do what with the company's compliance picture and its rule settings."""

from __future__ import annotations

from hms_tracker.appointments.access import sees_company_figures
from hms_tracker.web.auth import Action, admin, register_actions

register_actions(
    Action("gaps.view", sees_company_figures),
    Action("training.overview", sees_company_figures),
    Action("settings.manage", admin),
)
