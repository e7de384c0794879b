"""Celery tasks and beat sweeps of confidentiality (issue 15)."""
