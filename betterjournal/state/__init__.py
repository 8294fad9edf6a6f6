"""Reflex states: thin wrappers that authenticate, validate and call the core."""
