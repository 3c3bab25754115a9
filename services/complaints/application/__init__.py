"""Complaints' use cases: filing through three ways in, the handling loop, the ticker, policies."""
