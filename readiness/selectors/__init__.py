"""Reads for readiness pages, each with a fixed number of queries."""

from readiness.selectors.compliance import Cell, ComplianceMatrix, compliance_matrix
from readiness.selectors.obligations import (
    ObligationDue,
    directive_current,
    directive_current_or_404,
    obligations_due,
)
from readiness.selectors.plans import plan_diff, plan_page
from readiness.selectors.queue import QueueItem, review_queue

__all__ = [
    "Cell",
    "ComplianceMatrix",
    "ObligationDue",
    "QueueItem",
    "compliance_matrix",
    "directive_current",
    "directive_current_or_404",
    "obligations_due",
    "plan_diff",
    "plan_page",
    "review_queue",
]
