"""Which breach deadlines a mail outage puts at risk, for the privacy officer's banner (BR-03,
BR-04, BR-05).

- The 48 hours (BR-03): open incidents whose customers are not all informed yet
  (`Incident.customer_due_at`), with how many are still waiting.
- The 72 hours (BR-04): customer notices whose own deadline (`authority_due_at`) still runs
  without a decision and that have messages waiting: the notice or an update
  (its cause) or other mail to the customer's contacts, such as a reminder of that deadline.

Reads only, scoped by the user like `breaches.selectors`; nearest deadline first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from breaches.models import CustomerNotice, Incident, IncidentState
from breaches.selectors import incidents_for, notices_for
from breaches.services.common import NOTICE_CAUSE
from compliance.models import OutboxMessage, OutboxStatus

AT_RISK_SHOWN = 10
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass
class DeadlinesAtRisk:
    incidents: list[Incident] = field(default_factory=list)  # with `uninformed`
    incidents_total: int = 0
    notices: list[CustomerNotice] = field(default_factory=list)
    notices_total: int = 0

    def __bool__(self) -> bool:
        return bool(self.incidents_total or self.notices_total)


def _waiting_for_notice() -> Q:
    notice_mail = Exists(
        OutboxMessage.objects.filter(
            cause_type=NOTICE_CAUSE, cause_id=OuterRef("pk"), status__in=WAITING
        )
    )
    contact_mail = Exists(
        OutboxMessage.objects.filter(
            customer_id=OuterRef("customer_id"), contact__isnull=False, status__in=WAITING
        )
    )
    return Q(notice_mail) | Q(contact_mail)


def deadlines_at_risk(user, *, limit: int = AT_RISK_SHOWN) -> DeadlinesAtRisk:
    """The 48 h and 72 h deadlines that wait on mail, nearest first (at most `limit` each,
    with the totals)."""
    now = timezone.now()
    out = DeadlinesAtRisk()
    incidents = (
        incidents_for(user)
        .filter(state__in=[IncidentState.NOTIFYING, IncidentState.MONITORING])
        .annotate(uninformed=Count("notices", filter=Q(notices__informed_at__isnull=True)))
        .filter(uninformed__gt=0)
    )
    out.incidents_total = incidents.count()
    if out.incidents_total:
        out.incidents = list(incidents.order_by("customer_due_at", "pk")[:limit])
    notices = notices_for(user).filter(
        _waiting_for_notice(),
        decided_at__isnull=True,
        authority_due_at__gt=now,
    )
    out.notices_total = notices.count()
    if out.notices_total:
        out.notices = list(notices.order_by("authority_due_at", "pk")[:limit])
    return out


def notice_incidents(notice_ids) -> dict[int, int]:
    """Notice id → its incident id, for links from a page of delivery alerts."""
    return dict(
        CustomerNotice.objects.filter(pk__in=list(notice_ids)).values_list("pk", "incident_id")
    )
