"""Celery tasks of the record of processing (GDPR Art. 30(2), RP-01): a thin doorbell."""

from celery import shared_task

from processing.services import record as services


@shared_task(name="processing.tasks.record.sweep", ignore_result=True)
def sweep() -> None:
    """Beat, daily: a new version of every customer's record that changed (subprocessors,
    contracts, products, contacts, the texts)."""
    services.record_sweep()
