"""Celery tasks of the breach workflow: thin doorbells around the services."""

from celery import shared_task

from breaches import services
from breaches.dossier import requests as dossier_requests
from breaches.services.notify import LETTERS_TASK


@shared_task(name="breaches.tasks.deadline_sweep", ignore_result=True)
def deadline_sweep() -> None:
    services.deadline_sweep()


@shared_task(name=LETTERS_TASK, ignore_result=True)
def notice_letters_render(notice_ids: list[int]) -> None:
    # One call for the whole chunk: the shared pages are rendered once per language and the
    # customers' own pages in batches (breaches.letters).
    services.notice_letters_render(notice_ids=notice_ids)


@shared_task(name=dossier_requests.RENDER_TASK, ignore_result=True)
def dossier_request_render(request_id: int) -> None:
    # AU-03: the claim on the request makes a second delivery of this task a no-op.
    dossier_requests.dossier_request_process(request_id=request_id)


@shared_task(name="breaches.tasks.dossier_requests_sweep", ignore_result=True)
def dossier_requests_sweep() -> None:
    # AU-03: requests whose task was lost or whose worker died are handed out again.
    dossier_requests.dossier_requests_sweep()
