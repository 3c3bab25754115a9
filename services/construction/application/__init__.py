"""Construction's command handlers and policies: load, call one method, save."""
