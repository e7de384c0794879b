"""What the outbox tells the breach workflow about messages whose cause is a notice.

Both receivers run inside the transaction that records the delivery outcome, so the
notice's `informed_at` and its 72-hour deadline commit together with the acceptance. They
run once per message of a fan-out: the common case (notice already informed) is one query.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from audits.services import event_record
from breaches.links import incident_link
from breaches.models import CustomerNotice, Incident, IncidentState, InformedHow, NoticeState
from breaches.services.common import NOTICE_CAUSE, iso, now, officers_alert
from breaches.services.notices import _informed_snapshot, notice_inform
from compliance import signals
from compliance.models import OutboxMessage, OutboxStatus


def _notice_for(message: OutboxMessage) -> CustomerNotice | None:
    if message.cause_type != NOTICE_CAUSE or message.cause_id is None:
        return None
    return (
        # of=self: a bare FOR UPDATE would also lock the joined incident row, serialising
        # (and deadlocking) every worker recording an acceptance for the same incident.
        CustomerNotice.objects.select_for_update(of=("self",))
        .select_related("incident", "customer")
        .filter(pk=message.cause_id)
        .first()
    )


@receiver(signals.message_accepted, dispatch_uid="breaches.notice_accepted")
def notice_message_accepted(sender, message: OutboxMessage, **kwargs) -> None:
    """The first accepted message informs the customer (BR-03); its 72 h start (BR-04)."""
    if message.cause_type != NOTICE_CAUSE:
        return
    if not CustomerNotice.objects.filter(pk=message.cause_id, informed_at__isnull=True).exists():
        return
    with transaction.atomic():
        notice = _notice_for(message)
        if notice is None or notice.informed_at is not None:
            return
        before = _informed_snapshot(notice)
        notice_inform(notice, at=message.accepted_at or now(), how=InformedHow.EMAIL)
        notice.save()
        event_record(
            actor=None,
            action="notice.informed",
            obj=notice,
            before=before,
            after={**_informed_snapshot(notice), "message_id": message.message_id},
            customer_id=notice.customer_id,
        )
        _incident_all_informed(notice)


def _incident_all_informed(notice: CustomerNotice) -> None:
    incident = notice.incident
    if incident.state != IncidentState.NOTIFYING:
        return
    if CustomerNotice.objects.filter(incident_id=incident.pk, informed_at__isnull=True).exists():
        return

    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.state == IncidentState.NOTIFYING:
        incident.monitor()
        incident.save()
        event_record(
            actor=None,
            action="incident.all_customers_informed",
            obj=incident,
            after={"at": iso(now())},
        )


@receiver(signals.message_failed, dispatch_uid="breaches.notice_failed")
def notice_message_failed(sender, message: OutboxMessage, reason: str = "", **kwargs) -> None:
    """When every message to a customer was refused or bounced, it is not informed: its
    clock has not started (BR-04), it is shown as not delivered and the officer is alerted
    at once. An out-of-band notice or the customer's own response still counts."""
    if message.cause_type != NOTICE_CAUSE:
        return
    with transaction.atomic():
        notice = _notice_for(message)
        if notice is None:
            return
        if notice.state not in (NoticeState.QUEUED, NoticeState.SENT):
            return
        if notice.informed_how in (InformedHow.OUT_OF_BAND, InformedHow.PORTAL):
            return
        statuses = set(
            OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE, cause_id=notice.pk)
            .values_list("status", flat=True)
            .distinct()
        )
        if statuses - {OutboxStatus.FAILED}:
            return  # another recipient accepted it, or delivery is still in progress
        before = _informed_snapshot(notice)
        at = now()
        notice.informed_at = None
        notice.informed_how = ""
        notice.late = False
        if not notice.customer_reported:
            notice.aware_at = None
            notice.authority_due_at = None
            notice.next_reminder_at = None
        notice.undelivered_at = at
        notice.mark_failed()
        notice.save()
        failed = OutboxMessage.objects.filter(
            cause_type=NOTICE_CAUSE, cause_id=notice.pk, status=OutboxStatus.FAILED
        ).count()
        event_record(
            actor=None,
            action="notice.undelivered",
            obj=notice,
            before=before,
            after={
                **_informed_snapshot(notice),
                "reason": reason,
                "message_id": message.message_id,
                "reply": message.last_reply,
            },
            customer_id=notice.customer_id,
        )
        officers_alert(
            key=f"notice:{notice.pk}:undelivered:{failed}",
            kind="undelivered",
            context={
                "incident": notice.incident,
                "notice": notice,
                "customer": notice.customer,
                "reason": reason,
                "reply": message.last_reply,
                "link": incident_link(notice.incident_id),
            },
            customer=notice.customer,
        )
