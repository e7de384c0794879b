"""Celery tasks and beat sweeps of audits (issue 16)."""
