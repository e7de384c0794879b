"""Celery tasks and beat sweeps of instructions (issue 16)."""
