"""The deadline sweep: reminders before the 48-hour and 72-hour deadlines (BR-03, BR-04).

Runs every 60 s from Celery beat and in-process from tests at a moved clock. It reads the
time from `timezone.now()` and finds due rows through the partial indexes on
`next_reminder_at`, so one sweep costs the same with a thousand or a million notices.
Each reminder is an outbox row with its own unique key (including the deadline it is
about), so none is ever sent twice, and a corrected deadline gets its own reminders.

One sweep is one transaction with a constant number of statements: the due rows are locked
with SKIP LOCKED (a row another transaction holds is simply due at the next sweep), each
reminder text is rendered once per language and filled in per customer, and the rows,
audit events and next reminder moments are written in bulk. `next_reminder_at` is the
sweep's own bookkeeping, so it is written without a history row; the audit events record
every reminder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation

from breaches import deadlines
from breaches.links import incident_link, notice_link
from breaches.models import CustomerNotice, Incident, IncidentState
from breaches.services.common import (
    iso,
    now,
    officer_alert_rows,
)
from compliance.outbox import FilledTemplate, QueuedRow, messages_queue_bulk
from compliance.recipients import alert_recipients, notice_recipients_by_customer
from compliance.templatetags.compliance_tags import local_deadline

BATCH = 500
# Notices of an incident whose customers are not yet informed (a subquery of the due-incident
# query, so the officers' reminder needs no query of its own).
_uninformed = (
    CustomerNotice.objects.filter(incident=OuterRef("pk"), informed_at__isnull=True)
    .order_by()
    .values("incident")
    .annotate(count=Count("pk"))
    .values("count")
)
# What the reminders need: fewer columns make the due-row queries cheaper to build and read.
NOTICE_FIELDS = (
    "incident_id",
    "customer_id",
    "state",
    "authority_due_at",
    "decided_at",
    "next_reminder_at",
    "incident__title",
    "incident__state",  # read by the state machine when the incident is loaded
    "customer__name",
    "customer__language",
)


@dataclass
class SweepResult:
    officer_reminders: int = 0
    customer_reminders: int = 0


@dataclass
class _Writes:
    rows: list[QueuedRow] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


def _officer_reminders(incidents: list[Incident], at, writes: _Writes) -> int:
    """BR-03: the officers, 24, 12, 4 and 1 h before the 48 h deadline while customers of the
    incident are still uninformed (or it has not been notified at all)."""
    officers = None
    sent = 0
    for incident in incidents:
        hours = deadlines.reminder_due(
            due_at=incident.customer_due_at, hours=deadlines.OFFICER_REMINDER_HOURS, now=at
        )
        waiting = incident.state in (IncidentState.REPORTED, IncidentState.TRIAGE) or (
            incident.state in (IncidentState.NOTIFYING, IncidentState.MONITORING)
            and incident.uninformed > 0
        )
        if hours is not None and incident.is_open and waiting:
            if officers is None:
                officers = alert_recipients()
            due_key = int(incident.customer_due_at.timestamp())
            rows = officer_alert_rows(
                key=f"incident:{incident.pk}:reminder:{hours}h:due:{due_key}",
                kind="reminder",
                context={
                    "incident": incident,
                    "hours": hours,
                    "uninformed": incident.uninformed,
                    "link": incident_link(incident.pk),
                },
                recipients=officers,
            )
            writes.rows.extend(rows)
            writes.events.append(
                {
                    "actor": None,
                    "action": "incident.reminder_sent",
                    "obj": incident,
                    "after": {
                        "hours_before": hours,
                        "customer_due_at": iso(incident.customer_due_at),
                        "recipients": len(rows),
                    },
                }
            )
            sent += 1 if rows else 0
        incident.next_reminder_at = (
            deadlines.officer_next_reminder_at(customer_due_at=incident.customer_due_at, now=at)
            if incident.is_open
            else None
        )
    return sent


def _customer_reminders(notices: list[CustomerNotice], at, writes: _Writes) -> int:
    """BR-04: the customer's subscription and breach contacts, 24 and 4 h before its own
    72 h deadline while it has recorded no decision."""
    due: list[tuple[CustomerNotice, int]] = []
    for notice in notices:
        hours = None
        if notice.decided_at is None and notice.authority_due_at is not None:
            hours = deadlines.reminder_due(
                due_at=notice.authority_due_at, hours=deadlines.CUSTOMER_REMINDER_HOURS, now=at
            )
        if hours is not None and at <= notice.authority_due_at:
            due.append((notice, hours))
        notice.next_reminder_at = (
            deadlines.customer_next_reminder_at(authority_due_at=notice.authority_due_at, now=at)
            if notice.decided_at is None
            else None
        )
    if not due:
        return 0
    contacts = notice_recipients_by_customer(notice.customer_id for notice, _ in due)
    template = FilledTemplate("breach_customer_reminder", ("customer_name", "deadline", "link"))
    deadline_texts: dict[tuple[str, object], str] = {}
    sent = 0
    for notice, hours in due:
        due_key = int(notice.authority_due_at.timestamp())
        recipients = contacts.get(notice.customer_id, [])
        link = notice_link(notice.pk)
        for contact in recipients:
            language = contact.effective_language
            deadline_key = (language, notice.authority_due_at)
            if deadline_key not in deadline_texts:
                with translation.override(language):
                    deadline_texts[deadline_key] = local_deadline(notice.authority_due_at)
            writes.rows.append(
                QueuedRow.to_contact(
                    key=(
                        f"incident:{notice.incident_id}:notice:{notice.pk}:reminder:{hours}h"
                        f":due:{due_key}:contact:{contact.pk}"
                    ),
                    contact=contact,
                    language=language,
                    rendered=template.render(
                        language=language,
                        context={"incident": notice.incident, "hours": hours},
                        variant=(notice.incident_id, hours),
                        values={
                            "customer_name": notice.customer.name,
                            "deadline": deadline_texts[deadline_key],
                            "link": link,
                        },
                    ),
                )
            )
        writes.events.append(
            {
                "actor": None,
                "action": "notice.reminder_sent",
                "obj": notice,
                "after": {
                    "hours_before": hours,
                    "authority_due_at": iso(notice.authority_due_at),
                    "recipients": len(recipients),
                },
                "customer_id": notice.customer_id,
            }
        )
        sent += 1 if recipients else 0
    return sent


def deadline_sweep() -> SweepResult:
    """Send every reminder now due (BR-03: officer at 24, 12, 4 and 1 h before the
    customers' deadline while customers remain uninformed; BR-04: the customer's contacts
    at 24 and 4 h before its own deadline while it recorded no decision)."""
    at = now()
    result = SweepResult()
    with transaction.atomic():
        incidents = list(
            Incident.objects.select_for_update(skip_locked=True)
            .filter(next_reminder_at__lte=at)
            .only("title", "state", "customer_due_at", "next_reminder_at")
            .annotate(uninformed=Coalesce(Subquery(_uninformed), 0))
            .order_by("next_reminder_at")[:BATCH]
        )
        notices = list(
            # of=self: a bare FOR UPDATE would also lock the joined incident and customer,
            # blocking the outbox workers that record acceptances for that incident.
            CustomerNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("incident", "customer")
            .filter(next_reminder_at__lte=at)
            .only(*NOTICE_FIELDS)
            .order_by("next_reminder_at")[:BATCH]
        )
        if not incidents and not notices:
            return result
        writes = _Writes()
        result.officer_reminders = _officer_reminders(incidents, at, writes)
        result.customer_reminders = _customer_reminders(notices, at, writes)
        messages_queue_bulk(rows=writes.rows, cause_events=writes.events)
        if incidents:
            Incident.objects.bulk_update(incidents, ["next_reminder_at"])
        if notices:
            CustomerNotice.objects.bulk_update(notices, ["next_reminder_at"])
    return result
