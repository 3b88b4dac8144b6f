"""Who may see the barometer answered from the records."""

from __future__ import annotations

from hms_tracker.appointments.access import sees_company_figures
from hms_tracker.web.auth import Action, admin, register_actions

register_actions(
    # The company's picture: the coordinator, leaders, verneombud and AMU members, as /gaps.
    Action("barometer.view", sees_company_figures),
    # The coordinator's own answers and the yearly snapshot.
    Action("barometer.assess", admin),
)
