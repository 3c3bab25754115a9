"""Acceptance: joint acceptance by all parties, the residents' evaluation, rectification, the archive."""
