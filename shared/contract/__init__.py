"""Vocabularies the services share through their events: one definition, read by producer and consumers."""
