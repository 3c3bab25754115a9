"""The `renovation` command line: up, status, user, bench."""
