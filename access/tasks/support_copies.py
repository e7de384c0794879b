"""Celery tasks and beat sweeps of support copies (issue 15)."""
