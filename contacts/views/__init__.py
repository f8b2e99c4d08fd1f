"""Views of the contacts app, by page family."""
