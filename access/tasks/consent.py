"""Celery tasks and beat sweeps of consent (issue 15)."""
