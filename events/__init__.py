"""Roundtables and cleanups: events, registrations, waitlists, check-in, cleanup data."""
