"""Celery tasks and beat sweeps of temporary access (AC-03): thin doorbells."""

from celery import shared_task

from access.services import temporary as services


@shared_task(name="access.tasks.temporary.sweep", ignore_result=True)
def temporary_sweep() -> None:
    """Beat, every 60 s: end approved access whose period is over, then remind and escalate
    removals not yet confirmed."""
    services.temporary_expire_due()
    services.temporary_removal_sweep()
