"""Changes to incidents and rosters (STYLE §3): each in one transaction."""

from incidents.services.incidents import (
    IncidentReport,
    difficulty_answer,
    incident_acknowledge,
    incident_close,
    incident_comment,
    incident_reopen,
    incident_report,
    incident_resolve,
)

__all__ = [
    "IncidentReport",
    "difficulty_answer",
    "incident_acknowledge",
    "incident_close",
    "incident_comment",
    "incident_reopen",
    "incident_report",
    "incident_resolve",
]
