"""Shared rate limits for the public forms and the anonymous API: counters every worker process sees."""
