"""Celery tasks and beat sweeps of reviews (issue 15)."""
