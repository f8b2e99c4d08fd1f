"""Changes to incidents and rosters, each in one transaction
(docs/conventions.md, "Services and selectors")."""

from incidents.services.incidents import (
    IncidentReport,
    difficulty_answer,
    incident_acknowledge,
    incident_close,
    incident_comment,
    incident_move,
    incident_reopen,
    incident_report,
    incident_report_once,
    incident_resolve,
)

__all__ = [
    "IncidentReport",
    "difficulty_answer",
    "incident_acknowledge",
    "incident_close",
    "incident_comment",
    "incident_move",
    "incident_reopen",
    "incident_report",
    "incident_report_once",
    "incident_resolve",
]
