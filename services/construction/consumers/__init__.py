"""Tolerant readers of other services' events, and the policies they trigger."""
