"""Celery tasks of the breach workflow: thin doorbells around the services."""

from celery import shared_task

from breaches import services


@shared_task(name="breaches.tasks.deadline_sweep", ignore_result=True)
def deadline_sweep() -> None:
    services.deadline_sweep()


@shared_task(name="breaches.tasks.notice_letters_render", ignore_result=True)
def notice_letters_render(notice_ids: list[int]) -> None:
    # One call for the whole chunk: the shared pages are rendered once per language and the
    # customers' own pages in batches (breaches.letters).
    services.notice_letters_render(notice_ids=notice_ids)
