"""The shared kernel: envelope, event store, relay, idempotent consumer, auth, metrics, web shell."""
