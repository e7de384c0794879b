"""Celery tasks and beat sweeps of contract end (issue 16)."""
