"""Celery tasks: thin doorbells around the outbox services."""

from celery import shared_task

from compliance import anchoring, contact_confirmation, outbox, retention


@shared_task(name=outbox.DELIVER_TASK, ignore_result=True)
def outbox_deliver(message_ids: list[int]) -> None:
    outbox.outbox_deliver_ids(ids=message_ids)


@shared_task(name="compliance.tasks.outbox_sweep", ignore_result=True)
def outbox_sweep() -> None:
    outbox.outbox_sweep()


@shared_task(name="compliance.tasks.contacts_confirmation_sweep", ignore_result=True)
def contacts_confirmation_sweep() -> None:
    contact_confirmation.contacts_confirmation_sweep()


@shared_task(name="compliance.tasks.chain_anchor_daily", ignore_result=True)
def chain_anchor_daily() -> None:
    # AU-03: the day's signed chain head, mailed to the auditors (and the webhook).
    anchoring.anchor_daily()


@shared_task(name="compliance.tasks.retention_sweep", ignore_result=True)
def retention_sweep() -> None:
    # AU-03: erase the personal data whose retention period has passed.
    retention.retention_sweep()
