"""Reads of incidents and rosters that pages and tasks need, each in a fixed
number of queries."""
