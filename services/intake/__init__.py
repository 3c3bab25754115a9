"""Intake: communities, eligibility, resident consent, the plan, its notice and vote, the library."""
