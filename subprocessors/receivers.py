"""Listens to the outbox: an accepted message informs its change-notice recipient (SP-03)."""

from django.dispatch import receiver

from compliance.signals import message_accepted
from subprocessors.services import recipient_informed

RECIPIENT_LABEL = "subprocessors.ChangeNoticeRecipient"


@receiver(message_accepted, dispatch_uid="subprocessors.change_notice_recipient_informed")
def change_notice_recipient_informed(sender, message, **kwargs):
    if message.cause_type != RECIPIENT_LABEL or message.cause_id is None:
        return

    recipient_informed(recipient_id=message.cause_id, informed_at=message.accepted_at)
