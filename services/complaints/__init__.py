"""Complaints: the resident hotline and web complaints, time limits, escalation, confirmation."""
