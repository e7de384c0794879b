"""Celery tasks and beat sweeps of subject requests (issue 16)."""
