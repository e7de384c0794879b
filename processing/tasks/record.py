"""Celery tasks and beat sweeps of record (issue 16)."""
