"""Imports every table class so that SQLModel.metadata is complete (Alembic, tests)."""

from hms_tracker.accounts.models import LoginThrottle, User, UserSession
from hms_tracker.audit.models import AuditEvent
from hms_tracker.organisation.models import CompanySetting, Department, DepartmentLeader, Person

__all__ = [
    "AuditEvent",
    "CompanySetting",
    "Department",
    "DepartmentLeader",
    "LoginThrottle",
    "Person",
    "User",
    "UserSession",
]
