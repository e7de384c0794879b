"""Celery tasks and beat sweeps of temporary (issue 15)."""
