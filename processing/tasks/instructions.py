"""Celery tasks and beat sweeps of instructions (issue 16): thin doorbells."""

from celery import shared_task

from processing.services import binding as services


@shared_task(name="processing.tasks.instructions.binding_sweep", ignore_result=True)
def binding_sweep() -> None:
    """Beat, every 60 s: remind before a binding instruction's due date; escalate after."""
    services.binding_deadline_sweep()
