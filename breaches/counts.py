"""What the incident page, its progress table and the dashboard count about one incident's
notices, from one place so that the figures agree (BR-03, BR-05).

Every figure counts customers (one notice each), never messages:

- `all`: customers with a notice (notified, or reported the incident themselves);
- `informed`: informed, by an accepted e-mail, out of band or in the portal;
- `uninformed`: not informed yet;
- `failed`: with a delivery problem: every message failed (the notice is "not delivered") or
  at least one of its messages was refused or bounced, informed or not;
- `decided`: the customer recorded its decision (BR-04).

`informed_last` is when the last of them was informed (the 48-hour deadline is met at that
moment once nobody is left uninformed)."""

from __future__ import annotations

from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, When

from breaches.models import CustomerNotice, Incident, NoticeState
from breaches.services.common import NOTICE_CAUSE
from compliance.models import Contact, OutboxMessage, OutboxStatus
from compliance.recipients import NOTICE_RECIPIENT

# A customer with a delivery problem (see the module's docstring); on notices annotated with
# `has_failed_message` (`with_failed_flag`).
FAILED_NOTICE = Q(state=NoticeState.FAILED) | Q(has_failed_message=True)


def with_failed_flag(notices):
    """The notices with `has_failed_message`: one of their messages failed."""
    return notices.annotate(
        has_failed_message=Exists(
            OutboxMessage.objects.filter(
                cause_type=NOTICE_CAUSE, cause_id=OuterRef("pk"), status=OutboxStatus.FAILED
            )
        )
    )


def notice_counts(incident: Incident) -> dict:
    """The customers of `incident` per figure (module docstring), in one query. The caller
    has read the incident through a scoped selector."""
    notices = with_failed_flag(CustomerNotice.objects.filter(incident=incident))
    return notices.aggregate(
        all=Count("pk"),
        informed=Count("pk", filter=Q(informed_at__isnull=False)),
        uninformed=Count("pk", filter=Q(informed_at__isnull=True)),
        failed=Count("pk", filter=FAILED_NOTICE),
        decided=Count("pk", filter=Q(decided_at__isnull=False)),
        informed_last=Max("informed_at"),
        decision_due_first=Min(
            "authority_due_at", filter=Q(decided_at__isnull=True, informed_at__isnull=False)
        ),
    )


def customers_to_notify(incident: Incident):
    """The selected customers whose first notice has not been queued yet: those the
    "Notify" button would notify (as `services.incident_notify` chooses them)."""
    notified = CustomerNotice.objects.filter(incident=incident, notified_at__isnull=False)
    return incident.affected_customers.exclude(pk__in=notified.values("customer_id"))


def customer_deadline_met_at(incident: Incident, counts: dict | None = None):
    """When the 48-hour duty was met: the moment the last selected customer was informed,
    once every one of them is; None while anyone is left (BR-03)."""
    if incident.notified_at is None:
        return None
    counts = counts if counts is not None else notice_counts(incident)
    if not counts["all"] or counts["uninformed"] or customers_to_notify(incident).exists():
        return None
    return counts["informed_last"]


def notify_plan(incident: Incident) -> dict:
    """What "Notify" would send now: the customers, their messages (one per recipient: the
    subscription contact and every breach contact) and the messages per language, and the
    customers without anyone to e-mail. Counted in the database, whatever the size."""
    customers = customers_to_notify(incident)
    recipients = Contact.objects.filter(NOTICE_RECIPIENT, customer__in=customers).annotate(
        mail_language=Case(
            When(language="", then=F("customer__language")),
            default=F("language"),
        )
    )
    by_language = {
        row["mail_language"]: row["n"]
        for row in recipients.values("mail_language").annotate(n=Count("pk")).order_by()
    }
    return {
        "customers": customers.count(),
        "messages": sum(by_language.values()),
        "languages": by_language,
        "without_recipients": customers.exclude(
            pk__in=Contact.objects.filter(NOTICE_RECIPIENT).values("customer_id")
        ).count(),
    }
