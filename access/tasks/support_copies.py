"""Celery tasks and beat sweeps of support copies (issue 15, AC-05)."""

from celery import shared_task

from access.services import support_copies as services

SWEEP_TASK = "access.tasks.support_copies_sweep"


@shared_task(name=SWEEP_TASK, ignore_result=True)
def support_copies_sweep() -> None:
    # Reminders 12 h before the deadline that applies and escalation once it passed.
    services.support_copies_sweep()
