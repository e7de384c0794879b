"""Celery tasks: thin doorbells around the outbox services."""

from celery import shared_task

from compliance import outbox


@shared_task(name="compliance.tasks.outbox_deliver", ignore_result=True)
def outbox_deliver(message_ids: list[int]) -> None:
    outbox.outbox_deliver_ids(ids=message_ids)


@shared_task(name="compliance.tasks.outbox_sweep", ignore_result=True)
def outbox_sweep() -> None:
    outbox.outbox_sweep()


@shared_task(name="compliance.tasks.contacts_confirmation_sweep", ignore_result=True)
def contacts_confirmation_sweep() -> None:
    from compliance.contact_confirmation import contacts_confirmation_sweep as sweep

    sweep()
