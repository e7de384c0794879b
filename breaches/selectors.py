"""Reads of the breach workflow, always scoped by the user asking.

A customer user sees only its own organisation's notices and never an incident as such; a
staff member sees the incidents they reported (BR-01); the privacy officer, ICT manager,
board and the processor's auditor see all incidents.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from breaches.models import (
    OPEN_INCIDENT_STATES,
    CustomerNotice,
    Incident,
    IncidentState,
    IncidentUpdate,
    NoticeState,
)
from breaches.services.common import NOTICE_CAUSE
from compliance.access import can, customer_scope
from compliance.models import OutboxMessage, OutboxStatus, Role


def incidents_for(user) -> QuerySet[Incident]:
    if not can(user, "incident.view") or customer_scope(user) is not None:
        return Incident.objects.none()
    qs = Incident.objects.select_related("reported_by", "source_customer", "source_subprocessor")
    if getattr(user, "role", None) == Role.STAFF_MEMBER:
        qs = qs.filter(reported_by=user)
    return qs


def incident_get(user, pk) -> Incident:
    return get_object_or_404(incidents_for(user), pk=pk)


def notices_for(user, *, incident: Incident | None = None) -> QuerySet[CustomerNotice]:
    if not can(user, "notice.view"):
        return CustomerNotice.objects.none()
    qs = CustomerNotice.objects.select_related("incident", "customer")
    scope = customer_scope(user)
    if scope is not None:
        qs = qs.filter(customer_id=scope)
    if incident is not None:
        qs = qs.filter(incident=incident)
    return qs


def notice_get(user, pk) -> CustomerNotice:
    """A notice the user may see, else 404 (another customer's notice is not revealed)."""
    return get_object_or_404(notices_for(user), pk=pk)


def incident_updates(user, incident: Incident) -> QuerySet[IncidentUpdate]:
    """Every progress update and final report of an incident the user may see (BR-07)."""
    return incident.updates.order_by("number")


def notice_updates(user, notice: CustomerNotice) -> QuerySet[IncidentUpdate]:
    """The updates that reached this notice's customer (BR-07): those published since its
    notice; a customer that reported the incident itself sees them all."""
    updates = notice.incident.updates.order_by("number")
    if not notice.customer_reported:
        updates = updates.filter(created_at__gte=notice.created_at)
    return updates


def notice_messages(user, notice: CustomerNotice) -> QuerySet[OutboxMessage]:
    """The outbox rows of a notice, with their Message-ID and the server's reply."""
    if not notices_for(user).filter(pk=notice.pk).exists():
        raise Http404
    return OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE, cause_id=notice.pk).order_by(
        "created_at", "pk"
    )


def fanout_progress(user, incident: Incident) -> dict:
    """Queued / accepted / failed messages per customer and in total (the live view)."""
    if not can(user, "incident.manage") and not incidents_for(user).filter(pk=incident.pk):
        raise Http404
    notices = {
        n.pk: n for n in CustomerNotice.objects.filter(incident=incident).select_related("customer")
    }
    counts = (
        OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE, cause_id__in=list(notices))
        .values("cause_id")
        .annotate(
            queued=Count("pk", filter=Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING])),
            accepted=Count("pk", filter=Q(status=OutboxStatus.ACCEPTED)),
            failed=Count("pk", filter=Q(status=OutboxStatus.FAILED)),
        )
    )
    by_notice = {row["cause_id"]: row for row in counts}
    rows = []
    total = {"queued": 0, "accepted": 0, "failed": 0}
    for pk, notice in sorted(notices.items(), key=lambda item: item[1].customer.name):
        row = by_notice.get(pk, {"queued": 0, "accepted": 0, "failed": 0})
        for key in total:
            total[key] += row[key]
        rows.append(
            {
                "notice_id": pk,
                "customer_id": notice.customer_id,
                "customer_name": notice.customer.name,
                "state": notice.state,
                "queued": row["queued"],
                "accepted": row["accepted"],
                "failed": row["failed"],
                "informed_at": notice.informed_at,
            }
        )
    return {"total": total, "customers": rows}


@dataclass(frozen=True)
class Deadline:
    kind: str  # "customer_notice" (48 h, BR-03) or "authority_decision" (72 h, BR-04)
    due_at: datetime.datetime
    overdue: bool
    incident: Incident
    notice: CustomerNotice | None
    label: str


def open_deadlines(user, *, limit: int = 200) -> list[Deadline]:
    """Open incidents (customers still to be informed) and notices without a decision,
    nearest deadline first. A customer user sees only its own notices' deadlines."""
    now = timezone.now()
    out: list[Deadline] = []
    if can(user, "incident.view") and customer_scope(user) is None:
        incidents = incidents_for(user).filter(
            Q(state__in=[IncidentState.REPORTED, IncidentState.TRIAGE])
            | Q(
                state__in=[IncidentState.NOTIFYING, IncidentState.MONITORING],
                notices__informed_at__isnull=True,
            )
        )
        for incident in incidents.distinct().order_by("customer_due_at")[:limit]:
            out.append(
                Deadline(
                    kind="customer_notice",
                    due_at=incident.customer_due_at,
                    overdue=now > incident.customer_due_at,
                    incident=incident,
                    notice=None,
                    label=incident.title,
                )
            )
    notices = notices_for(user).filter(
        decided_at__isnull=True,
        authority_due_at__isnull=False,
        incident__state__in=list(OPEN_INCIDENT_STATES) + [IncidentState.CLOSED],
    )
    for notice in notices.order_by("authority_due_at")[:limit]:
        out.append(
            Deadline(
                kind="authority_decision",
                due_at=notice.authority_due_at,
                overdue=now > notice.authority_due_at,
                incident=notice.incident,
                notice=notice,
                label=f"{notice.incident.title} — {notice.customer.name}",
            )
        )
    out.sort(key=lambda d: d.due_at)
    return out[:limit]


def incidents_awaiting_triage(user) -> QuerySet[Incident]:
    """New reports the privacy officer has not looked at yet (BR-01, BR-10)."""
    return incidents_for(user).filter(state=IncidentState.REPORTED).order_by("reported_at")


def notices_undelivered(user) -> QuerySet[CustomerNotice]:
    """Customers not informed because every message failed (officer alert)."""
    return notices_for(user).filter(state=NoticeState.FAILED).order_by("undelivered_at")


def notices_late_without_reason(user) -> QuerySet[CustomerNotice]:
    """Notices informed late, or still uninformed after the deadline, with no reason yet."""
    now = timezone.now()
    return (
        notices_for(user)
        .filter(late_reason="")
        .filter(
            Q(late=True)
            | Q(
                informed_at__isnull=True,
                incident__customer_due_at__lt=now,
                notified_at__isnull=False,
            )
        )
    )


def intentions_announced(user, *, since: datetime.datetime | None = None):
    """Customers' announced notifications (BR-09), newest first."""
    qs = notices_for(user).filter(intention_at__isnull=False)
    if since is not None:
        qs = qs.filter(intention_at__gte=since)
    return qs.order_by("-intention_at")
