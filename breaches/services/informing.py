"""What the outbox's outcomes mean for a customer's notice (BR-03, BR-04).

A customer is informed at the earliest acceptance among the messages of its notice that did
not bounce: recomputed when a message is accepted and when one bounces or is refused, so its
72 hours never run from a message that never arrived. What the customer did itself in the
portal (acknowledged, decided) and an out-of-band notice the officer recorded are awareness
no bounce undoes. Each change of the informed moment asks for a new version of the letter,
which states the deadline that follows from it.

Both entry points run inside the transaction that records the delivery outcome (called by
`breaches.receivers`), so the notice and its deadline commit together with the outcome.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Min

from audits.services import event_record
from breaches.links import incident_link
from breaches.models import CustomerNotice, Incident, IncidentState, InformedHow, NoticeState
from breaches.services.common import NOTICE_CAUSE, iso, now, officers_alert
from breaches.services.letters import notice_letter_queue
from breaches.services.notices import _informed_snapshot, notice_inform
from compliance.models import OutboxMessage, OutboxStatus

_WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


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


def _messages(notice: CustomerNotice):
    return OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE, cause_id=notice.pk)


def _set_by_mail(notice: CustomerNotice) -> bool:
    """Whether the mail's outcomes decide when this customer was informed: not once it
    showed awareness itself (acknowledged or decided in the portal) or the officer recorded
    an out-of-band notice."""
    return (
        notice.state in (NoticeState.QUEUED, NoticeState.SENT, NoticeState.FAILED)
        and notice.acknowledged_at is None
        and notice.informed_how not in (InformedHow.OUT_OF_BAND, InformedHow.PORTAL)
    )


def notice_message_accepted(*, message: OutboxMessage) -> None:
    """A message of a notice was accepted: the customer is informed at its earliest
    acceptance (BR-03) and its 72 hours start then (BR-04). A message sent again after a
    crash keeps its first acceptance, so it never moves the moment later."""
    accepted_at = message.accepted_at or now()
    # The common case in a fan-out (informed already, at or before this) is one query.
    if CustomerNotice.objects.filter(pk=message.cause_id, informed_at__lte=accepted_at).exists():
        return
    with transaction.atomic():
        notice = _notice_for(message)
        if notice is None:
            return
        if notice.informed_at is None:
            before = _informed_snapshot(notice)
            notice_inform(notice, at=accepted_at, how=InformedHow.EMAIL)
            notice.save()
            event_record(
                actor=None,
                action="notice.informed",
                obj=notice,
                before=before,
                after={**_informed_snapshot(notice), "message_id": message.message_id},
                customer_id=notice.customer_id,
            )
            notice_letter_queue(notice)
            _incident_all_informed(notice)
        elif accepted_at < notice.informed_at and _set_by_mail(notice):
            _informed_move(notice, at=accepted_at, message=message, reason="earlier_acceptance")


def notice_message_failed(*, message: OutboxMessage, reason: str) -> None:
    """A message of a notice was refused or bounced (BR-03, BR-04): the customer is informed
    at the earliest acceptance among its other messages; with none, it is not informed (its
    clock has not started) and, once no message is still on its way, it is "not delivered"
    and the officer is alerted at once."""
    with transaction.atomic():
        notice = _notice_for(message)
        if notice is None or notice.state == NoticeState.FAILED or not _set_by_mail(notice):
            return
        messages = _messages(notice)
        earliest = messages.filter(status=OutboxStatus.ACCEPTED).aggregate(at=Min("accepted_at"))
        if earliest["at"] is not None:
            if earliest["at"] != notice.informed_at:
                _informed_move(notice, at=earliest["at"], message=message, reason=reason)
            return
        waiting = messages.filter(status__in=_WAITING).count()
        before = _informed_snapshot(notice)
        _uninform(notice)
        detail = {"reason": reason, "message_id": message.message_id, "reply": message.last_reply}
        if waiting:
            # Another recipient's message is still being retried: not informed until it is.
            if notice.state == NoticeState.SENT:
                notice.mark_waiting()
            notice.save()
            event_record(
                actor=None,
                action="notice.informed_withdrawn",
                obj=notice,
                before=before,
                after={**_informed_snapshot(notice), **detail, "messages_waiting": waiting},
                customer_id=notice.customer_id,
            )
            return
        notice.undelivered_at = now()
        notice.mark_failed()
        notice.save()
        event_record(
            actor=None,
            action="notice.undelivered",
            obj=notice,
            before=before,
            after={**_informed_snapshot(notice), **detail},
            customer_id=notice.customer_id,
        )
        failed = messages.filter(status=OutboxStatus.FAILED).count()
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


def _uninform(notice: CustomerNotice) -> None:
    notice.informed_at = None
    notice.informed_how = ""
    notice.late = False
    if not notice.customer_reported:
        notice.aware_at = None
        notice.authority_due_at = None
        notice.next_reminder_at = None


def _informed_move(
    notice: CustomerNotice, *, at: datetime.datetime, message: OutboxMessage, reason: str
) -> None:
    """The informed moment changes to `at`, and with it awareness and the 72 hours (BR-04);
    the letter is issued again with the new deadline."""
    before = _informed_snapshot(notice)
    notice.informed_at = None
    notice_inform(notice, at=at, how=InformedHow.EMAIL)
    notice.save()
    event_record(
        actor=None,
        action="notice.informed_moved",
        obj=notice,
        before=before,
        after={**_informed_snapshot(notice), "reason": reason, "message_id": message.message_id},
        customer_id=notice.customer_id,
    )
    notice_letter_queue(notice)


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
