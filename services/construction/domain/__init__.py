"""Construction's domain: aggregates and their events, pure Python without I/O."""
