"""Directives, obligations, deadlines, readiness plans and reports: the top
layer. May import `contacts` and `incidents` (tests/test_layering.py)."""

from readiness.models.cycle import CycleArchive, SituationReport
from readiness.models.directives import (
    DIRECTIVE_LETTER_FIELDS,
    GROUP_KINDS,
    ISSUED_NEWEST_FIRST,
    PLAN_EVIDENCE,
    Deadline,
    Directive,
    EvidenceKind,
    Obligation,
    RecipientGroup,
    ReminderRule,
    groups_for_kind,
)
from readiness.models.plans import (
    PlanAttachment,
    PlanEvent,
    PlanEventKind,
    PlanResource,
    PlanSection,
    PlanVersion,
    ReadinessPlan,
    ResourceKind,
    ReviewStatus,
    SectionReview,
)

__all__ = [
    "DIRECTIVE_LETTER_FIELDS",
    "GROUP_KINDS",
    "ISSUED_NEWEST_FIRST",
    "PLAN_EVIDENCE",
    "CycleArchive",
    "Deadline",
    "Directive",
    "EvidenceKind",
    "Obligation",
    "PlanAttachment",
    "PlanEvent",
    "PlanEventKind",
    "PlanResource",
    "PlanSection",
    "PlanVersion",
    "ReadinessPlan",
    "RecipientGroup",
    "ReminderRule",
    "ResourceKind",
    "ReviewStatus",
    "SectionReview",
    "SituationReport",
    "groups_for_kind",
]
