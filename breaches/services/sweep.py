"""The deadline sweep: reminders before the 48-hour and 72-hour deadlines (BR-03, BR-04).

Runs every 60 s from Celery beat and in-process from tests at a moved clock. It reads the
time from `timezone.now()` and finds due rows through the partial indexes on
`next_reminder_at`, so one sweep costs the same with a thousand or a million notices.
Each reminder is an outbox row with its own unique key (including the deadline it is
about), so none is ever sent twice, and a corrected deadline gets its own reminders.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from audits.services import event_record
from breaches import deadlines
from breaches.models import CustomerNotice, Incident, IncidentState
from breaches.services.common import incident_link, iso, notice_link, now, officers_alert
from compliance.models import Contact
from compliance.outbox import message_queue, message_render

BATCH = 500


@dataclass
class SweepResult:
    officer_reminders: int = 0
    customer_reminders: int = 0


def _incident_uninformed(incident: Incident) -> bool:
    if incident.state in (IncidentState.REPORTED, IncidentState.TRIAGE):
        return True
    if incident.state in (IncidentState.NOTIFYING, IncidentState.MONITORING):
        return incident.notices.filter(informed_at__isnull=True).exists()
    return False


def _officer_reminder(pk: int, at) -> int:
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update().filter(pk=pk, next_reminder_at__lte=at).first()
        )
        if incident is None:
            return 0
        sent = 0
        hours = deadlines.reminder_due(
            due_at=incident.customer_due_at, hours=deadlines.OFFICER_REMINDER_HOURS, now=at
        )
        if hours is not None and incident.is_open and _incident_uninformed(incident):
            due_key = int(incident.customer_due_at.timestamp())
            uninformed = incident.notices.filter(informed_at__isnull=True).count()
            sent = officers_alert(
                key=f"incident:{incident.pk}:reminder:{hours}h:due:{due_key}",
                kind="reminder",
                context={
                    "incident": incident,
                    "hours": hours,
                    "uninformed": uninformed,
                    "link": incident_link(incident.pk),
                },
            )
            event_record(
                actor=None,
                action="incident.reminder_sent",
                obj=incident,
                after={
                    "hours_before": hours,
                    "customer_due_at": iso(incident.customer_due_at),
                    "recipients": sent,
                },
            )
        incident.next_reminder_at = (
            deadlines.officer_next_reminder_at(customer_due_at=incident.customer_due_at, now=at)
            if incident.is_open
            else None
        )
        incident.save(update_fields=["next_reminder_at"])
        return 1 if sent else 0


def _customer_reminder(pk: int, at) -> int:
    with transaction.atomic():
        notice = (
            # of=self: a bare FOR UPDATE would also lock the joined incident and customer,
            # blocking the outbox workers that record acceptances for that incident.
            CustomerNotice.objects.select_for_update(of=("self",))
            .select_related("incident", "customer")
            .filter(pk=pk, next_reminder_at__lte=at)
            .first()
        )
        if notice is None:
            return 0
        sent = 0
        hours = None
        if notice.decided_at is None and notice.authority_due_at is not None:
            hours = deadlines.reminder_due(
                due_at=notice.authority_due_at, hours=deadlines.CUSTOMER_REMINDER_HOURS, now=at
            )
        if hours is not None and at <= notice.authority_due_at:
            due_key = int(notice.authority_due_at.timestamp())
            contacts = Contact.objects.filter(
                Q(is_subscription_contact=True) | Q(receives_breach_notices=True),
                customer_id=notice.customer_id,
            ).order_by("pk")
            for contact in contacts:
                language = contact.language or notice.customer.language
                subject, text, html = message_render(
                    "breach_customer_reminder",
                    language=language,
                    context={
                        "incident": notice.incident,
                        "notice": notice,
                        "customer": notice.customer,
                        "hours": hours,
                        "link": notice_link(notice.pk),
                    },
                )
                message_queue(
                    key=(
                        f"incident:{notice.incident_id}:notice:{notice.pk}:reminder:{hours}h"
                        f":due:{due_key}:contact:{contact.pk}"
                    ),
                    to_email=contact.email,
                    to_name=contact.name,
                    language=language,
                    subject=subject,
                    body_text=text,
                    body_html=html,
                    customer=notice.customer,
                    contact=contact,
                )
                sent += 1
            event_record(
                actor=None,
                action="notice.reminder_sent",
                obj=notice,
                after={
                    "hours_before": hours,
                    "authority_due_at": iso(notice.authority_due_at),
                    "recipients": sent,
                },
                customer_id=notice.customer_id,
            )
        notice.next_reminder_at = (
            deadlines.customer_next_reminder_at(authority_due_at=notice.authority_due_at, now=at)
            if notice.decided_at is None
            else None
        )
        notice.save(update_fields=["next_reminder_at"])
        return 1 if sent else 0


def deadline_sweep() -> SweepResult:
    """Send every reminder now due (BR-03: officer at 24, 12, 4 and 1 h before the
    customers' deadline while customers remain uninformed; BR-04: the customer's contacts
    at 24 and 4 h before its own deadline while it recorded no decision)."""
    at = now()
    result = SweepResult()
    incident_ids = list(
        Incident.objects.filter(next_reminder_at__lte=at)
        .order_by("next_reminder_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in incident_ids:
        result.officer_reminders += _officer_reminder(pk, at)
    notice_ids = list(
        CustomerNotice.objects.filter(next_reminder_at__lte=at)
        .order_by("next_reminder_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in notice_ids:
        result.customer_reminders += _customer_reminder(pk, at)
    return result
