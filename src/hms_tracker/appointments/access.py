"""Who may do what with appointments (verneombud, AMU), and the roles they give."""

from __future__ import annotations

from hms_tracker.web.auth import Action, Principal, admin, anyone, register_actions

# Roles that appointments give (appointments/service.py: appointment_roles).
REPRESENTATIVE_ROLES = frozenset({"safety_rep", "chief_safety_rep", "amu_member"})


def sees_company_figures(p: Principal) -> bool:
    """The coordinator, leaders, verneombud and AMU members: the company's gaps and
    figures."""
    return p.is_admin or p.is_leader or bool(p.roles & REPRESENTATIVE_ROLES)


register_actions(
    Action(
        "appointments.view",
        anyone,
        everyone="who represents whom is known to every employee (the notice, AML § 6-1)",
    ),
    Action("appointments.manage", admin),
)
