"""Incidents, difficulty reports and duty rosters (docs/architecture.md,
"Apps and their dependencies").

May import `contacts`, never `readiness` (tests/test_layering.py).
"""

from incidents.models.incidents import (
    OPEN_STATUSES,
    SEVERITY_RANK,
    TRANSITIONS,
    Category,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Service,
    Severity,
    SeverityPolicy,
    UpdateKind,
)
from incidents.models.roll_calls import RollCall, RollCallAudience, RollCallEntry
from incidents.models.rosters import Shift
from incidents.models.status_reports import (
    OverallStatus,
    ReportingMoment,
    ReportingPeriod,
    StatusReport,
)

__all__ = [
    "OPEN_STATUSES",
    "SEVERITY_RANK",
    "TRANSITIONS",
    "Category",
    "Incident",
    "OverallStatus",
    "ReportingMoment",
    "ReportingPeriod",
    "RollCall",
    "RollCallAudience",
    "RollCallEntry",
    "StatusReport",
    "IncidentStatus",
    "IncidentUpdate",
    "Service",
    "Severity",
    "SeverityPolicy",
    "Shift",
    "UpdateKind",
]
