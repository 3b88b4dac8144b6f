"""Imports every table class so that SQLModel.metadata is complete (Alembic, tests)."""

from hms_tracker.accounts.models import LoginThrottle, User, UserSession
from hms_tracker.amu.models import (
    AmuAgendaItem,
    AmuAttendance,
    AmuDecision,
    AmuMeeting,
    AmuReport,
    CalendarFeed,
)
from hms_tracker.appointments.models import (
    AmuChairPeriod,
    Appointment,
    AppointmentArea,
    SafetyRepAgreement,
)
from hms_tracker.audit.models import AuditEvent
from hms_tracker.barometer.models import (
    BarometerAssessment,
    BarometerGoal,
    BarometerPoint,
    BarometerSnapshot,
    Survey,
    SurveyAnswer,
    SurveyComment,
    SurveyParticipation,
    SurveyResponse,
)
from hms_tracker.db import DataVersion
from hms_tracker.deviations.models import (
    CorrectiveAction,
    Deviation,
    DeviationAttachment,
    DeviationComment,
)
from hms_tracker.notifications.models import OutboxMessage, ReminderDigest
from hms_tracker.organisation.models import CompanySetting, Department, DepartmentLeader, Person
from hms_tracker.risks.models import Risk, RiskRoutine
from hms_tracker.routines.models import (
    Routine,
    RoutineAcknowledgement,
    RoutineAttachment,
    RoutineDepartment,
    RoutineReview,
    RoutineTag,
    RoutineVersion,
)
from hms_tracker.training.models import Certificate, CourseType, TrainingRecord

__all__ = [
    "AmuAgendaItem",
    "AmuAttendance",
    "AmuDecision",
    "AmuMeeting",
    "AmuReport",
    "CalendarFeed",
    "BarometerAssessment",
    "BarometerGoal",
    "BarometerPoint",
    "BarometerSnapshot",
    "DataVersion",
    "Risk",
    "RiskRoutine",
    "Routine",
    "RoutineAcknowledgement",
    "RoutineAttachment",
    "RoutineDepartment",
    "RoutineReview",
    "RoutineTag",
    "RoutineVersion",
    "AmuChairPeriod",
    "Appointment",
    "AppointmentArea",
    "Certificate",
    "CourseType",
    "SafetyRepAgreement",
    "TrainingRecord",
    "AuditEvent",
    "Survey",
    "SurveyAnswer",
    "SurveyComment",
    "SurveyParticipation",
    "SurveyResponse",
    "CorrectiveAction",
    "Deviation",
    "DeviationAttachment",
    "DeviationComment",
    "OutboxMessage",
    "ReminderDigest",
    "CompanySetting",
    "Department",
    "DepartmentLeader",
    "LoginThrottle",
    "Person",
    "User",
    "UserSession",
]
