"""Complaints' domain: the complaint and its 12345 loop, categories, time limits, duplicates, privacy."""
