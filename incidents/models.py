"""Incidents, difficulty reports and duty rosters (see DESIGN.md).

May import `contacts`, never `readiness` (tests/test_layering.py).
"""
