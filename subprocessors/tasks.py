"""Celery tasks: thin doorbells around the subprocessor services."""

from celery import shared_task

from subprocessors import services
from subprocessors.services.notice_mail import LETTERS_TASK


@shared_task(name="subprocessors.tasks.change_notices_go_live", ignore_result=True)
def change_notices_go_live() -> None:
    """Beat, every 60 s: make due changes live, re-checking the 28 days (SP-03)."""
    services.change_notices_go_live_due()


@shared_task(name=LETTERS_TASK, ignore_result=True)
def change_notice_letters_render(notice_id: int) -> None:
    services.change_notice_letters_render(notice_id=notice_id)


@shared_task(name="subprocessors.tasks.subscribers_sweep", ignore_result=True)
def subscribers_sweep() -> None:
    """Beat, hourly: delete stale pending confirmations and unsubscribed addresses (SP-01)."""
    services.subscribers_sweep()
