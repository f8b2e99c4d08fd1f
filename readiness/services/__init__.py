"""Changes to directives, deadlines and readiness plans (HackSoft
styleguide: writes live in services). Re-exported for callers."""

from readiness.services.seed import deadline_due_at, directive_ensure, seed_case_load

__all__ = ["deadline_due_at", "directive_ensure", "seed_case_load"]
