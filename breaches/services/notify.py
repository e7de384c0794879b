"""Choosing the affected customers and telling them: the initial notice, progress updates
and the final report, fanned out to every recipient through the outbox (BR-03 … BR-08)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from audits.services import event_record
from breaches.links import incident_link
from breaches.models import (
    CustomerNotice,
    Incident,
    IncidentState,
    IncidentUpdate,
    IncidentUpdateKind,
    NoticeState,
)
from breaches.services.common import (
    NOTICE_CAUSE,
    chunks,
    error,
    incident_lock,
    iso,
    now,
    officers_alert,
    required_text,
)
from breaches.services.rendering import NoticeRenderer
from breaches.services.selection import SELECTABLE_STATES
from compliance.access import require
from compliance.models import Customer
from compliance.outbox import QueuedRow, messages_queue_bulk
from compliance.recipients import alert_recipients, notice_recipients_by_customer
from compliance.services import processor_profile_get

log = logging.getLogger(__name__)

ID_CHUNK = 2000

NOTIFIABLE_STATES = SELECTABLE_STATES
UPDATABLE_STATES = (IncidentState.NOTIFYING, IncidentState.MONITORING, IncidentState.RESOLVED)


@dataclass
class NotifyResult:
    notices_created: int = 0
    messages_queued: int = 0
    customers_without_recipients: list[int] = field(default_factory=list)
    pending_approval: bool = False


# --------------------------------------------------------------------------- fan-out


def _fanout(
    *, incident: Incident, update: IncidentUpdate, notices: Sequence[CustomerNotice], actor
) -> tuple[int, list[int]]:
    """Queue one outbox row per recipient of each notice; returns (rows, customers with no
    recipient)."""
    renderer = NoticeRenderer(incident=incident, update=update, kind=update.kind)
    recipients = notice_recipients_by_customer([n.customer_id for n in notices])
    rows: list[QueuedRow] = []
    without: list[int] = []
    for notice in notices:
        contacts = recipients.get(notice.customer_id, [])
        if not contacts:
            without.append(notice.customer_id)
            continue
        customer = notice.customer
        for contact in contacts:
            language = contact.effective_language
            rows.append(
                QueuedRow.to_contact(
                    key=(
                        f"incident:{incident.pk}:update:{update.number}"
                        f":customer:{notice.customer_id}:contact:{contact.pk}"
                    ),
                    contact=contact,
                    language=language,
                    rendered=renderer.for_customer(
                        language=language,
                        customer=customer,
                        notice_id=notice.pk,
                        customer_reported=notice.customer_reported,
                    ),
                    cause_type=NOTICE_CAUSE,
                    cause_id=notice.pk,
                )
            )
    messages_queue_bulk(rows=rows, actor=actor)
    return len(rows), without


def _next_update(incident: Incident, *, kind: str, summary: str, measures: str, actor):
    number = (incident.updates.aggregate(n=Max("number"))["n"] or 0) + 1
    return IncidentUpdate.objects.create(
        incident=incident,
        number=number,
        kind=kind,
        summary=summary,
        measures=measures,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def fanout_update(
    *, incident: Incident, kind: str, summary: str, measures: str, actor
) -> IncidentUpdate:
    """A further message to every notified customer, on its notice (BR-07). The caller
    holds the incident's lock and records its own audit event."""
    update = _next_update(incident, kind=kind, summary=summary, measures=measures, actor=actor)
    notices = list(
        CustomerNotice.objects.filter(incident=incident, notified_at__isnull=False)
        .select_related("customer")
        .order_by("pk")
    )
    queued, _without = _fanout(incident=incident, update=update, notices=notices, actor=actor)
    update.recipients_count = queued
    update.save(update_fields=["recipients_count"])
    return update


def _targets(incident: Incident) -> list[int]:
    """Selected customers whose initial notice has not been queued yet."""
    selected = set(incident.affected_customers.values_list("pk", flat=True))
    done = set(
        incident.notices.filter(notified_at__isnull=False).values_list("customer_id", flat=True)
    )
    return sorted(selected - done)


def _check_notifiable(incident: Incident, late_reason: str, at: datetime.datetime) -> list[int]:
    if incident.state not in NOTIFIABLE_STATES:
        raise ValidationError(
            {"__all__": _("Customers can no longer be notified of this incident.")}
        )
    if not incident.affected_customers.exists():
        raise error(
            "__all__",
            _("Select the affected customers first: the selection is empty."),
            "empty_selection",
        )
    targets = _targets(incident)
    if not targets:
        raise error(
            "__all__",
            _("Every selected customer has been notified already; nobody is notified twice."),
            "already_notified",
        )
    if at > incident.customer_due_at and not (late_reason or "").strip():
        raise error(
            "late_reason",
            _("The 48-hour deadline has passed. Record the reason for the delay."),
            "late_reason_required",
        )
    return targets


def _notify(
    *, incident: Incident, actor, targets: list[int], late_reason: str, approved_by=None
) -> NotifyResult:
    at = now()
    late_reason = (late_reason or "").strip()
    existing = {}
    for chunk in chunks(targets):
        for notice in CustomerNotice.objects.select_for_update().filter(
            incident=incident, customer_id__in=chunk
        ):
            existing[notice.customer_id] = notice
    new = [
        CustomerNotice(
            incident=incident,
            customer_id=cid,
            created_at=at,
            notified_at=at,
            notified_by=actor,
            late_reason=late_reason,
        )
        for cid in targets
        if cid not in existing
    ]
    if new:
        bulk_create_with_history(new, CustomerNotice, batch_size=500, default_user=actor)
    for notice in existing.values():
        notice.notified_at = at
        notice.notified_by = actor
        if late_reason and not notice.late_reason:
            notice.late_reason = late_reason
        notice.save()
    update, _created = IncidentUpdate.objects.get_or_create(
        incident=incident,
        number=0,
        defaults={"kind": IncidentUpdateKind.INITIAL, "created_by": actor, "created_at": at},
    )
    notices = []
    for chunk in chunks(targets):
        notices.extend(
            CustomerNotice.objects.filter(incident=incident, customer_id__in=chunk).select_related(
                "customer"
            )
        )
    notices.sort(key=lambda n: n.pk)
    queued, without = _fanout(incident=incident, update=update, notices=notices, actor=actor)
    update.recipients_count += queued
    update.save(update_fields=["recipients_count"])
    for notice in notices:
        # Nobody to e-mail: the officer must inform this customer another way at once.
        if notice.customer_id in without and notice.state == NoticeState.QUEUED:
            notice.mark_failed()
            notice.undelivered_at = at
            notice.save()
    if incident.state in (IncidentState.REPORTED, IncidentState.TRIAGE):
        incident.notify(by=actor, at=at)
    elif incident.state == IncidentState.MONITORING:
        incident.notify_more()
    incident.notify_requested_by = None
    incident.notify_requested_at = None
    incident.notify_approved_by = approved_by
    if late_reason:
        incident.notify_late_reason = late_reason
    incident.save()
    event_record(
        actor=actor,
        action="incident.notified",
        obj=incident,
        after={
            "customers": targets,
            "notices_created": len(new),
            "messages_queued": queued,
            "customers_without_recipients": without,
            "late": at > incident.customer_due_at,
            "late_reason": late_reason,
            "approved_by": getattr(approved_by, "pk", None),
            "customer_due_at": iso(incident.customer_due_at),
        },
    )
    if without:
        officers_alert(
            key=f"incident:{incident.pk}:notified:{at.timestamp():.0f}:no_recipients",
            kind="no_recipients",
            context={
                "incident": incident,
                "customers": list(Customer.objects.filter(pk__in=without[:50])),
                "count": len(without),
                "link": incident_link(incident.pk),
            },
            actor=actor,
        )
    # No letter yet: it states the customer's own deadline, so it is asked for when the
    # notice is informed (breaches.services.notice_letter_queue, BR-04, BR-06).
    return NotifyResult(
        notices_created=len(new),
        messages_queued=queued,
        customers_without_recipients=without,
    )


def incident_notify(*, actor, incident: Incident, late_reason: str = "") -> NotifyResult:
    """Notify every selected customer not notified yet (BR-03, BR-05, BR-06).

    One notice per customer and one outbox row per recipient — the subscription contact
    and every breach-flagged contact, resolved now — with the Art. 33(3) contents in the
    customer's language and a link to the notice. A second click notifies nobody twice.
    After the 48-hour deadline a reason for the delay is required. With four eyes on in
    the processor's profile, the first officer's call only records the request and a
    second officer's call (or `incident_notify_approve`) sends.
    """
    require(actor, "incident.manage")
    profile = processor_profile_get()
    four_eyes = bool(profile and profile.breach_notify_four_eyes)
    with transaction.atomic():
        incident = incident_lock(incident)
        at = now()
        targets = _check_notifiable(incident, late_reason, at)
        if four_eyes:
            if incident.notify_requested_by_id is None:
                return _request_approval(incident, actor, targets, late_reason, at)
            if incident.notify_requested_by_id == actor.pk:
                raise error(
                    "__all__",
                    _("A second privacy officer must approve these notices."),
                    "four_eyes",
                )
            late_reason = late_reason or incident.notify_late_reason
            return _notify(
                incident=incident,
                actor=actor,
                targets=targets,
                late_reason=late_reason,
                approved_by=actor,
            )
        return _notify(incident=incident, actor=actor, targets=targets, late_reason=late_reason)


def _request_approval(incident, actor, targets, late_reason, at) -> NotifyResult:
    incident.notify_requested_by = actor
    incident.notify_requested_at = at
    incident.notify_late_reason = (late_reason or "").strip()
    incident.save()
    event_record(
        actor=actor,
        action="incident.notify_requested",
        obj=incident,
        after={"customers": len(targets), "late_reason": incident.notify_late_reason},
    )
    officers_alert(
        key=f"incident:{incident.pk}:notify_request:{at.timestamp():.0f}",
        kind="notify_request",
        context={"incident": incident, "requested_by": actor, "link": incident_link(incident.pk)},
        actor=actor,
        recipients=alert_recipients(exclude_user_id=actor.pk),
    )
    return NotifyResult(pending_approval=True)


def incident_notify_approve(*, actor, incident: Incident) -> NotifyResult:
    """The second privacy officer approves the pending notices (four eyes, BR-03)."""
    require(actor, "incident.manage")
    with transaction.atomic():
        incident = incident_lock(incident)
        if incident.notify_requested_by_id is None:
            raise ValidationError({"__all__": _("No notices are waiting for approval.")})
        if incident.notify_requested_by_id == actor.pk:
            raise error(
                "__all__", _("A second privacy officer must approve these notices."), "four_eyes"
            )
        at = now()
        targets = _check_notifiable(incident, incident.notify_late_reason, at)
        return _notify(
            incident=incident,
            actor=actor,
            targets=targets,
            late_reason=incident.notify_late_reason,
            approved_by=actor,
        )


def update_publish(
    *, actor, incident: Incident, summary: str, measures: str = ""
) -> IncidentUpdate:
    """A progress update on the situation and the measures, to every notified customer as
    a further message on its notice (BR-07)."""
    require(actor, "incident.manage")
    summary = required_text(summary, "summary", _("Describe what changed."))
    with transaction.atomic():
        incident = incident_lock(incident)
        if incident.state not in UPDATABLE_STATES:
            raise ValidationError(
                {"__all__": _("Updates go to notified customers; notify them first.")}
            )
        # The update keeps its own measures; the measures reported before stay as they
        # were, so the customer reads both, dated (breaches.measures).
        update = fanout_update(
            incident=incident,
            kind=IncidentUpdateKind.UPDATE,
            summary=summary,
            measures=measures.strip(),
            actor=actor,
        )
        event_record(
            actor=actor,
            action="incident.update_published",
            obj=incident,
            after={
                "number": update.number,
                "summary": summary,
                "measures": measures.strip(),
                "messages_queued": update.recipients_count,
            },
        )
    return update
