"""Celery tasks of the breach workflow: thin doorbells around the services."""

from celery import shared_task

from breaches import letters, services
from breaches.dossier import requests as dossier_requests
from breaches.services.letters import LETTER_VERSIONS_TASK


@shared_task(name="breaches.tasks.deadline_sweep", ignore_result=True)
def deadline_sweep() -> None:
    services.deadline_sweep()


@shared_task(name=LETTER_VERSIONS_TASK, ignore_result=True)
def notice_letter_versions_render(version_ids: list[int]) -> None:
    # BR-06: one call for the whole chunk: the shared pages are rendered once per language
    # and the customers' own pages in batches; the claim makes a doorbell rung twice render
    # once (breaches.letters.jobs).
    letters.letter_versions_render(ids=version_ids)


@shared_task(name="breaches.tasks.notice_letters_render", ignore_result=True)
def notice_letters_render(notice_ids: list[int]) -> None:
    # Doorbells rung by notice before letters had versions (still in a broker at an upgrade):
    # the open versions of those notices.
    letters.notice_letters_render(notice_ids=notice_ids)


@shared_task(name="breaches.tasks.notice_letters_sweep", ignore_result=True)
def notice_letters_sweep() -> None:
    # BR-06: letter versions whose doorbell was lost or whose worker died.
    letters.notice_letters_sweep()


@shared_task(name=dossier_requests.RENDER_TASK, ignore_result=True)
def dossier_request_render(request_id: int) -> None:
    # AU-03: the claim on the request makes a second delivery of this task a no-op.
    dossier_requests.dossier_request_process(request_id=request_id)


@shared_task(name="breaches.tasks.dossier_requests_sweep", ignore_result=True)
def dossier_requests_sweep() -> None:
    # AU-03: requests whose task was lost or whose worker died are handed out again.
    dossier_requests.dossier_requests_sweep()
