"""Celery tasks and beat sweeps of contract end (RT-01): thin doorbells."""

from celery import shared_task

from processing.services import contract_end as services


@shared_task(name="processing.tasks.contract_end.deletion_sweep", ignore_result=True)
def deletion_sweep() -> None:
    """Beat, hourly: schedule deletions of contracts whose end was set elsewhere, then remind
    before the due moment and escalate after."""
    services.deletion_schedule_missing()
    services.deletion_sweep()
