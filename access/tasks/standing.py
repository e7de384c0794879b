"""Celery tasks and beat sweeps of standing (issue 15)."""
