"""Celery tasks and beat sweeps of data-subject requests (DS-01): thin doorbells."""

from celery import shared_task

from processing.services import subject_requests as services


@shared_task(name="processing.tasks.subject_requests.sweep", ignore_result=True)
def subject_request_sweep() -> None:
    """Beat, every 60 s: remind and escalate requests not forwarded within 24 hours."""
    services.subject_request_sweep()
