"""Views of the readiness app, by page family."""
