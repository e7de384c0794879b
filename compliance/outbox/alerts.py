"""Alerts: escalating messages that were refused or are overdue, and the privacy officer's
list of open alerts and their resolution (BR-05)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audits.services import event_record
from compliance.access import can, customer_scope, require
from compliance.models import EscalationReason, OutboxMessage, OutboxStatus


def _escalate(message: OutboxMessage, now: datetime, reason: str) -> list[str]:
    if message.escalated_at is not None:
        return []
    message.escalated_at = now
    message.escalation_reason = reason
    message.alert_resolved_at = None
    event_record(
        actor=None,
        action="outbox.escalated",
        obj=message,
        after={
            "message_id": message.message_id,
            "to": message.to_email,
            "reason": reason,
            "reply": message.last_reply,
        },
        customer_id=message.customer_id,
    )
    return ["escalated_at", "escalation_reason", "alert_resolved_at"]


def _overdue(message: OutboxMessage, now: datetime) -> bool:
    limit = timedelta(seconds=settings.OUTBOX_ESCALATE_AFTER_SECONDS)
    return now - message.created_at >= limit


def outbox_escalate_overdue() -> int:
    """Alert the privacy officer about rows still not accepted after the configured time."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_ESCALATE_AFTER_SECONDS)
    count = 0
    overdue = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING],
        escalated_at__isnull=True,
        created_at__lte=cutoff,
    )
    for pk in overdue.values_list("id", flat=True)[:1000]:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update()
                .filter(pk=pk, escalated_at__isnull=True)
                .first()
            )
            if message is None:
                continue
            fields = _escalate(message, now, EscalationReason.OVERDUE)
            message.save(update_fields=fields)
            count += 1
    return count


# --------------------------------------------------------------------------- alerts


def open_alerts(user) -> QuerySet[OutboxMessage]:
    """Escalated messages the privacy officer has not dealt with yet, newest first."""
    if not can(user, "outbox.view"):
        return OutboxMessage.objects.none()
    alerts = OutboxMessage.objects.filter(
        escalated_at__isnull=False, alert_resolved_at__isnull=True
    ).select_related("customer")
    scope = customer_scope(user)
    if scope is not None:
        alerts = alerts.filter(customer_id=scope)
    return alerts.order_by("-escalated_at")


def alert_resolve(*, message: OutboxMessage, actor) -> OutboxMessage:
    """The privacy officer has dealt with a failed delivery (for example by phone) (BR-05)."""
    require(actor, "outbox.resolve_alert", message)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.escalated_at is None or message.alert_resolved_at is not None:
            return message
        message.alert_resolved_at = timezone.now()
        message.save(update_fields=["alert_resolved_at"])
        event_record(
            actor=actor,
            action="outbox.alert_resolved",
            obj=message,
            after={"message_id": message.message_id, "reason": message.escalation_reason},
            customer_id=message.customer_id,
        )
    return message


def alert_close_by_acceptance(message: OutboxMessage, at: datetime) -> list[str]:
    """An alert whose message the server accepted after all closes itself (BR-05); returns
    the fields it changed. The caller saves. (Filled in by the outage work of issue 12.)"""
    return []
