"""Celery tasks and beat sweeps of customer audits (AU-02): a thin doorbell."""

from celery import shared_task

from processing.services import audits as services


@shared_task(name="processing.tasks.audits.sweep", ignore_result=True)
def audit_sweep() -> None:
    """Beat, hourly: remind of audits starting soon, escalate requests not scheduled."""
    services.audit_sweep()
