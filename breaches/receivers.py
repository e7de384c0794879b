"""What the outbox tells the breach workflow about messages whose cause is a notice: thin
receivers of `compliance.signals`; the rules are in `breaches.services.informing`."""

from __future__ import annotations

from django.dispatch import receiver

from breaches.services.common import NOTICE_CAUSE
from breaches.services.informing import notice_message_accepted, notice_message_failed
from compliance import signals
from compliance.models import OutboxMessage


@receiver(signals.message_accepted, dispatch_uid="breaches.notice_accepted")
def _message_accepted(sender, message: OutboxMessage, **kwargs) -> None:
    if message.cause_type == NOTICE_CAUSE:
        notice_message_accepted(message=message)


@receiver(signals.message_failed, dispatch_uid="breaches.notice_failed")
def _message_failed(sender, message: OutboxMessage, reason: str = "", **kwargs) -> None:
    if message.cause_type == NOTICE_CAUSE:
        notice_message_failed(message=message, reason=reason)
