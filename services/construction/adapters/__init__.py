"""Construction's adapters: read-model tables and projections, queries, media decoding, metrics."""
