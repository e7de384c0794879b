"""Alerts: escalating messages that were refused or are overdue, and the privacy officer's
lists of open and closed alerts and their resolution (BR-05).

An alert closes by the officer's hand ("dealt with", for example after a phone call) or by
itself when its message is accepted after all (`alert_close_by_acceptance`, by the system);
either way it stays in the closed list and the audit trail. Every list keeps breach notices
(`BREACH_NOTICE_CAUSE`) apart from other mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audits.services import event_record
from compliance.access import can, customer_scope, require
from compliance.models import (
    BREACH_NOTICE_CAUSE,
    AlertResolution,
    EscalationReason,
    OutboxMessage,
    OutboxStatus,
)

BREACH_NOTICES = Q(cause_type=BREACH_NOTICE_CAUSE)


def _escalate(message: OutboxMessage, now: datetime, reason: str) -> list[str]:
    if message.escalated_at is not None:
        return []
    message.escalated_at = now
    message.escalation_reason = reason
    message.alert_resolved_at = None
    message.alert_resolution = ""
    message.alert_resolved_by = None
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
    return [
        "escalated_at",
        "escalation_reason",
        "alert_resolved_at",
        "alert_resolution",
        "alert_resolved_by",
    ]


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


def _visible(user, alerts: QuerySet[OutboxMessage]) -> QuerySet[OutboxMessage]:
    scope = customer_scope(user)
    return alerts if scope is None else alerts.filter(customer_id=scope)


def _kind(alerts: QuerySet[OutboxMessage], breach_notices: bool | None):
    if breach_notices is None:
        return alerts
    return alerts.filter(BREACH_NOTICES) if breach_notices else alerts.exclude(BREACH_NOTICES)


def open_alerts(user, *, breach_notices: bool | None = None) -> QuerySet[OutboxMessage]:
    """Escalated messages the privacy officer has not dealt with yet, newest first; only
    breach notices, only other mail, or both (None)."""
    if not can(user, "outbox.view"):
        return OutboxMessage.objects.none()
    alerts = OutboxMessage.objects.filter(
        escalated_at__isnull=False, alert_resolved_at__isnull=True
    ).select_related("customer")
    return _kind(_visible(user, alerts), breach_notices).order_by("-escalated_at")


def closed_alerts(user, *, breach_notices: bool | None = None) -> QuerySet[OutboxMessage]:
    """Alerts that were closed, by the officer or by a later acceptance, newest first."""
    if not can(user, "outbox.view"):
        return OutboxMessage.objects.none()
    alerts = OutboxMessage.objects.filter(
        escalated_at__isnull=False, alert_resolved_at__isnull=False
    ).select_related("customer", "alert_resolved_by")
    return _kind(_visible(user, alerts), breach_notices).order_by("-alert_resolved_at", "-id")


def alert_resolve(*, message: OutboxMessage, actor) -> OutboxMessage:
    """The privacy officer has dealt with a failed delivery (for example by phone) (BR-05)."""
    require(actor, "outbox.resolve_alert", message)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.escalated_at is None or message.alert_resolved_at is not None:
            return message
        message.alert_resolved_at = timezone.now()
        message.alert_resolution = AlertResolution.DEALT_WITH
        message.alert_resolved_by = actor
        message.save(update_fields=["alert_resolved_at", "alert_resolution", "alert_resolved_by"])
        event_record(
            actor=actor,
            action="outbox.alert_resolved",
            obj=message,
            after={"message_id": message.message_id, "reason": message.escalation_reason},
            customer_id=message.customer_id,
        )
    return message


def alert_close_by_acceptance(message: OutboxMessage, at: datetime) -> list[str]:
    """An alert whose message the server accepted after all closes itself (BR-05): it is
    marked closed by the system at the acceptance (`outbox.alert_closed`) and stays in the
    closed list. Returns the fields it changed; the caller saves them in the transaction
    that records the acceptance.

    The row in hand may predate an escalation by another worker's sweep (it escalates rows
    still being sent once they are overdue); only then, for a message old enough to be
    overdue, is the alert read from the database. A bounce is not undone by an acceptance.
    """
    if message.escalated_at is None and not _overdue(message, at):
        return []
    current = (
        OutboxMessage.objects.filter(pk=message.pk)
        .values("escalated_at", "escalation_reason", "alert_resolved_at")
        .first()
    )
    if current is None or current["escalated_at"] is None or current["alert_resolved_at"]:
        return []
    if current["escalation_reason"] == EscalationReason.BOUNCED:
        return []
    message.escalated_at = current["escalated_at"]
    message.escalation_reason = current["escalation_reason"]
    message.alert_resolved_at = at
    message.alert_resolution = AlertResolution.ACCEPTED
    message.alert_resolved_by = None
    event_record(
        actor=None,
        action="outbox.alert_closed",
        obj=message,
        after={
            "message_id": message.message_id,
            "reason": message.escalation_reason,
            "escalated_at": message.escalated_at.isoformat(),
            "accepted_at": at.isoformat(),
        },
        customer_id=message.customer_id,
    )
    return [
        "escalated_at",
        "escalation_reason",
        "alert_resolved_at",
        "alert_resolution",
        "alert_resolved_by",
    ]
