"""Construction's adapters: read-model tables and projections, queries, metrics."""
