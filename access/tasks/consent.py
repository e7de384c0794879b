"""Celery tasks and beat sweeps of customer consent (AC-04): a thin doorbell."""

from celery import shared_task

from access.services import consent as services


@shared_task(name="access.tasks.consent.sweep", ignore_result=True)
def consent_sweep() -> None:
    """Beat, every 60 s: end granted consents whose period is over, then remind and escalate
    removals not yet confirmed."""
    services.consent_sweep()
